"""Notices to victims, guardians and staff (R-24, R-50…R-56): the pure rules.

What kind of notice an event makes and whether it is urgent, who receives it, which channels may
carry it, how long to wait before trying again, when an unacknowledged alert is repeated or
escalated, acknowledgement codes, and the content check that keeps identity out of every text.
No I/O here: the services (witness/services/outbox.py and its neighbours) gather facts and write the outbox.
"""
from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from witness.domain.proceeding import FREE_AGAIN, Custody, Order, frees
from witness.domain.victim import PSEUDONYM_ALPHABET


class NoticeKind(StrEnum):
    accused_released = "accused_released"  # also bail and acquittal: the accused can reach the victim again
    accused_escaped = "accused_escaped"
    accused_held = "accused_held"  # arrested, detained or convicted again after being free
    stage_changed = "stage_changed"
    hearing_set = "hearing_set"
    hearing_moved = "hearing_moved"
    hearing_cancelled = "hearing_cancelled"
    reflection_ending = "reflection_ending"
    measure_decided = "measure_decided"
    judgment = "judgment"
    restitution_awarded = "restitution_awarded"
    restitution_paid = "restitution_paid"
    risk_review_due = "risk_review_due"  # to staff only
    urgent_undelivered = "urgent_undelivered"  # escalation, to staff only


URGENT_KINDS = frozenset({NoticeKind.accused_released, NoticeKind.accused_escaped})
STAFF_ONLY = frozenset({NoticeKind.risk_review_due, NoticeKind.urgent_undelivered})
# The victim and guardian get these; each language folder has one template per kind.
VICTIM_KINDS = tuple(k for k in NoticeKind if k not in STAFF_ONLY)
# The coordinator already drives stage changes and reflection follow-ups (the sweep puts them on
# the worklist), so a copy of those would only be noise; every other event reaches them too.
COORDINATOR_COPY = frozenset(NoticeKind) - {NoticeKind.stage_changed, NoticeKind.reflection_ending}
# A victim may switch off progress updates but never the alerts that keep them safe.
OPT_OUT_ALLOWED = frozenset(VICTIM_KINDS) - URGENT_KINDS

# What each kind's template may use besides `call`, `code` and `repeat`: plain values only, never
# names, places or amounts. `when` is a local date and time, formatted by the service.
KIND_PARAMS: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.hearing_set: ("when",), NoticeKind.hearing_moved: ("when",), NoticeKind.hearing_cancelled: ("when",),
    NoticeKind.reflection_ending: ("when",),
}

# Stages the victim hears about; reflection, decision, withdrawn and closed are their own decisions
# or the coordinator's, talked through in person.
NOTIFIED_STAGES = frozenset({"investigation", "pre_trial", "trial", "judgment", "appeal", "restitution"})


class Recipient(StrEnum):
    victim = "victim"
    guardian = "guardian"
    coordinator = "coordinator"
    oncall = "oncall"


STAFF = frozenset({Recipient.coordinator, Recipient.oncall})


class Channel(StrEnum):
    sms = "sms"
    email = "email"
    worklist = "worklist"  # a call / visit task on a person's worklist
    # letter: waits for the documents area (PDF); a victim whose only safe channel is a letter
    # gets a call / visit task until then.


# Most reliable first: an SMS reaches a basic phone without data; email is the fallback.
DIGITAL = (Channel.sms, Channel.email)


class Status(StrEnum):
    queued = "queued"
    sending = "sending"  # claimed by a relay under a lease
    sent = "sent"
    dead = "dead"  # failed for good: on the dead-letter list and a person's worklist
    cancelled = "cancelled"  # acknowledged before it went out (repeats, other channels)


def custody_notice(previous: Custody, custody: Custody, order: Order = Order.in_order) -> tuple[NoticeKind, bool] | None:
    """The notice a custody change makes, and whether it is urgent (R-53), or None.

    Bail and acquittal free the accused as surely as release does, so they alert as urgently; a
    change between two free states or two held states changes nothing for the victim's safety.
    When the order of events is not certain, a freeing event always alerts (see `frees`), and a
    held one tells the victim nothing: "held again" may no longer be true."""
    if frees(previous, custody, order):
        return (NoticeKind.accused_escaped if custody is Custody.escaped else NoticeKind.accused_released), True
    held = (Custody.arrested, Custody.detained, Custody.convicted)
    if order is Order.in_order and custody in held and previous in FREE_AGAIN:
        return NoticeKind.accused_held, False
    return None


