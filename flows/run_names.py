"""Flow run names a person can read in the Prefect UI: what ran and as of when, e.g.
`sweep 2026-12-01T10:00Z` instead of Prefect's generated `cheerful-okapi`. A name holds the kind of
run, an instant and counts — never a case, a name or anything else about a person.
"""
from __future__ import annotations

from datetime import datetime, timezone


def stamp(now: str | None) -> str:
    """The run's instant in UTC to the minute: the `now` parameter, else the moment it is named."""
    from witness.clock import parse_instant

    at = parse_instant(now) if now else datetime.now(timezone.utc)
    return f"{at.astimezone(timezone.utc):%Y-%m-%dT%H:%MZ}"


def _parameters() -> dict:
    from prefect.runtime import flow_run

    return flow_run.parameters or {}


def sweep_name() -> str:
    return f"sweep {stamp(_parameters().get('now'))}"


def relay_name() -> str:
    return f"relay {stamp(_parameters().get('now'))}"


def hearing_prep_name() -> str:
    p = _parameters()
    ids = p.get("hearing_ids")
    which = "due hearings" if ids is None else f"{len(ids)} hearing{'s' if len(ids) != 1 else ''}"
    return f"hearing-prep {stamp(p.get('now'))} ({which})"
