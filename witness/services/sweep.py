"""The follow-up sweep: set-based and idempotent (R-102).

Each follow-up is a pair: a query that selects what is due (and not already handled), and a
chunk processor that handles a few hundred cases in one transaction. Each is registered in
witness/wiring.py. Running the sweep twice at the same instant changes nothing the second
time, because every selection excludes what a previous run already produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.exc import OperationalError

from witness import wiring
from witness.domain.access import Actor, Role
from witness.services.access import need_to_know
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.reflection import VictimDecision
from witness.domain.stage import Stage
from witness.domain.events import StageChanged
from witness.services.events import publish
from witness.store.unit_of_work import translate_lock
from witness.services.worklist import add_items, item
from witness.store.tables import cases, stage_history, worklist

SYSTEM = Actor("sweep", Role.system)
CHUNK = 500


def _not_yet(kind: str):
    # The worklist item for this occasion (case, kind, due instant) does not exist yet.
    return ~exists().where(worklist.c.case_id == cases.c.id, worklist.c.kind == kind,
                           worklist.c.due_at == cases.c.reflection_ends_at)


def _select_ending(conn, now: datetime, profiles) -> list[str]:
    windows = [and_(cases.c.jurisdiction == code, cases.c.reflection_ends_at <= now + timedelta(days=p.reflection.ending_soon_days))
               for code, p in profiles.items()]
    q = (select(cases.c.id).where(cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_(None),
                                  cases.c.reflection_ends_at > now, or_(*windows), _not_yet("reflection_ending"))
         .order_by(cases.c.reflection_ends_at, cases.c.id))
    return list(conn.execute(q).scalars())


def _select_ended(conn, now: datetime, profiles) -> list[str]:
    q = (select(cases.c.id).where(cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_(None),
                                  cases.c.reflection_ends_at <= now, _not_yet("reflection_ended"))
         .order_by(cases.c.reflection_ends_at, cases.c.id))
    return list(conn.execute(q).scalars())


def _select_decided(conn, now: datetime, profiles) -> list[str]:
    q = (select(cases.c.id).where(cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_not(None),
                                  cases.c.decided_at <= now).order_by(cases.c.decided_at, cases.c.id))
    return list(conn.execute(q).scalars())


def _rows(uow, ids):
    return uow.conn.execute(select(cases.c.id, cases.c.jurisdiction, cases.c.coordinator, cases.c.reflection_ends_at,
                                   cases.c.reflection_max_ends_at, cases.c.decision, cases.c.decided_at)
                            .where(cases.c.id.in_(ids))).all()


@ungated("adds worklist items only")
def _process_ending(uow, ids, profiles) -> int:
    now = uow.now
    items = []
    for r in _rows(uow, ids):
        day = r.reflection_ends_at.astimezone(profiles[r.jurisdiction].tz).date().isoformat()
        items.append(item(f"{r.id}:reflection_ending:{r.reflection_ends_at.isoformat()}", r.id, "reflection_ending",
                          r.coordinator, r.reflection_ends_at, now,
                          f"{r.id}: reflection period ends {day}. Check in on recovery and options without pressing "
                          "for a decision; extend if more time is needed (Guide: Recovery §1, 'be flexible')."))
    return add_items(uow.conn, items)


@ungated("adds worklist items only")
def _process_ended(uow, ids, profiles) -> int:
    now = uow.now
    items = []
    for r in _rows(uow, ids):
        tz = profiles[r.jurisdiction].tz
        items.append(item(f"{r.id}:reflection_ended:{r.reflection_ends_at.isoformat()}", r.id, "reflection_ended",
                          r.coordinator, r.reflection_ends_at, now,
                          f"{r.id}: reflection period ended {r.reflection_ends_at.astimezone(tz).date().isoformat()} "
                          "with no decision recorded. No interview or testimony without consent; do not pressure. "
                          f"The period can be extended up to {r.reflection_max_ends_at.astimezone(tz).date().isoformat()}. "
                          "Support continues whatever the victim decides (R-23)."))
    return add_items(uow.conn, items)


@gated(ActionKind.stage_change)
def _process_decided(uow, ids, profiles) -> int:
    """Move cases whose victim has decided; the conditional UPDATE makes a re-run a no-op.

    Each move passes the Do No Harm gate first (R-33). No person is making it, so nothing is
    overridden: a move a rule would stop stays undone and goes on the coordinator's worklist."""
    from witness.services.guardrails import automatic

    conn, now = uow.conn, uow.now
    moved = 0
    targets = {VictimDecision.cooperate.value: Stage.decision, VictimDecision.not_cooperate.value: Stage.withdrawn}
    rows = conn.execute(select(cases.c.id, cases.c.coordinator, cases.c.decision, cases.c.decided_at)
                        .where(cases.c.id.in_(ids), cases.c.stage == Stage.reflection.value,
                               cases.c.decision.in_(tuple(targets))).order_by(cases.c.id)).all()
    allowed, stopped = set(), 0
    for r in rows:
        target = targets[r.decision]
        verdict = automatic(uow, ActionKind.stage_change, r.id, r.coordinator, f"{target.value}:{r.decided_at.isoformat()}",
                            f"moving the case to {target.value} after the victim's decision ({r.decision})",
                            target=target.value)
        if verdict.go:
            allowed.add(r.id)
        stopped += verdict.listed
    for decision, target in ((VictimDecision.cooperate, Stage.decision), (VictimDecision.not_cooperate, Stage.withdrawn)):
        done = list(conn.execute(update(cases).where(cases.c.id.in_(sorted(allowed)), cases.c.stage == Stage.reflection.value,
                                                     cases.c.decision == decision.value)
                                 .values(stage=target.value, updated_at=now).returning(cases.c.id, cases.c.coordinator)))
        if not done:
            continue
        reason = f"victim's recorded decision: {decision.value}"
        conn.execute(insert(stage_history), [
            dict(case_id=r.id, from_stage=Stage.reflection.value, to_stage=target.value, at=now, actor=SYSTEM.user,
                 role=SYSTEM.role.value, reason=uow.cipher.encrypt("stage_history", "reason", r.id, reason))
            for r in done])
        next_step = ("plan the next step with the victim; interviews need consent to interview"
                     if target is Stage.decision else
                     "the victim does not wish to take part; keep every support service going (R-23)")
        publish(uow, StageChanged(case_ids=[r.id for r in done], from_stage=Stage.reflection.value, to_stage=target.value))
        add_items(conn, [item(f"{r.id}:decided:{now.isoformat()}", r.id, "victim_decided", r.coordinator, now, now,
                              f"{r.id}: {reason}; moved to {target.value}: {next_step}.") for r in done])
        moved += len(done)
    return moved + stopped