def case_event_notice(kind: str, params: dict) -> NoticeKind | None:
    """The notice a case event (witness.services.events.KINDS) makes, or None."""
    if kind == "stage_changed" and params.get("to_stage") not in NOTIFIED_STAGES:
        return None
    try:
        return NoticeKind(kind)
    except ValueError:
        return None


def channels_for(safe_channels: tuple[str, ...], addresses: set[str], urgent: bool) -> list[Channel]:
    """Digital channels to use: only those the victim marked safe (DNH-09) and that have an address.

    An urgent alert goes out on every such channel (one may be down); other notices on the first.
    An empty list means a call / visit task on the coordinator's worklist."""
    usable = [c for c in DIGITAL if c.value in safe_channels and c.value in addresses]
    return usable if urgent else usable[:1]


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter for temporary failures.

    The delay before try n+1 lies between half and all of min(cap, base * 2**(n-1)) ("equal
    jitter"): many notices failing at once (a gateway outage) spread out instead of returning
    together, yet none comes back sooner than half its step."""

    base: timedelta
    cap: timedelta
    max_attempts: int

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        step = min(self.cap, self.base * (2 ** max(0, attempt - 1)))
        return step / 2 + (step / 2) * rng.random()


# Urgent alerts retry often enough to have several tries inside the 15-minute deadline.
URGENT_BACKOFF = Backoff(timedelta(seconds=15), timedelta(minutes=2), max_attempts=30)
NORMAL_BACKOFF = Backoff(timedelta(minutes=1), timedelta(hours=1), max_attempts=10)


def backoff_for(urgent: bool) -> Backoff:
    return URGENT_BACKOFF if urgent else NORMAL_BACKOFF


# Unacknowledged urgent alerts repeat every 30 minutes for 24 hours (VINE's practice, R-53).
REPEAT_EVERY = timedelta(minutes=30)
REPEAT_FOR = timedelta(hours=24)


def repeat_number(first_at: datetime, now: datetime) -> int | None:
    """Which repeat is due at `now` (1 = 30 minutes after the first), or None."""
    if now < first_at + REPEAT_EVERY or now - first_at > REPEAT_FOR:
        return None
    return int((now - first_at) / REPEAT_EVERY)


def escalation_level_due(first_at: datetime, now: datetime, deadline_minutes: int) -> int:
    """0 before the deadline; 1 (the coordinator) once it passed; 2 (the on-call list) once a
    second deadline passed with the victim still not reached."""
    waited = now - first_at
    deadline = timedelta(minutes=deadline_minutes)
    return 2 if waited >= 2 * deadline else 1 if waited >= deadline else 0


# Acknowledgement codes: short enough to type back under stress, from the pseudonym alphabet (no
# 0/O, 1/I/L, U) so they survive being read aloud on the phone.
ACK_CODE_LENGTH = 6


def new_ack_code(rng: secrets.SystemRandom | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(ACK_CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """What a person typed back, as a code, or None if it cannot be one."""
    code = re.sub(r"[\s\-._]", "", text or "").upper()
    if len(code) != ACK_CODE_LENGTH or any(ch not in PSEUDONYM_ALPHABET for ch in code):
        return None
    return code


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def leaks(text: str, secrets_: list[str | None]) -> bool:
    """R-55 content check: does the text contain any of these identifying values (legal name,
    aliases, address, phone, email)? Compared whole, ignoring case and spacing: a part such as a
    first name alone would also match ordinary words, and a false alarm would hold back an alert."""
    hay = _norm(text)
    return any(len(_norm(s)) >= 3 and _norm(s) in hay for s in secrets_ if s)


LANGUAGES = ("en", "id", "th", "km", "lo", "my", "vi", "fil", "ms")
_ALIASES = {"tl": "fil", "tgl": "fil", "fil": "fil", "in": "id", "ind": "id", "zsm": "ms", "msa": "ms", "may": "ms",
            "bur": "my", "mya": "my", "tha": "th", "khm": "km", "lao": "lo", "vie": "vi", "eng": "en"}


def language_of(code: str | None) -> str:
    """A case's preferred language (BCP 47) as the name of a template folder."""
    primary = (code or "en").split("-")[0].split("_")[0].lower()
    return _ALIASES.get(primary, primary)
