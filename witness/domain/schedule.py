"""The protection planner (R-62): hearings, what the court granted, resources -> a plan and its
conflicts, each with its reason. Pure and deterministic: the same inputs give the same plan (no
clock, no randomness, no iteration over unordered sets).

For every witness who appears it books what was granted: an escort team (padded with travel time
both ways, honouring the victim's gender preference), a video-link suite, a screen, a separate
waiting room, secure accommodation. It never books a weaker plan: when a need cannot be met
exactly, nothing is booked for it and a conflict says what and why (double booking, officer on
leave, one witness in two hearings, measure unavailable in the jurisdiction, gender preference
unmet, nothing free), for the coordinator's worklist.
"""
from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from witness.domain.hearing import TRAVELS, AppearanceMode
from witness.domain.measure import MeasureKind
from witness.domain.protection import BOOKABLE_ELIGIBILITY, CATALOGUE_ORDER, Eligibility, EligibilityResult
from witness.domain.resource import DAYS, MEASURE_RESOURCE, Hours, Leave, ResourceKind, SchedulingPolicy

GENDERS = frozenset({"female", "male", "non_binary"})


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime

    def overlaps(self, other: "Slot") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Resource:
    id: str
    kind: ResourceKind
    jurisdiction: str
    tz: str
    unit: str = ""
    gender: str | None = None
    trained: bool = False
    sites: tuple[str, ...] = ()
    capacity: int = 1
    hours: tuple[Hours, ...] = ()
    leave: tuple[Leave, ...] = ()
    active: bool = True

    def serves(self, site: str) -> bool:
        return not self.sites or site in self.sites


@dataclass(frozen=True)
class Witness:
    """One victim's appearance at one hearing, as the planner needs it. No identity: a pseudonym."""

    case_id: str
    mode: AppearanceMode
    travel_minutes: int
    granted: tuple[MeasureKind, ...] = ()
    eligibility: tuple[tuple[MeasureKind, EligibilityResult], ...] = ()
    gender_preference: str | None = None
    gender_override: bool = False  # a person overrode DNH-05 with a recorded reason
    pinned_escorts: tuple[str, ...] = ()  # officers asked for by name (the victim trusts them)
    previous: tuple[tuple[MeasureKind, str], ...] = ()  # kept when still free: plans stay stable
    blocked: str | None = None  # a Do No Harm rule stops this appearance: its finding


@dataclass(frozen=True)
class Hearing:
    id: str
    proceeding: str  # the docket, to name it in reasons
    jurisdiction: str
    tz: str
    site: str  # the court
    starts_at: datetime
    ends_at: datetime
    witnesses: tuple[Witness, ...] = ()


@dataclass(frozen=True)
class Busy:
    """A booking of another hearing that this plan must work around."""

    resource_id: str
    start: datetime
    end: datetime
    hearing_id: str
    proceeding: str
    case_id: str | None = None


@dataclass(frozen=True)
class Presence:
    """A witness's time at another hearing (travel included)."""

    case_id: str
    start: datetime
    end: datetime
    hearing_id: str
    proceeding: str


class ConflictKind(StrEnum):
    double_booking = "double_booking"
    officer_on_leave = "officer_on_leave"
    witness_double_booked = "witness_double_booked"
    measure_unavailable = "measure_unavailable"
    gender_preference_unmet = "gender_preference_unmet"
    no_resource_free = "no_resource_free"
    blocked_by_rule = "blocked_by_rule"


@dataclass(frozen=True)
class Booking:
    hearing_id: str
    case_id: str
    measure: MeasureKind
    resource_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    hearing_id: str
    case_id: str | None
    measure: MeasureKind | None
    reason: str
    other_hearing: str | None = None

    def line(self) -> str:
        who = f" {self.case_id}" if self.case_id else ""
        what = f" {self.measure.value}" if self.measure else ""
        return f"{self.hearing_id}{who}{what}: [{self.kind.value}] {self.reason}"


@dataclass(frozen=True)
class Arranged:
    """Granted and needing no booking: the court or the coordinator arranges it."""

    hearing_id: str
    case_id: str
    measure: MeasureKind
    note: str


