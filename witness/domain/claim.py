"""Restitution and compensation claims (R-90…R-94), pure.

A claim is built item by item (intangible harm is a category of its own: the Guide's Indonesian
challenge is a judge who counted only receipts), filed, perhaps demanded by the prosecutor,
awarded by the court with a payment schedule, and paid — or it ends another way. The claim keeps
the amount of every stage (calculated, demanded, awarded, paid) so the shortfall between stages is
visible for one claim and across a caseload.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import StringConstraints

from witness.domain.fields import CalendarDate, label, problem, text
from witness.domain.money import MAX_DIGITS, Currency, Money, total
from witness.domain.victim import PSEUDONYM_ALPHABET
from witness.errors import IllegalTransition, InputProblems

# How long before a post-judgment filing deadline the lawyer is told: time to gather receipts,
# write the rationale for intangible harm and get the protection agency's calculation.
DEADLINE_WARNING_DAYS = 14
# Days after the court's order with no payment at all before the lawyer is asked to act
# (enforcement, substitution, state fund). A profile may set `restitution.no_payment_follow_up_days`.
NO_PAYMENT_FOLLOW_UP_DAYS = 30


def new_claim_id(rng: secrets.SystemRandom | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return "CL-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(8))


ClaimId = Annotated[str, StringConstraints(max_length=11, pattern=r"^CL-[0-9A-Z]{8}$")]

# --- what a lawyer types -------------------------------------------------------------------------
# Free text is kept encrypted and shown back on the terminal, in a PDF and in --json: each kind has
# a length limit and refuses control characters (witness.domain.fields). The rationale for
# intangible harm is the longest thing a judge reads from a claim.
Note = text(5000)
Reason = text(2000)
EvidenceRef = label(200)  # "RS receipts 1-4", a file or exhibit number
PaymentReference = label(120)  # a bank transfer, court or receipt reference
Payer = label(200)  # the convicted person, a company, a state fund
# Twenty years of monthly instalments; a longer schedule is a typing mistake, not a court order.
MAX_INSTALMENTS = 240
# Days on the proceedings (hearings, interviews, travel) for lost earnings: ten years of days.
MAX_DAYS = 3660
_ISO_CODE = re.compile(r"[A-Z]{3}", re.ASCII)


def date_given(value: Any, field: str) -> date | None:
    """A date as typed on the command line or in a form: YYYY-MM-DD only, between 1900 and 2199.
    `date.fromisoformat` alone also reads 20260115 and 2026-W03-4, so a date typed without its
    dashes or in week notation would be kept as some other day than the lawyer meant."""
    if value is None:
        return None
    why = problem(CalendarDate, value)
    if why:
        raise InputProblems([(field, why)])
    return value if isinstance(value, date) else date.fromisoformat(value.strip())


def text_given(value: str | None, kind: Any, field: str) -> str | None:
    """Free text stripped, None when empty; refused naming the field (never the text, which may be
    personal) when it is too long for its kind or carries control characters."""
    value = (value or "").strip()
    if not value:
        return None
    why = problem(kind, value)
    if why:
        raise InputProblems([(field, why)])
    return value


def _keepable(amount: Money, field: str) -> Money:
    # A computed amount, like a typed one, must fit the store's integer of minor units.
    if amount.amount.adjusted() >= MAX_DIGITS:
        raise InputProblems([(field, f"the computed amount is larger than any claim this system keeps "
                                     f"(10^{MAX_DIGITS}); check the rate and the period")])
    return amount


class Category(StrEnum):
    """Listed with the intangible harm first, as the claim builder shows them."""

    emotional_suffering = "emotional_suffering"
    lost_earnings = "lost_earnings"
    unpaid_wages = "unpaid_wages"
    medical_costs = "medical_costs"
    psychological_treatment = "psychological_treatment"
    transport_relocation = "transport_relocation"
    lost_property = "lost_property"
    other = "other"


LABELS = {
    Category.emotional_suffering: "emotional and psychological suffering",
    Category.lost_earnings: "earnings lost during the proceedings",
    Category.unpaid_wages: "unpaid wages",
    Category.medical_costs: "medical costs",
    Category.psychological_treatment: "psychological treatment",
    Category.transport_relocation: "transport and relocation",
    Category.lost_property: "lost property",
    Category.other: "other losses",
}
# Harm with no receipt behind it. A judge may ask for the reasoning behind the amount; a claim with
# such an item cannot be filed without a note giving it (Guide: Criminal Justice §6, challenge).
INTANGIBLE = frozenset({Category.emotional_suffering})


def parse_category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise InputProblems([("category", f"use one of {', '.join(c.value for c in Category)}")]) from None


class Status(StrEnum):
    drafting = "drafting"
    filed = "filed"
    awarded = "awarded"
    partially_paid = "partially_paid"
    paid = "paid"
    unenforced = "unenforced"
    substituted_by_imprisonment = "substituted_by_imprisonment"
    state_fund_claimed = "state_fund_claimed"
    # Two endings the spec's list leaves out but a case needs, or it could never close: the victim
    # decided not to pursue the claim, or the court awarded nothing.
    withdrawn = "withdrawn"
    rejected = "rejected"


S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.drafting: frozenset({S.filed, S.withdrawn}),
    S.filed: frozenset({S.awarded, S.rejected, S.state_fund_claimed, S.withdrawn}),
    S.awarded: frozenset({S.partially_paid, S.paid, S.unenforced, S.substituted_by_imprisonment, S.state_fund_claimed}),
    S.partially_paid: frozenset({S.paid, S.unenforced, S.substituted_by_imprisonment, S.state_fund_claimed}),
    # The state fund is the last resort after the offender did not pay (Thailand's and Brunei's funds).
    S.unenforced: frozenset({S.paid, S.state_fund_claimed}),
    S.substituted_by_imprisonment: frozenset({S.state_fund_claimed}),
    S.state_fund_claimed: frozenset({S.paid}),
    S.paid: frozenset(),
    S.withdrawn: frozenset(),
    S.rejected: frozenset({S.state_fund_claimed}),
}
# A claim in one of these no longer holds the case open (R-92, the Guide's LPSK practice).
RESOLVED = frozenset({S.paid, S.unenforced, S.substituted_by_imprisonment, S.state_fund_claimed, S.withdrawn,
                      S.rejected})
UNRESOLVED = frozenset(set(Status) - RESOLVED)
# Endings a person records with a reason (`witness claim resolve`); paid comes from payments.
RESOLUTIONS = frozenset({S.unenforced, S.substituted_by_imprisonment, S.state_fund_claimed, S.withdrawn, S.rejected})
# Payments can arrive in these (late payment after non-enforcement; the fund paying).
PAYABLE = frozenset({S.awarded, S.partially_paid, S.unenforced, S.state_fund_claimed})
# Instalments are chased while the award is being enforced; after an ending is recorded the
# lawyer has already acted, so nothing more is flagged overdue.
ENFORCING = frozenset({S.awarded, S.partially_paid})


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InputProblems([("status", f"use one of {', '.join(s.value for s in Status)}")]) from None


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(t.value for t in TRANSITIONS[current])) or "none: the claim is closed"
        raise IllegalTransition(f"status: a {current.value} claim cannot become {target.value}; allowed: {allowed}")


# --- computations that show their working -------------------------------------------------------


class RatePer(StrEnum):
    day = "day"
    week = "week"
    month = "month"


@dataclass(frozen=True)
class Computation:
    amount: Money
    working: tuple[str, ...]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (date(year + (month // 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def unpaid_wages(start: date, end: date, rate: Money, per: RatePer, already_paid: Money | None = None) -> Computation:
    """Wages owed for the days from `start` to `end` (both included) at the agreed rate, less what was paid.

    A month is counted from the start date to the same date of the next month; days left over are
    a share of the next such month (its real length), rounded half up to the minor unit."""
    problems = []
    if end < start:
        problems.append(("to", "is before the start of the period"))
    if already_paid is not None and already_paid.currency != rate.currency:
        problems.append(("less_paid", f"is in {already_paid.currency.code}; the rate is in {rate.currency.code}"))
    if problems:
        raise InputProblems(problems)
    days = (end - start).days + 1
    lines = [f"Period {start.isoformat()} to {end.isoformat()}, both days included: {days} days."]
    if per is RatePer.day:
        gross = rate.times(days)
        lines.append(f"{days} days x {rate} a day = {gross}.")
    elif per is RatePer.week:
        gross = rate.times(days, 7)
        lines.append(f"{days} days = {days}/7 weeks; {rate} x {days} / 7 = {gross} (rounded half up to the minor unit).")
    else:
        months = 0
        while _add_months(start, months + 1) - timedelta(days=1) <= end:
            months += 1
        rest_from = _add_months(start, months)
        rest = (end - rest_from).days + 1
        gross = rate.times(months)
        lines.append(f"{months} whole month(s) from {start.isoformat()}: {months} x {rate} = {gross}.")
        if rest > 0:
            length = (_add_months(start, months + 1) - rest_from).days
            part = rate.times(rest, length)
            lines.append(f"Then {rest} day(s) of the month from {rest_from.isoformat()} ({length} days): "
                         f"{rate} x {rest} / {length} = {part} (rounded half up to the minor unit).")
            gross = gross + part
        lines.append(f"Wages due for the period: {gross}.")
    net = gross
    if already_paid is not None and not already_paid.is_zero():
        if already_paid > gross:
            raise InputProblems([("less_paid", f"{already_paid} is more than the wages due for the period ({gross})")])
        net = gross - already_paid
        lines.append(f"Less wages actually paid: {already_paid}.")
    lines.append(f"Unpaid wages: {net}.")
    return Computation(_keepable(net, "rate"), tuple(lines))


def lost_earnings(days: int, daily_rate: Money) -> Computation:
    """Earnings lost on the days the victim spent on the proceedings (hearings, interviews, travel):
    the loss the Guide's Indonesian judge left out."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise InputProblems([("days", "give a whole number of days")])
    if days <= 0:
        raise InputProblems([("days", "must be at least 1")])
    if days > MAX_DAYS:
        raise InputProblems([("days", f"must be at most {MAX_DAYS} (ten years of days)")])
    amount = _keepable(daily_rate.times(days), "daily_rate")
    return Computation(amount, (f"{days} day(s) spent on the proceedings x {daily_rate} a day = {amount}.",))


