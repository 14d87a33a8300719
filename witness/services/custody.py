"""An accused's custody changes (R-12, R-42, R-51, R-56).

Recorded once per source event id. A change that frees the accused (released, escaped, bailed,
acquitted) makes a risk reassessment due at once for every victim in every proceeding that accused
is in, and puts it on each coordinator's worklist — in the same transaction as the change.
Other areas react in the same transaction by defining `on_custody_change(uow, change, case_ids)`
in their service module (notices do: the transactional outbox). Historical events (imports,
replays) are recorded but trigger nothing (R-56).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from witness.domain.access import Actor, require
from witness.domain.proceeding import FREE_AGAIN, Custody
from witness.errors import InputProblems, NotFound
from witness.services.events import handlers
from witness.services.worklist import add_items, item
from witness.store.risk_tables import custody_events, risk_reviews_due
from witness.store.tables import accused, case_proceedings, cases, proceeding_accused


@dataclass(frozen=True)
class CustodyChange:
    event_id: str
    accused_id: str
    accused_label: str
    previous: Custody
    custody: Custody
    occurred_at: datetime
    historical: bool

    @property
    def frees_accused(self) -> bool:
        return self.custody in FREE_AGAIN and self.previous not in FREE_AGAIN

    @property
    def urgent(self) -> bool:
        return self.custody in (Custody.released, Custody.escaped)


@dataclass(frozen=True)
class CustodyResult:
    duplicate: bool
    case_ids: tuple[str, ...] = ()


def linked_cases(conn, accused_id: str) -> list[str]:
    """Every victim in every proceeding this accused is in (not only those who named them)."""
    q = (select(cases.c.id).distinct()
         .join(case_proceedings, case_proceedings.c.case_id == cases.c.id)
         .join(proceeding_accused, proceeding_accused.c.proceeding_id == case_proceedings.c.proceeding_id)
         .where(proceeding_accused.c.accused_id == accused_id, cases.c.stage != "closed").order_by(cases.c.id))
    return list(conn.execute(q).scalars())


def record_change(uow, event_id: str, accused_id: str, custody: str, occurred_at: datetime,
                  source: str = "manual", historical: bool = False) -> CustodyResult:
    """Inside the caller's unit of work. Returns duplicate=True if this event id was seen before."""
    try:
        new = Custody(custody)
    except ValueError:
        raise InputProblems([("custody", f"use one of {', '.join(c.value for c in Custody)}")]) from None
    conn, now = uow.conn, uow.now
    row = conn.execute(select(accused).where(accused.c.id == accused_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"accused: no accused {accused_id!r}")
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    fresh = conn.execute(dialect.insert(custody_events).values(
        event_id=event_id, accused_id=accused_id, custody=new.value, occurred_at=occurred_at, recorded_at=now,
        source=source, historical=int(historical)).on_conflict_do_nothing(index_elements=["event_id"])
        .returning(custody_events.c.event_id)).first()
    if fresh is None:
        return CustodyResult(duplicate=True)
    # An older event arriving late must not overwrite a newer status.
    if occurred_at >= row.custody_changed_at:
        conn.execute(update(accused).where(accused.c.id == accused_id).values(custody=new.value, custody_changed_at=occurred_at))
    change = CustodyChange(event_id, accused_id, row.label, Custody(row.custody), new, occurred_at, historical)
    ids = linked_cases(conn, accused_id)
    uow.audit("custody.change", accused_id, f"{row.label}: {row.custody} -> {new.value} (event {event_id}); "
                                            f"{len(ids)} linked cases{'; historical' if historical else ''}")
    if historical or occurred_at < row.custody_changed_at:
        return CustodyResult(duplicate=False, case_ids=tuple(ids))
    if change.frees_accused and ids:
        mark_reassessment_due(uow, ids, f"accused_{new.value}", now)
    for hook in handlers("on_custody_change"):
        hook(uow, change, ids)
    return CustodyResult(duplicate=False, case_ids=tuple(ids))


def mark_reassessment_due(uow, case_ids: list[str], trigger: str, due_at: datetime) -> None:
    """Set-based: one upsert and one worklist insert for all the cases (R-42)."""
    conn = uow.conn
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(risk_reviews_due)
    conn.execute(stmt.on_conflict_do_update(index_elements=["case_id"], set_={"due_at": stmt.excluded.due_at,
                                                                               "trigger": stmt.excluded.trigger}),
                 [dict(case_id=c, due_at=due_at, trigger=trigger) for c in case_ids])
    coordinators = dict(conn.execute(select(cases.c.id, cases.c.coordinator).where(cases.c.id.in_(case_ids))).all())
    add_items(conn, [item(f"{c}:reassess:{trigger}:{due_at.isoformat()}", c, "reassess_risk", coordinators[c], due_at,
                          uow.now, f"{c}: reassess risk now ({trigger.replace('_', ' ')}); contact the victim.")
                     for c in case_ids])


def change_custody(app, actor: Actor, event_id: str, accused_id: str, custody: str, occurred_at: datetime,
                   source: str = "manual", historical: bool = False) -> CustodyResult:
    """One custody event, one transaction."""
    require(actor, "custody.record")
    with app.uow(actor) as uow:
        result = record_change(uow, event_id, accused_id, custody, occurred_at, source, historical)
        uow.commit()
    return result


def find_accused(app, docket: str, label: str) -> str:
    with app.engine.connect() as conn:
        from witness.store.tables import proceedings
        aid = conn.execute(select(accused.c.id).join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
                           .join(proceedings, proceedings.c.id == proceeding_accused.c.proceeding_id)
                           .where(proceedings.c.docket == docket, accused.c.label == label)).scalar()
    if aid is None:
        raise NotFound(f"accused: no {label!r} in proceeding {docket}")
    return aid