@dataclass(frozen=True)
class Plan:
    bookings: tuple[Booking, ...]
    conflicts: tuple[Conflict, ...]
    arranged: tuple[Arranged, ...]

    def met(self, hearing_id: str, case_id: str, measure: MeasureKind) -> bool:
        return any(b.hearing_id == hearing_id and b.case_id == case_id and b.measure is measure for b in self.bookings) \
            or any(a.hearing_id == hearing_id and a.case_id == case_id and a.measure is measure for a in self.arranged)


# --- windows ---------------------------------------------------------------------------------

def resource_window(kind: ResourceKind, starts_at: datetime, ends_at: datetime, travel_minutes: int,
                    policy: SchedulingPolicy) -> Slot:
    if kind is ResourceKind.escort_officer:
        travel = timedelta(minutes=travel_minutes)
        return Slot(starts_at - travel - timedelta(minutes=policy.escort.arrival_minutes), ends_at + travel)
    if kind in (ResourceKind.video_suite, ResourceKind.screen):
        return Slot(starts_at - timedelta(minutes=policy.setup_minutes), ends_at)
    if kind is ResourceKind.waiting_room:
        return Slot(starts_at - timedelta(minutes=policy.escort.arrival_minutes), ends_at)
    return Slot(starts_at - timedelta(hours=policy.accommodation_hours_before),
                ends_at + timedelta(hours=policy.accommodation_hours_after))


def presence_window(mode: AppearanceMode, starts_at: datetime, ends_at: datetime, travel_minutes: int,
                    policy: SchedulingPolicy) -> Slot | None:
    """When the witness is taken up by this hearing, door to door; None if they do not attend."""
    if mode not in TRAVELS:
        return None
    return resource_window(ResourceKind.escort_officer, starts_at, ends_at, travel_minutes, policy)


def local_span(slot: Slot, tz: str) -> str:
    z = ZoneInfo(tz)
    a, b = slot.start.astimezone(z), slot.end.astimezone(z)
    end = b.strftime("%H:%M") if a.date() == b.date() else b.strftime("%Y-%m-%d %H:%M")
    return f"{a.strftime('%Y-%m-%d %H:%M')}–{end} ({tz})"


# --- the resources' calendars ----------------------------------------------------------------

@dataclass
class _Entry:
    start: datetime
    end: datetime
    hearing_id: str
    proceeding: str

    def __lt__(self, other: "_Entry") -> bool:
        return (self.start, self.end, self.hearing_id) < (other.start, other.end, other.hearing_id)


@dataclass(frozen=True)
class _Why:
    kind: str  # inactive | leave | off_duty | booked
    text: str
    hearing_id: str | None = None


@dataclass
class _Book:
    entries: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    longest: dict[str, timedelta] = field(default_factory=lambda: defaultdict(timedelta))
    load: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, rid: str, e: _Entry) -> None:
        insort(self.entries[rid], e)
        self.longest[rid] = max(self.longest[rid], e.end - e.start)
        self.load[rid] += 1

    def overlapping(self, rid: str, slot: Slot) -> list[_Entry]:
        rows = self.entries.get(rid)
        if not rows:
            return []
        i = bisect_left(rows, _Entry(slot.end, slot.end, "", ""))
        earliest = slot.start - self.longest[rid]
        out = []
        while i > 0:
            i -= 1
            e = rows[i]
            if e.start < earliest:
                break
            if e.end > slot.start and e.start < slot.end:
                out.append(e)
        return sorted(out)