@dataclass(frozen=True)
class FollowUp:
    name: str
    select: Callable
    process: Callable


REFLECTION_DECIDED = FollowUp("reflection_decided", _select_decided, _process_decided)
REFLECTION_ENDED = FollowUp("reflection_ended", _select_ended, _process_ended)
REFLECTION_ENDING = FollowUp("reflection_ending", _select_ending, _process_ending)


def all_follow_ups() -> list[FollowUp]:
    """Every follow-up registered in witness/wiring.py (reflection above, risk reviews, claim
    deadlines, hearings...), in the order the sweep runs them."""
    return list(wiring.follow_ups())


def select_due(app, now: datetime) -> dict[str, list[str]]:
    try:
        with app.engine.connect() as conn:
            return {f.name: f.select(conn, now, app.profiles) for f in all_follow_ups()}
    except OperationalError as exc:
        raise translate_lock(exc) from None


def process_chunk(app, name: str, ids: list[str], now: datetime, actor: Actor = SYSTEM) -> int:
    """One chunk, one transaction, one audit row (only when something changed)."""
    with app.uow(actor, now) as uow:
        n = {f.name: f for f in all_follow_ups()}[name].process(uow, ids, app.profiles)
        if n:
            uow.audit(f"sweep.{name}", f"{n} of {len(ids)} cases", f"follow-up as of {now.isoformat()}")
        uow.commit()
    return n


def chunks(ids: list[str], size: int = CHUNK) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


@dataclass
class SweepReport:
    now: datetime
    selected: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)


@ungated("each follow-up declares itself: a change to a case passes `automatic`, the rest add worklist items")
def run(app, actor: Actor, now: datetime, chunk_size: int = CHUNK) -> SweepReport:
    """The whole sweep in this process: what `witness sweep` and the flow both do."""
    need_to_know(app, actor, "sweep.run")
    report = SweepReport(now)
    for name, ids in select_due(app, now).items():
        report.selected[name] = len(ids)
        report.changed[name] = sum(process_chunk(app, name, c, now, actor) for c in chunks(ids, chunk_size))
    return report
