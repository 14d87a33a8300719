"""The one command-line context: who acts, on which store, as of when, with which overrides.

Every command gets these here and nowhere else. The root callback (witness.cli) says what the
person typed with `begin`; a command asks for `actor()` and `app()` from inside its own function,
so a refusal is audited with the command and record it was about (witness.cli audits it at the
edge). The state lives in this module, not in witness.cli: under `python -m witness.cli` that
module runs as `__main__`, and a command importing `witness.cli` would have read a second copy
whose state the callback never set.

Only typer, the standard library and witness.errors at the top: start-up imports no store, Prefect or WeasyPrint.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Optional

import typer

from witness.errors import Forbidden, InputProblems

CLOCK_REFUSED = ("setting the clock is only for tests and the demonstration (WITNESS_ALLOW_CLOCK=1): "
                 "every command records the real time")
# Every command that can meet an overridable Do No Harm finding takes the same option.
OverrideOpt = Annotated[Optional[list[str]], typer.Option(
    "--override", help="RULE=REASON: override an overridable Do No Harm finding (audited)")]
OVERRIDE_FORM = "write RULE=REASON, e.g. DNH-05-gender-preference=only officer on duty"
# Parameters that name a record; only id-shaped values are kept for the audit row of a refusal.
_RECORD_PARAMS = ("case_id", "claim_id", "hearing_id", "measure_id", "ident", "case", "hearing", "claim")
_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class Invocation:
    """What one run of the command line said and did, for the commands and for the edge."""

    def __init__(self, actor_text: str | None = None, now: datetime | None = None) -> None:
        self.actor_text = actor_text  # --actor as typed (else the WITNESS_ACTOR setting)
        self.now = now  # --now, parsed
        self.acting = None  # the parsed Actor, once a command asked for it (even if then refused)
        self.account_checked = False  # the Actor names an existing, enabled account with that role
        self.command = ""  # e.g. "case show", for the audit row of a refusal
        self.record = "-"  # the id the command was about, if any
        self.store = None  # the App as of --now, built once per run


_current = Invocation()


def current() -> Invocation:
    return _current


def reset() -> Invocation:
    """A fresh context for one run (the edge calls it first, so runs in one process share nothing)."""
    global _current
    _current = Invocation()
    return _current


def begin(actor_text: str | None, now_text: str | None) -> None:
    """What the root options said. A malformed or forbidden --now is refused here, before any
    command starts, so nothing is written under a clock that was not allowed."""
    _current.actor_text = actor_text
    if now_text:
        from witness.clock import parse_instant

        try:
            _current.now = parse_instant(now_text)
        except ValueError as exc:
            raise InputProblems([("--now", str(exc))]) from None
        as_of_clock(_current.now)


def settings():
    from witness.settings import get_settings

    return get_settings()


def as_of_clock(at: datetime | None):
    """The clock for `--now` (or a command's own --now). Refused unless WITNESS_ALLOW_CLOCK=1 (tests,
    the demonstration): every command writes at least its audit row, so there is no command where a
    made-up instant could not backdate a record (a consent, an access to an identity)."""
    if at is None:
        return None
    from witness.clock import FixedClock

    if not settings().allow_clock:
        raise InputProblems([("--now", CLOCK_REFUSED)])
    return FixedClock(at)


def app(now: datetime | None = None):
    """The application on the configured store, as of --now; `now` is a command's own instant
    (`relay --now`), which wins."""
    from witness.bootstrap import build_app
    from witness.collector import settle

    if now is None and _current.store is None:
        _current.store = build_app(settings(), as_of_clock(_current.now))
    store = _current.store if now is None else build_app(settings(), as_of_clock(now))
    settle()  # the command has imported what it needs and has its store: collection resumes (witness/collector.py)
    return store


def clock():
    """The clock of this run: the --now instant where allowed, else the system's."""
    return app().clock


def actor():
    """The person acting, as they said with --actor or WITNESS_ACTOR: never the system role, and an
    existing, enabled account with that role (R-110) — the command line is no way around the
    accounts the web signs in with."""
    from witness.domain.access import Actor

    _note_attempt()
    if _current.acting is not None and _current.account_checked:
        return _current.acting
    # WITNESS_ACTOR is a setting like any other: read from the one Settings, and only by a command
    # that acts (a bad setting elsewhere must not stop `witness schema intake`).
    said = _current.actor_text or settings().actor
    if not said:
        raise Forbidden("actor: say who is acting with --actor USER:ROLE or WITNESS_ACTOR")
    _current.acting = Actor.parse(said)
    from witness.services.accounts import require_account

    require_account(app(), _current.acting)
    _current.account_checked = True
    return _current.acting


def overrides(items: list[str] | None) -> dict[str, str]:
    """`--override RULE=REASON` pairs: the Do No Harm findings the person overrides, each with the
    reason that is recorded (encrypted) beside it."""
    out = {}
    for raw in items or []:
        rule, sep, reason = raw.partition("=")
        if not sep or not reason.strip():
            raise InputProblems([("--override", OVERRIDE_FORM)])
        out[rule.strip()] = reason.strip()
    return out


def _note_attempt() -> None:
    """Remember which command, about which record, the actor is attempting: if it is refused, the
    refusal is audited with them."""
    from typer._click.globals import get_current_context  # typer's own click

    ctx = get_current_context(silent=True)
    if ctx is None:
        return
    _current.command = " ".join(ctx.command_path.split()[1:]) or ctx.command_path
    for name in _RECORD_PARAMS:
        value = ctx.params.get(name)
        if isinstance(value, str) and _ID_SHAPE.fullmatch(value):
            _current.record = value
            return