class _Planner:
    def __init__(self, resources: list[Resource], policy: SchedulingPolicy, busy: list[Busy]):
        self.policy = policy
        self.by_id = {r.id: r for r in resources}
        self.pool: dict[tuple[ResourceKind, str], list[Resource]] = defaultdict(list)
        for r in sorted(resources, key=lambda r: r.id):
            self.pool[(r.kind, r.jurisdiction)].append(r)
        self.leave = {r.id: [(Slot(*_day_span(lv, r.tz)), lv) for lv in r.leave] for r in resources}
        self.book = _Book()
        self.bookings: list[Booking] = []
        self.conflicts: list[Conflict] = []
        self.arranged: list[Arranged] = []
        for b in sorted(busy, key=lambda b: (b.resource_id, b.start, b.end, b.hearing_id, b.case_id or "")):
            self._check_fixed(b)
            self.book.add(b.resource_id, _Entry(b.start, b.end, b.hearing_id, b.proceeding))

    # Bookings made earlier (outside this plan) that clash with each other: report, do not touch.
    def _check_fixed(self, b: Busy) -> None:
        r = self.by_id.get(b.resource_id)
        clash = self.book.overlapping(b.resource_id, Slot(b.start, b.end))
        if r is not None and len(clash) >= r.capacity:
            other = clash[0]
            self.conflicts.append(Conflict(
                ConflictKind.double_booking, b.hearing_id, b.case_id, None,
                f"{b.resource_id} is booked for this hearing ({b.proceeding}) and for hearing {other.hearing_id} "
                f"({other.proceeding}) at the same time", other.hearing_id))

    def why_not(self, r: Resource, slot: Slot, local: tuple[datetime, datetime]) -> _Why | None:
        if not r.active:
            return _Why("inactive", f"{r.id} is no longer listed")
        for span, lv in self.leave[r.id]:
            if span.overlaps(slot):
                return _Why("leave", f"{r.id} is on {lv.reason} {lv.from_.isoformat()}–{lv.to.isoformat()}")
        if r.hours and not _within_hours(r.hours, *local):
            return _Why("off_duty", f"{r.id} is off duty then ({_hours_text(r.hours)})")
        clash = self.book.overlapping(r.id, slot)
        if len(clash) >= r.capacity:
            c = clash[0]
            return _Why("booked", f"{r.id} is booked for hearing {c.hearing_id} ({c.proceeding}) "
                                  f"{local_span(Slot(c.start, c.end), r.tz)}", c.hearing_id)
        return None

    def take(self, h: Hearing, w: Witness, measure: MeasureKind, r: Resource, slot: Slot) -> None:
        self.book.add(r.id, _Entry(slot.start, slot.end, h.id, h.proceeding))
        self.bookings.append(Booking(h.id, w.case_id, measure, r.id, slot.start, slot.end))

    def candidates(self, kind: ResourceKind, h: Hearing, w: Witness, measure: MeasureKind) -> list[Resource]:
        before = {rid for m, rid in w.previous if m is measure}
        pool = [r for r in self.pool.get((kind, h.jurisdiction), []) if r.serves(h.site)]
        # Keep what was booked before when it is still free, then spread the load, then by id.
        return sorted(pool, key=lambda r: (r.id not in before, self.book.load[r.id], r.id))

    # --- one need ---------------------------------------------------------------------------

    def one(self, h: Hearing, w: Witness, measure: MeasureKind, kind: ResourceKind, slot: Slot) -> None:
        local = _local(slot, h.tz)
        reasons = []
        for r in self.candidates(kind, h, w, measure):
            why = self.why_not(r, slot, local)
            if why is None:
                self.take(h, w, measure, r, slot)
                return
            reasons.append(why)
        label = kind.value.replace("_", " ")
        detail = _reasons(reasons) if reasons else f"no {label} serves {h.site}"
        self.conflicts.append(Conflict(ConflictKind.no_resource_free, h.id, w.case_id, measure,
                                       f"no {label} free for {local_span(slot, h.tz)}: {detail}",
                                       _first_hearing(reasons)))

    def escort(self, h: Hearing, w: Witness, slot: Slot) -> None:
        m, need, pol = MeasureKind.escort, self.policy.escort.team_size, self.policy.escort
        local = _local(slot, h.tz)
        wish = w.gender_preference if w.gender_preference in GENDERS else None
        pref = None if w.gender_override else wish  # a hard rule unless a person overrode it with a reason
        span = local_span(slot, h.tz)
        team: list[Resource] = []
        for pid in w.pinned_escorts:
            r = self.by_id.get(pid)
            problem = None
            if r is None or r.kind is not ResourceKind.escort_officer:
                problem = (ConflictKind.no_resource_free, f"asked-for officer {pid} is not among the escort officers", None)
            elif not r.trained:
                problem = (ConflictKind.no_resource_free, f"asked-for officer {pid} is not trained for trafficking cases", None)
            elif pref and pol.same_gender_team and r.gender != pref:
                problem = (ConflictKind.gender_preference_unmet,
                           f"{w.case_id} asked for {pref} escorts and asked-for officer {pid} is not {pref}", None)
            else:
                why = self.why_not(r, slot, local)
                if why is not None:
                    kind = {"leave": ConflictKind.officer_on_leave, "booked": ConflictKind.double_booking}.get(
                        why.kind, ConflictKind.no_resource_free)
                    problem = (kind, f"asked-for officer {why.text}; needed {span}", why.hearing_id)
            if problem:
                self.conflicts.append(Conflict(problem[0], h.id, w.case_id, m,
                                               problem[1] + ". No other team is booked in its place.", problem[2]))
                return
            team.append(r)
        free, reasons = [], []
        for r in self.candidates(ResourceKind.escort_officer, h, w, m):
            if r in team or not r.trained:
                continue
            why = self.why_not(r, slot, local)
            (free.append(r) if why is None else reasons.append((r, why)))
        if pref:
            mine = [r for r in free if r.gender == pref]
            wanted = max(0, need - len(team)) if pol.same_gender_team else (0 if any(t.gender == pref for t in team) else 1)
            if len(mine) < wanted:
                blocked = [why for r, why in reasons if r.gender == pref]
                have = len([r for r in self.pool.get((ResourceKind.escort_officer, h.jurisdiction), [])
                            if r.serves(h.site) and r.trained and r.gender == pref])
                detail = _reasons(blocked) if blocked else f"no trained {pref} officer serves {h.site}"
                scope = "officers" if pol.same_gender_team else "officer"
                self.conflicts.append(Conflict(
                    ConflictKind.gender_preference_unmet, h.id, w.case_id, m,
                    f"{w.case_id} asked for {pref} escorts; hearing {h.id} ({h.proceeding}) needs {wanted} trained "
                    f"{pref} {scope} for {span} and {len(mine)} of {have} are free: {detail}. "
                    "No team is booked rather than one the victim did not ask for.", _first_hearing(blocked)))
                return
            team += mine[:wanted]
        # The rest of the team: the victim's preferred gender first, also when the rule was overridden
        # (the override allows others, it does not stop preferring what she asked for).
        rest = sorted((r for r in free if r not in team), key=lambda r: wish is not None and r.gender != wish)
        if len(team) + len(rest) < need:
            whys = [why for _, why in reasons]
            self.conflicts.append(Conflict(
                ConflictKind.no_resource_free, h.id, w.case_id, m,
                f"escort team of {need} needed for {span}; only {len(team) + len(rest)} trained officer(s) free: "
                f"{_reasons(whys) or 'no more serve ' + h.site}. No smaller team is booked.", _first_hearing(whys)))
            return
        team += rest[:max(0, need - len(team))]
        for r in sorted(team, key=lambda r: r.id):
            self.take(h, w, m, r, slot)