# --- the claim ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    category: Category
    amount: Money
    evidence: str | None = None
    note: str | None = None
    working: tuple[str, ...] = ()

    @property
    def intangible(self) -> bool:
        return self.category in INTANGIBLE


@dataclass(frozen=True)
class Instalment:
    due_on: date
    amount: Money


@dataclass(frozen=True)
class Payment:
    paid_on: date
    amount: Money
    reference: str | None = None


@dataclass(frozen=True)
class Award:
    amount: Money
    order_date: date
    payer: str | None
    schedule: tuple[Instalment, ...]


def make_award(amount: Money, order_date: date, payer: str | None, schedule: list[Instalment], today: date) -> Award:
    """The court's order, with the schedule it set. Every problem at once."""
    problems = []
    if order_date > today:
        problems.append(("order_date", "is in the future"))
    if not schedule:
        problems.append(("schedule", "say when the award is due: one date for the whole amount, or the instalments"))
    if len(schedule) > MAX_INSTALMENTS:
        problems.append(("schedule", f"at most {MAX_INSTALMENTS} instalments"))
    dates = [i.due_on for i in schedule]
    if any(b <= a for a, b in zip(dates, dates[1:])):
        problems.append(("schedule", "instalment dates must be in order, one instalment per date"))
    if any(d < order_date for d in dates):
        problems.append(("schedule", "an instalment falls before the order date"))
    if schedule:
        scheduled = total((i.amount for i in schedule), amount.currency)
        if scheduled != amount:
            problems.append(("schedule", f"instalments add up to {scheduled}, the award is {amount}; "
                                         f"the difference is {amount - scheduled}"))
    if problems:
        raise InputProblems(problems)
    return Award(amount, order_date, payer, tuple(schedule))


