"""One Settings object, read from WITNESS_* environment variables (see config/.env.example).

Every piece of configuration is a field here, and the application reads it from `app.settings`
(the composition root builds the App from it): no module reads os.environ or a settings class of
its own, so a test or a second store configures everything in one object.

The variables are read here into plain values, checked by their field's converter, rather than
through pydantic or pydantic-settings: every field is a single value from one environment variable,
and every command reads the settings at start, so importing pydantic here (or pydantic-settings'
providers for .env and secrets files, TOML, command lines and three clouds) was a sixth of a plain
command's 0.5 s start-up budget (issue 16, item 7). What they did for us is the same here: values
given explicitly win over the environment, names are matched without regard to case, other
variables are ignored, every value (defaults too) is checked by its field, and a refusal names the
field and the problem, never the value (InvalidSettings).
"""
from __future__ import annotations

import hmac
import math
import os
import re
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "WITNESS_"


class InvalidSettings(ValueError):
    """Settings that cannot be used: (field, problem) pairs, the value never repeated (it may be a
    password or a database URL with one in it)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = [tuple(p) for p in problems]
        super().__init__(self.problems)  # the one argument, so it pickles and copies (a flow's failure)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {problem}" for name, problem in self.problems)


class Secret:
    """A value that must not be shown: `repr` and `str` hide it; `get_secret_value()` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __len__(self) -> int:  # an empty secret is falsy, as pydantic's SecretStr was
        return len(self._value)

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(other._value.encode(), self._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


# --- converters: a value (text from the environment, or given in code) -> the field's value ----------

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _text(v) -> str:
    if not isinstance(v, str):
        raise ValueError("must be text")
    return v


def _path(v) -> Path:
    if isinstance(v, Path):
        return v
    if not isinstance(v, (str, os.PathLike)) or not str(v):
        raise ValueError("must be a path")
    return Path(v)


def _flag(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise ValueError("must be true or false (1/0, yes/no, on/off)")


def _whole(low: int, high: int | None = None):
    def convert(v) -> int:
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise ValueError("must be a whole number")
        if isinstance(v, str):
            if not re.fullmatch(r"[+-]?[0-9]+", v.strip()):  # not int()'s "1_000" or "１５" either
                raise ValueError("must be a whole number")
            v = int(v)
        if v < low or (high is not None and v > high):
            raise ValueError(f"must be at least {low}" if high is None else f"must be between {low} and {high}")
        return v
    return convert


_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def _seconds(v) -> float:
    # Plain ASCII decimals only, as for whole numbers: float() would also take "１５" and "1_0".
    try:
        if isinstance(v, str) and _DECIMAL.fullmatch(v.strip()):
            value = float(v)
        else:
            value = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan
    except OverflowError:
        value = math.inf
    if not math.isfinite(value) or value <= 0:
        raise ValueError("must be a number of seconds above 0")
    return value


def _secret(v) -> Secret:
    return v if isinstance(v, Secret) else Secret(_text(v))


def _optional(convert):
    return lambda v: None if v is None else convert(v)


def _no_placeholder(v) -> str:
    if "changeme" in _text(v) or "<" in v:
        raise ValueError("WITNESS_DATABASE_URL still holds a placeholder")
    return v


def redacted_url(url: str) -> str:
    """A URL with whatever precedes its host (user and password) replaced by ***: for display."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


class Setting:
    """One WITNESS_* variable: how a value becomes the field's, its default, what it is for.
    (A non-data descriptor: each Settings instance holds its own value under the same name.)"""

    def __init__(self, convert, default=None, description: str = ""):
        self.convert, self.default, self.description = convert, default, description

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        raise AttributeError(self.name)  # not reached: every instance sets every field


class Settings:
    """`Settings(home=..., ...)`: the given values, then WITNESS_* variables, then the defaults;
    every value checked, all problems reported at once (InvalidSettings)."""

    home = Setting(_path, Path.home() / ".witness", "Where the SQLite file, keys and audit head live")
    database_url = Setting(_optional(_no_placeholder), None, "SQLAlchemy URL; default sqlite file under home")
    key_file = Setting(_optional(_path), None, "Keyring file; default home/keys/keyring.json")
    keyring = Setting(_optional(_secret), None, "The keyring itself (JSON), for a secret passed in the environment; "
                      "wins over key_file. Every web process and worker needs the same one")
    audit_head_url = Setting(_optional(_text), None, "Database URL of the audit heads' outside copy (several machines, "
                             "docs/deploy.md); default: the head file")
    config_dir = Setting(_path, PROJECT_ROOT / "config")
    templates_dir = Setting(_path, PROJECT_ROOT / "templates")
    actor = Setting(_optional(_text), None, "USER:ROLE acting on the CLI")
    audit_head_path = Setting(_optional(_path), None, "Append-only file of audit chain heads; default beside the "
                              "keyring. Deploy it append-only (docs/audit-head.md)")
    allow_clock = Setting(_flag, False, "Allow --now (tests and the demonstration only): otherwise nobody can "
                          "backdate what they record")
    debug = Setting(_flag, False, "Print the traceback of an internal error (may show personal data)")
    interpreter_blocklist = Setting(_text, "", "Interpreter ids never to assign, comma-separated (DNH-06), e.g. "
                                    "after 'persuasive' translation or a conflict of interest was reported")
    # Notices: the mail server, the SMS gateway, the staff directory.
    smtp_host = Setting(_text, "127.0.0.1")
    smtp_port = Setting(_whole(1, 65535), 25)
    smtp_from = Setting(_text, "notices@witness.invalid")
    smtp_starttls = Setting(_flag, False)
    smtp_username = Setting(_optional(_text), None)
    smtp_password = Setting(_optional(_secret), None)
    smtp_timeout_seconds = Setting(_seconds, 10.0)
    sms_gateway_url = Setting(_optional(_text), None, "HTTP(S) endpoint that accepts POST {to, text}")
    sms_gateway_token = Setting(_optional(_secret), None)
    sms_timeout_seconds = Setting(_seconds, 10.0)
    oncall_file = Setting(_path, PROJECT_ROOT / "config" / "oncall.yaml",
                          "Staff directory: helplines, contacts, on-call (validated on load)")
    # `witness serve`: prefect.yaml runs the sweep hourly; a demonstration may want it sooner.
    sweep_interval_seconds = Setting(_whole(1), 3600, "How often `witness serve` runs the sweep")

    def __init__(self, **values) -> None:
        given = {**_environment(), **values}  # given in code wins over the environment
        problems = []
        for name, field in self.fields().items():
            try:
                self.__dict__[name] = field.convert(given.get(name, field.default))
            except ValueError as exc:
                problems.append((name, str(exc)))
        if problems:
            raise InvalidSettings(problems)
        if self.audit_head_path is None:
            # Kept outside the database so that cutting rows off the end of the chain is detected.
            self.audit_head_path = self.keyring_path.parent / "audit-head.json"

    @classmethod
    def fields(cls) -> dict[str, Setting]:
        return {n: v for n, v in vars(cls).items() if isinstance(v, Setting)}

    def replace(self, **changes) -> "Settings":
        """A copy with these fields changed (checked like any other value); the environment is not read again."""
        return Settings(**{**self.values(), **changes})

    def values(self) -> dict:
        return {name: self.__dict__[name] for name in self.fields()}

    def __eq__(self, other) -> bool:
        return isinstance(other, Settings) and other.values() == self.values()

    __hash__ = None  # mutable (audit_head_path is filled in), like the model it replaces

    def __repr__(self) -> str:  # secrets show as Secret('**********'), a URL's user and password as ***
        shown = {k: redacted_url(v) if isinstance(v, str) else v for k, v in self.values().items()}
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"

    @property
    def blocked_interpreters(self) -> frozenset[str]:
        return frozenset(i.strip() for i in self.interpreter_blocklist.split(",") if i.strip())

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'witness.db'}"

    @property
    def keyring_path(self) -> Path:
        return self.key_file or self.home / "keys" / "keyring.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def _environment() -> dict[str, str]:
    """The WITNESS_* variables by field name (WITNESS_SMTP_PORT -> smtp_port)."""
    prefix = ENV_PREFIX.lower()
    return {key.lower().removeprefix(prefix): value for key, value in os.environ.items()
            if key.lower().startswith(prefix)}
