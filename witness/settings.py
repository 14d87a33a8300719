"""One Settings object, read from WITNESS_* environment variables (see config/.env.example)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WITNESS_", extra="ignore")

    home: Path = Field(default=Path.home() / ".witness", description="Where the SQLite file, keys and audit head live")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default sqlite file under home")
    key_file: Path | None = Field(default=None, description="Keyring file; default home/keys/keyring.json")
    config_dir: Path = Field(default=PROJECT_ROOT / "config")
    templates_dir: Path = Field(default=PROJECT_ROOT / "templates")
    actor: str | None = Field(default=None, description="USER:ROLE acting on the CLI")
    audit_head_path: Path | None = Field(default=None, description="Append-only file of audit chain heads; default "
                                         "beside the keyring. Deploy it append-only (docs/audit-head.md)")
    allow_clock: bool = Field(default=False, description="Allow --now (tests and the demonstration only): "
                                                         "otherwise nobody can backdate what they record")
    debug: bool = Field(default=False, description="Print the traceback of an internal error (may show personal data)")
    interpreter_blocklist: str = Field(default="", description="Interpreter ids never to assign, comma-separated "
                                       "(DNH-06), e.g. after 'persuasive' translation or a conflict of interest was reported")

    @field_validator("database_url")
    @classmethod
    def _no_placeholder(cls, v: str | None) -> str | None:
        if v is not None and ("changeme" in v or "<" in v):
            raise ValueError("WITNESS_DATABASE_URL still holds a placeholder")
        return v

    @property
    def blocked_interpreters(self) -> frozenset[str]:
        return frozenset(i.strip() for i in self.interpreter_blocklist.split(",") if i.strip())

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'witness.db'}"

    @property
    def keyring_path(self) -> Path:
        return self.key_file or self.home / "keys" / "keyring.json"

    @model_validator(mode="after")
    def _default_audit_head(self) -> "Settings":
        # Kept outside the database so that cutting rows off the end of the chain is detected.
        if self.audit_head_path is None:
            self.audit_head_path = self.keyring_path.parent / "audit-head.json"
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
