"""The staff directory for notices (config/oncall.yaml), validated on load.

It says which number a notice tells the victim to call, how to reach each coordinator when an
urgent alert cannot reach a victim, and who is on call after them (R-53). Staff contacts only:
nothing here is about a victim. A wrong file is a start-up error naming the file and the field.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from witness.domain.jurisdiction import ASEAN_CODES
from witness.errors import ConfigError
from witness.configuration import load_config

PHONE = r"^\+[0-9 ()-]{6,20}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    phone: str | None = Field(default=None, pattern=PHONE, description="the number victims are told to call")
    email: str | None = Field(default=None, pattern=EMAIL)
    sms: str | None = Field(default=None, pattern=PHONE, description="where escalations are texted")


class OnCall(_Strict):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_.-]+$")
    jurisdictions: list[str] = Field(min_length=1)
    email: str | None = Field(default=None, pattern=EMAIL)
    sms: str | None = Field(default=None, pattern=PHONE)

    @field_validator("jurisdictions")
    @classmethod
    def _asean(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in ASEAN_CODES]
        if bad:
            raise ValueError(f"unknown jurisdiction(s) {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _reachable(self) -> "OnCall":
        if not (self.email or self.sms):
            raise ValueError("give an email or an sms number: an on-call entry nobody can reach protects no one")
        return self


class Directory(_Strict):
    helplines: dict[str, str] = Field(description="jurisdiction -> the number a notice gives the victim to call")
    staff: dict[str, Contact] = Field(default_factory=dict)
    oncall: list[OnCall] = Field(default_factory=list)

    @field_validator("helplines")
    @classmethod
    def _every_state(cls, v: dict[str, str]) -> dict[str, str]:
        import re

        missing = [c for c in ASEAN_CODES if c not in v]
        if missing:
            raise ValueError(f"missing helplines for {', '.join(missing)}: every notice must say whom to call")
        bad = [c for c, n in v.items() if c not in ASEAN_CODES or not re.match(PHONE, n)]
        if bad:
            raise ValueError(f"unknown jurisdiction or malformed number for {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _oncall_everywhere(self) -> "Directory":
        covered = {c for o in self.oncall for c in o.jurisdictions}
        missing = [c for c in ASEAN_CODES if c not in covered]
        if missing:
            raise ValueError(f"no one on call for {', '.join(missing)}")
        return self

    def call_number(self, jurisdiction: str, coordinator: str | None) -> str:
        staff = self.staff.get(coordinator or "")
        return staff.phone if staff and staff.phone else self.helplines[jurisdiction]

    def oncall_for(self, jurisdiction: str) -> list[OnCall]:
        return [o for o in self.oncall if jurisdiction in o.jurisdictions]


_CACHE: dict[tuple[str, float], Directory] = {}


def load_directory(path: Path) -> Directory:
    try:
        stamp = (str(path), path.stat().st_mtime)
    except OSError:
        raise ConfigError(f"{path}: missing (the on-call list for urgent notices)") from None
    if stamp not in _CACHE:
        _CACHE[stamp] = load_config(path, Directory, "on-call list")
    return _CACHE[stamp]
