"""An accused's custody changes (R-12, R-42, R-51, R-56).

Recorded once per source event id. A change that frees the accused (released, escaped, bailed,
acquitted) makes a risk reassessment due at once for every victim in every proceeding that accused
is in, and puts it on each coordinator's worklist — in the same transaction as the change.
The change is published as an `AccusedCustodyChanged` event, handled in the same transaction by
what witness/wiring.py registers (notices: the transactional outbox). Historical events (imports,
replays) are recorded but trigger nothing (R-56).

No date can silence an alert (issue 10): events dated ahead of the clock are refused, and an
event whose order is uncertain (older than the recorded custody, or following a record dated
ahead of the clock) goes to each coordinator's worklist to reconcile — and still alerts if it
frees the accused (`witness.domain.proceeding.place` and `frees`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ungated
from witness.domain.proceeding import Custody, Order, ahead_of_clock, place
from witness.errors import InputProblems, NotFound
from witness.domain.events import AccusedCustodyChanged
from witness.services.events import publish
from witness.services.worklist import add_items, item
from witness.store.risk_tables import custody_events, risk_reviews_due
from witness.store.tables import accused, case_proceedings, cases, proceeding_accused, proceedings
from witness.store.dialects import dialect_of


@dataclass(frozen=True)
class CustodyResult:
    duplicate: bool
    case_ids: tuple[str, ...] = ()
    order: Order = Order.in_order


def linked_cases(conn, accused_id: str) -> list[str]:
    """Every victim in every proceeding this accused is in (not only those who named them)."""
    q = (select(cases.c.id).distinct()
         .join(case_proceedings, case_proceedings.c.case_id == cases.c.id)
         .join(proceeding_accused, proceeding_accused.c.proceeding_id == case_proceedings.c.proceeding_id)
         .where(proceeding_accused.c.accused_id == accused_id, cases.c.stage != "closed").order_by(cases.c.id))
    return list(conn.execute(q).scalars())


def parse_custody(value: str) -> Custody:
    try:
        return Custody(value)
    except ValueError:
        raise InputProblems([("custody", f"use one of {', '.join(c.value for c in Custody)}")]) from None


def record_change(uow, event_id: str, accused_id: str, custody: str, occurred_at: datetime,
                  source: str = "manual", historical: bool = False) -> CustodyResult:
    """Inside the caller's unit of work. Returns duplicate=True if this event id was seen before."""
    new = parse_custody(custody)
    conn, now = uow.conn, uow.now
    problem = ahead_of_clock(occurred_at, now)
    if problem:
        raise InputProblems([("occurred_at", problem)])
    row = conn.execute(select(accused).where(accused.c.id == accused_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"accused: no accused {accused_id!r}")
    dialect = dialect_of(conn)
    fresh = conn.execute(dialect.insert(custody_events).values(
        event_id=event_id, accused_id=accused_id, custody=new.value, occurred_at=occurred_at, recorded_at=now,
        source=source, historical=int(historical)).on_conflict_do_nothing(index_elements=["event_id"])
        .returning(custody_events.c.event_id)).first()
    if fresh is None:
        return CustodyResult(duplicate=True)
    order = place(occurred_at, row.custody_changed_at, now)
    # A late event must not overwrite a newer status; a record dated ahead of the clock is no status.
    if order is not Order.late:
        conn.execute(update(accused).where(accused.c.id == accused_id).values(custody=new.value, custody_changed_at=occurred_at))
    ids = linked_cases(conn, accused_id)
    change = AccusedCustodyChanged(event_id=event_id, accused_id=accused_id, accused_label=row.label,
                                   previous=Custody(row.custody), custody=new, occurred_at=occurred_at,
                                   historical=historical, order=order, case_ids=ids)
    uow.audit("custody.change", accused_id, f"{row.label}: {row.custody} -> {new.value} (event {event_id}); "
                                            f"{len(ids)} linked cases{'; historical' if historical else ''}"
                                            f"{'' if order is Order.in_order else '; ' + order.value}")
    result = CustodyResult(duplicate=False, case_ids=tuple(ids), order=order)
    if historical:
        return result
    if order is not Order.in_order:
        _ask_to_reconcile(uow, change, row.custody_changed_at, ids)
    if order is Order.late and not change.frees_accused:
        return result  # the recorded custody is newer: nothing to tell the victims
    if change.frees_accused and ids:
        mark_reassessment_due(uow, ids, f"accused_{new.value}", now)
    publish(uow, change)
    return result


def _ask_to_reconcile(uow, change: AccusedCustodyChanged, recorded_at: datetime, case_ids: list[str]) -> None:
    """One worklist item per coordinator of the linked cases: which custody is true now?"""
    if not case_ids:
        return
    conn, now = uow.conn, uow.now
    by_coordinator: dict[str, list[str]] = {}
    for cid, coordinator in conn.execute(select(cases.c.id, cases.c.coordinator).where(cases.c.id.in_(case_ids))
                                         .order_by(cases.c.id)):
        by_coordinator.setdefault(coordinator, []).append(cid)
    # Event ids are the source's, up to 120 characters: hashed so the key stays within its column.
    ref = hashlib.sha256(change.event_id.encode()).hexdigest()[:24]
    when = f"{change.occurred_at:%Y-%m-%d %H:%M} UTC"
    if change.order is Order.late:
        why = (f"event {change.event_id[:40]} ({change.custody.value}, {when}) is older than the recorded custody "
               f"({change.previous.value}, {recorded_at:%Y-%m-%d %H:%M} UTC), which stays")
    else:
        why = (f"the recorded custody ({change.previous.value}) was dated {recorded_at:%Y-%m-%d}, ahead of the clock; "
               f"event {change.event_id[:40]} ({change.custody.value}, {when}) replaced it")
    alerted = "; the victims were alerted" if change.frees_accused else ""
    items = []
    for coordinator, ids in sorted(by_coordinator.items()):
        shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        items.append(item(f"custody-reconcile:{coordinator}:{ref}", None, "custody_reconcile", coordinator, now, now,
                          (f"{change.accused_label[:60]}: {why}{alerted}. Check with the police or court which custody "
                           f"is true now (cases {shown}).")[:500]))
    add_items(conn, items)


def mark_reassessment_due(uow, case_ids: list[str], trigger: str, due_at: datetime) -> None:
    """Set-based: one upsert and one worklist insert for all the cases (R-42)."""
    conn = uow.conn
    dialect = dialect_of(conn)
    stmt = dialect.insert(risk_reviews_due)
    conn.execute(stmt.on_conflict_do_update(index_elements=["case_id"], set_={"due_at": stmt.excluded.due_at,
                                                                               "trigger": stmt.excluded.trigger}),
                 [dict(case_id=c, due_at=due_at, trigger=trigger) for c in case_ids])
    coordinators = dict(conn.execute(select(cases.c.id, cases.c.coordinator).where(cases.c.id.in_(case_ids))).all())
    add_items(conn, [item(f"{c}:reassess:{trigger}:{due_at.isoformat()}", c, "reassess_risk", coordinators[c], due_at,
                          uow.now, f"{c}: reassess risk now ({trigger.replace('_', ' ')}); contact the victim.")
                     for c in case_ids])


@ungated("records a court or prison fact; the alerts that follow must never wait for a rule")
def change_custody(app, actor: Actor, event_id: str, accused_id: str, custody: str, occurred_at: datetime,
                   source: str = "manual", historical: bool = False) -> CustodyResult:
    """One custody event, one transaction."""
    # A custody fact concerns every case of that accused; the alerts must not wait: the role decides.
    need_to_know(app, actor, "custody.record")
    with app.uow(actor) as uow:
        result = record_change(uow, event_id, accused_id, custody, occurred_at, source, historical)
        uow.commit()
    return result


def accused_by_label(conn, docket: str, label: str) -> str | None:
    return conn.execute(select(accused.c.id).join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
                        .join(proceedings, proceedings.c.id == proceeding_accused.c.proceeding_id)
                        .where(proceedings.c.docket == docket, accused.c.label == label)).scalar()


def find_accused(app, docket: str, label: str) -> str:
    with app.engine.connect() as conn:
        aid = accused_by_label(conn, docket, label)
    if aid is None:
        raise NotFound(f"accused: no {label!r} in proceeding {docket}")
    return aid