def overdue_minor(schedule: list[tuple[date, int]], paid: int, today: date) -> list[tuple[int, date, int]]:
    """(instalment number, due date, unpaid part) for each instalment due before `today` and not
    covered by what was paid. Payments go to the earliest instalment first; a due date is a full
    day to pay, so an instalment is overdue from the next day. Works on integer minor units so the
    caseload reports and one claim's status share this one rule."""
    out, cumulative = [], 0
    for n, (due_on, amount) in enumerate(schedule, start=1):
        cumulative += amount
        if due_on < today and cumulative > paid:
            out.append((n, due_on, min(amount, cumulative - paid)))
    return out


def next_due_minor(schedule: list[tuple[date, int]], paid: int, today: date) -> tuple[date, int] | None:
    """(due date, unpaid part) of the first instalment due today or later and not covered by what
    was paid, or None. The same rule as `overdue_minor`: payments cover the earliest instalments
    first, so an overdue instalment takes what is left and the next one is owed in full."""
    cumulative = 0
    for due_on, amount in schedule:
        cumulative += amount
        if due_on >= today and cumulative > paid:
            return due_on, min(amount, cumulative - paid)
    return None


@dataclass(frozen=True)
class Claim:
    id: str
    case_id: str
    jurisdiction: str
    currency: Currency
    status: Status
    lawyer: str
    items: tuple[Item, ...] = ()
    demanded: Money | None = None
    award: Award | None = None
    payments: tuple[Payment, ...] = ()
    judgment_date: date | None = None
    filed_on: date | None = None

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED

    @property
    def calculated(self) -> Money:
        return total((i.amount for i in self.items), self.currency)

    @property
    def intangible(self) -> Money:
        return total((i.amount for i in self.items if i.intangible), self.currency)

    @property
    def paid(self) -> Money:
        return total((p.amount for p in self.payments), self.currency)

    @property
    def awarded(self) -> Money | None:
        if self.status is Status.rejected:
            return Money.zero(self.currency)
        return self.award.amount if self.award else None

    @property
    def balance(self) -> Money | None:
        return self.award.amount - self.paid if self.award else None

    def overdue(self, today: date) -> list[tuple[int, Instalment, Money]]:
        if self.award is None or self.status not in ENFORCING:
            return []
        sched = self.award.schedule
        return [(n, sched[n - 1], Money.from_minor(unpaid, self.currency))
                for n, _, unpaid in overdue_minor([(i.due_on, i.amount.minor) for i in sched], self.paid.minor, today)]

    def shortfalls(self) -> dict[str, Money | None]:
        """Between consecutive stages; None where a stage has not been reached."""
        c, d, a = self.calculated, self.demanded, self.awarded
        return {
            "calculated_to_demanded": c - d if d is not None else None,
            "demanded_to_awarded": d - a if d is not None and a is not None else None,
            "calculated_to_awarded": c - a if a is not None else None,
            "awarded_to_paid": a - self.paid if a is not None else None,
        }

    def filing_problems(self) -> list[tuple[str, str]]:
        problems = []
        if not self.items:
            problems.append(("items", "a claim needs at least one item before it is filed"))
        for n, i in enumerate(self.items, start=1):
            if i.intangible and not (i.note or "").strip():
                problems.append((f"items.{n}.note", f"{LABELS[i.category]}: write how the amount was reached; judges "
                                                    "ask for the rationale and dismiss intangible harm without one "
                                                    "(Guide: Criminal Justice §6, challenge)"))
        return problems

    def check_payment(self, currency_code: str) -> None:
        """Refusals that do not depend on the amount: no award yet, a closed claim, the wrong currency."""
        if self.award is None:
            raise IllegalTransition(f"status: {self.id} is {self.status.value} with no award; record the court's "
                                    "award before its payments")
        if self.status not in PAYABLE:
            raise IllegalTransition(f"status: {self.id} is {self.status.value}; payments are recorded on claims that are "
                                    f"{', '.join(sorted(s.value for s in PAYABLE))}")
        code = currency_code.strip().upper()
        if code and not _ISO_CODE.fullmatch(code):  # it is shown back in the refusal below
            raise InputProblems([("currency", f"write the three-letter ISO 4217 code, e.g. {self.currency.code}")])
        if code != self.currency.code:
            raise InputProblems([("currency", f"the award is in {self.currency.code}; a payment in "
                                              f"{currency_code.strip().upper() or '(none)'} is refused. Record what was "
                                              f"credited, in {self.currency.code}, and note the original currency")])

    def after_payment(self, amount: Money) -> Status:
        """The status once `amount` is paid; an overpayment is refused, never kept as a negative balance."""
        balance = self.balance
        if amount > balance:
            raise InputProblems([("amount", f"{amount} is more than the balance of {balance} on {self.id}: an "
                                            "overpayment is refused. Check the amount; if the payer really paid "
                                            "more, record the balance and keep the excess in the note")])
        if amount == balance:
            return Status.paid
        return Status.partially_paid if self.status is Status.awarded else self.status