def plan(hearings: list[Hearing], resources: list[Resource], policy: SchedulingPolicy,
         busy: list[Busy] = (), presence: list[Presence] = ()) -> Plan:
    """Plan every granted measure of every witness of `hearings` (earliest first), around `busy`
    bookings of other hearings and the witnesses' `presence` at other hearings."""
    p = _Planner(list(resources), policy, list(busy))
    seen: dict[str, list[Presence]] = defaultdict(list)
    for pr in sorted(presence, key=lambda x: (x.case_id, x.start, x.hearing_id)):
        seen[pr.case_id].append(pr)
    for h in sorted(hearings, key=lambda h: (h.starts_at, h.id)):
        for w in sorted(h.witnesses, key=lambda w: w.case_id):
            _plan_witness(p, h, w, seen)
    bookings = sorted(p.bookings, key=lambda b: (b.start, b.hearing_id, b.case_id, CATALOGUE_ORDER[b.measure], b.resource_id))
    return Plan(tuple(bookings), tuple(p.conflicts), tuple(p.arranged))


def _plan_witness(p: _Planner, h: Hearing, w: Witness, seen: dict[str, list[Presence]]) -> None:
    if w.blocked:
        p.conflicts.append(Conflict(ConflictKind.blocked_by_rule, h.id, w.case_id, None, w.blocked))
        return
    here = presence_window(w.mode, h.starts_at, h.ends_at, w.travel_minutes, p.policy)
    if here is not None:
        for other in seen[w.case_id]:
            if Slot(other.start, other.end).overlaps(here):
                p.conflicts.append(Conflict(
                    ConflictKind.witness_double_booked, h.id, w.case_id, None,
                    f"{w.case_id} is due at hearing {other.hearing_id} ({other.proceeding}) "
                    f"{local_span(Slot(other.start, other.end), h.tz)} and at this one {local_span(here, h.tz)}, travel "
                    "included; one witness cannot be in two hearings. Nothing is booked for this one until the dates "
                    "are sorted out with the courts.", other.hearing_id))
                return
        seen[w.case_id].append(Presence(w.case_id, here.start, here.end, h.id, h.proceeding))
    elig = dict(w.eligibility)
    needed_by_mode = {AppearanceMode.video_link: MeasureKind.video_link,
                      AppearanceMode.recorded: MeasureKind.recorded_testimony}.get(w.mode)
    if needed_by_mode is not None and needed_by_mode not in w.granted:
        e = elig.get(needed_by_mode)
        if e is not None and e.status not in BOOKABLE_ELIGIBILITY:
            p.conflicts.append(Conflict(ConflictKind.measure_unavailable, h.id, w.case_id, needed_by_mode,
                                        f"appearance planned as {w.mode.value}, but {e.note}"))
    for m in sorted(set(w.granted), key=lambda k: CATALOGUE_ORDER[k]):
        e = elig.get(m)
        if e is not None and e.status is Eligibility.unavailable:
            p.conflicts.append(Conflict(ConflictKind.measure_unavailable, h.id, w.case_id, m, e.note))
            continue
        kind = MEASURE_RESOURCE.get(m)
        if kind is None:
            p.arranged.append(Arranged(h.id, w.case_id, m, "arranged with the court or by the coordinator"))
            continue
        if kind is ResourceKind.escort_officer and w.mode not in TRAVELS:
            p.arranged.append(Arranged(h.id, w.case_id, m, "no travel: the witness does not attend"))
            continue
        slot = resource_window(kind, h.starts_at, h.ends_at, w.travel_minutes, p.policy)
        if kind is ResourceKind.escort_officer:
            p.escort(h, w, slot)
        else:
            p.one(h, w, m, kind, slot)


