"""The injected clock (R-14): every service takes `now` from here, never from the OS directly."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class FixedClock:
    """A clock that stands still until told to move: for tests, `--now`, and the demo's simulated time."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> datetime:
        from datetime import timedelta

        self.at = self.at + timedelta(**delta)
        return self.at


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a value without an offset is refused rather than guessed."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset; write e.g. 2026-11-29T09:00:00+07:00")
    try:
        # 0001-01-01T00:00+07:00 or 9999-12-31T23:59-05:00 parse, then overflow on the first
        # conversion to UTC deep inside a command: refuse them here, by name.
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"{text!r} is out of range once converted to UTC") from None
    return value