def filing_deadline(judgment_date: date, days: int) -> date:
    return judgment_date + timedelta(days=days)


def local_day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


# --- what the claim builder tells the lawyer ----------------------------------------------------


@dataclass(frozen=True)
class Basis:
    statutory: bool
    statement: str
    covers: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    state_fund: str | None = None
    post_judgment_deadline_days: int | None = None


def basis_of(profile) -> Basis:
    """The legal basis from the jurisdiction profile (R-93): where there is none, say so plainly and
    point to the alternatives instead of pretending."""
    r = profile.restitution
    fund = f"{r.state_fund.name} ({r.state_fund.basis})" if r.state_fund else None
    if r.statutory:
        statement = f"Legal basis in {profile.name}: {r.legal_basis}."
    else:
        statement = (f"{profile.name} has no statutory restitution or compensation for victims of trafficking "
                     f"({r.legal_basis}). This claim records what the victim lost; it is not a statutory claim. "
                     "Pursue it through one of the alternatives below, with legal advice.")
    return Basis(r.statutory, statement, tuple(r.covers), tuple(r.alternatives), fund, r.post_judgment_deadline_days)


@dataclass(frozen=True)
class Situation:
    """Facts about the victim that change the advice (no identity)."""

    child: bool = False
    foreign: bool = False
    stay_note: bool = False