# --- helpers ---------------------------------------------------------------------------------

def _day_span(lv: Leave, tz: str) -> tuple[datetime, datetime]:
    z = ZoneInfo(tz)
    return (datetime.combine(lv.from_, time(0), z), datetime.combine(lv.to + timedelta(days=1), time(0), z))


def _local(slot: Slot, tz: str) -> tuple[datetime, datetime]:
    z = ZoneInfo(tz)
    return slot.start.astimezone(z), slot.end.astimezone(z)


def _within_hours(hours: tuple[Hours, ...], start: datetime, end: datetime) -> bool:
    if start.date() != end.date() and not (end.time() == time(0) and end - start <= timedelta(days=1)):
        return False
    day = DAYS[start.weekday()]
    last = time(23, 59, 59) if end.time() == time(0) and end.date() != start.date() else end.time()
    return any(day in h.days and h.from_ <= start.time() and last <= h.to for h in hours)


def _hours_text(hours: tuple[Hours, ...]) -> str:
    return "; ".join(f"{','.join(h.days)} {h.from_.strftime('%H:%M')}-{h.to.strftime('%H:%M')}" for h in hours)


def _reasons(whys: list[_Why], limit: int = 6) -> str:
    texts = [w.text for w in whys[:limit]]
    if len(whys) > limit:
        texts.append(f"and {len(whys) - limit} more")
    return "; ".join(texts)


def _first_hearing(whys: list[_Why]) -> str | None:
    return next((w.hearing_id for w in whys if w.hearing_id), None)
