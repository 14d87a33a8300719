"""One Settings object, read from WITNESS_* environment variables (see config/.env.example).

Every piece of configuration is a field here, and the application reads it from `app.settings`
(the composition root builds the App from it): no module reads os.environ or a settings class of
its own, so a test or a second store configures everything in one object.

The variables are read here, into a plain pydantic model, rather than through pydantic-settings:
every field is a single value from one environment variable, and importing pydantic-settings (its
providers for .env and secrets files, TOML, command lines, AWS, Azure and Google Cloud) cost ~30 ms
of each command's 0.5 s start-up budget (issue 16, item 7) for features witness does not use. What
it did for us is the same here: values given explicitly win over the environment, names are matched
without regard to case, other variables are ignored, and every value is validated by its field.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "WITNESS_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_default=True)  # as pydantic-settings had it

    def __init__(self, **values) -> None:
        super().__init__(**{**_environment(), **values})

    home: Path = Field(default=Path.home() / ".witness", description="Where the SQLite file, keys and audit head live")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default sqlite file under home")
    key_file: Path | None = Field(default=None, description="Keyring file; default home/keys/keyring.json")
    keyring: SecretStr | None = Field(default=None, description="The keyring itself (JSON), for a secret passed in the "
                                      "environment; wins over key_file. Every web process and worker needs the same one")
    audit_head_url: str | None = Field(default=None, description="Database URL of the audit heads' outside copy (several "
                                       "machines, docs/deploy.md); default: the head file")
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
    # Notices: the mail server, the SMS gateway, the staff directory.
    smtp_host: str = Field(default="127.0.0.1")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = Field(default="notices@witness.invalid")
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    sms_gateway_url: str | None = Field(default=None, description="HTTP(S) endpoint that accepts POST {to, text}")
    sms_gateway_token: SecretStr | None = None
    sms_timeout_seconds: float = 10.0
    oncall_file: Path = Field(default=PROJECT_ROOT / "config" / "oncall.yaml",
                              description="Staff directory: helplines, contacts, on-call (validated on load)")
    # `witness serve`: prefect.yaml runs the sweep hourly; a demonstration may want it sooner.
    sweep_interval_seconds: int = Field(default=3600, ge=1, description="How often `witness serve` runs the sweep")

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


def _environment() -> dict[str, str]:
    """The WITNESS_* variables by field name (WITNESS_SMTP_PORT -> smtp_port)."""
    prefix = ENV_PREFIX.lower()
    return {key.lower().removeprefix(prefix): value for key, value in os.environ.items()
            if key.lower().startswith(prefix)}