def advice(claim: Claim, basis: Basis, situation: Situation = Situation(), today: date | None = None) -> list[str]:
    out = []
    present = {i.category for i in claim.items}
    if claim.status is Status.drafting:
        if Category.emotional_suffering not in present:
            out.append("No item for emotional and psychological suffering. Judges who count only receipts "
                       "under-compensate; claim it with the reasoning behind the amount (Guide: Criminal Justice §6).")
        if Category.lost_earnings not in present:
            out.append("No item for earnings lost during the proceedings (days at hearings, interviews, travel).")
        out.append("Consider filing for both civil and criminal compensation, in consultation with the victim; do not "
                   "over-promise what the proceedings will bring (Guide: Criminal Justice §6).")
    if not basis.statutory and basis.alternatives:
        out.append("No statutory basis: see the alternatives listed with the basis.")
    if basis.post_judgment_deadline_days and claim.status is Status.drafting:
        if claim.judgment_date is None:
            out.append(f"A post-judgment application must be filed within {basis.post_judgment_deadline_days} days of "
                       "the judgment: record the judgment date when it is known so the deadline is followed up.")
        else:
            out.append(f"File by {filing_deadline(claim.judgment_date, basis.post_judgment_deadline_days).isoformat()} "
                       f"({basis.post_judgment_deadline_days} days after the judgment of {claim.judgment_date.isoformat()}).")
    if situation.child:
        out.append("The victim is (presumed) a child: the guardian recorded on the case acts for the child in this "
                   "claim and receives every notice of it (R-15).")
    if situation.foreign and not claim.resolved and not situation.stay_note:
        out.append("The victim is not a citizen: they should be able to remain, and work, until the claim is resolved. "
                   "Record the stay-until-resolved note (Guide: Criminal Justice §6; rule DNH-11-foreign-stay).")
    if basis.state_fund and claim.status in (Status.unenforced, Status.substituted_by_imprisonment, Status.rejected):
        out.append(f"The award was not paid by the offender: the state fund may pay — {basis.state_fund}.")
    if today is not None and claim.overdue(today):
        out.append("Instalments are overdue: ask the prosecutor about enforcement, and tell the victim what it means.")
    return out


# --- a caseload's shortfall ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimFigures:
    """One claim's stage amounts in integer minor units, as the report reads them from the store."""

    jurisdiction: str
    currency: str
    minor_units: int
    status: Status
    calculated: int
    demanded: int | None
    awarded: int | None
    paid: int
    overdue: int = 0


@dataclass
class ShortfallRow:
    """Stage totals and the shortfall between stages for one jurisdiction (one currency).

    Totals add every claim that reached the stage (as the LPSK reports them). Each shortfall compares
    like with like: only claims that reached the later stage, so a claim still waiting for its
    hearing is not counted as lost. A rejected claim counts as awarded nothing. Withdrawn claims
    are counted but their amounts are left out."""

    jurisdiction: str
    currency: Currency
    claims: int = 0
    withdrawn: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    calculated: int = 0
    demanded: int = 0
    awarded: int = 0
    paid: int = 0
    calculated_to_demanded: int = 0
    demanded_to_awarded: int = 0
    calculated_to_awarded: int = 0
    awarded_to_paid: int = 0
    overdue: int = 0
    claims_overdue: int = 0

    MONEY = ("calculated", "demanded", "awarded", "paid", "calculated_to_demanded", "demanded_to_awarded",
             "calculated_to_awarded", "awarded_to_paid", "overdue")

    def add(self, f: ClaimFigures) -> None:
        self.claims += 1
        self.by_status[f.status.value] = self.by_status.get(f.status.value, 0) + 1
        if f.status is Status.withdrawn:
            self.withdrawn += 1
            return
        awarded = 0 if f.status is Status.rejected else f.awarded
        self.calculated += f.calculated
        self.paid += f.paid
        if f.demanded is not None:
            self.demanded += f.demanded
            self.calculated_to_demanded += f.calculated - f.demanded
        if awarded is not None:
            self.awarded += awarded
            self.calculated_to_awarded += f.calculated - awarded
            self.awarded_to_paid += awarded - f.paid
            if f.demanded is not None:
                self.demanded_to_awarded += f.demanded - awarded
        if f.overdue:
            self.overdue += f.overdue
            self.claims_overdue += 1

    def money(self, name: str) -> Money:
        return Money.from_minor(getattr(self, name), self.currency)


def shortfall_report(figures) -> list[ShortfallRow]:
    """One row per (jurisdiction, currency), in jurisdiction order. Amounts are never added across
    currencies: a claim keeps the currency (and minor units) it was created with."""
    rows: dict[tuple[str, str, int], ShortfallRow] = {}
    for f in figures:
        key = (f.jurisdiction, f.currency, f.minor_units)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ShortfallRow(f.jurisdiction, Currency(f.currency, f.minor_units))
        row.add(f)
    return [rows[k] for k in sorted(rows)]
