"""The coordinator's worklist: what is due for whom. Producers insert with a deterministic key so
that running any producer twice adds nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from witness.domain.access import Actor, may_act_on
from witness.domain.guardrails import ungated
from witness.errors import InputProblems, NotFound
from witness.services.access import need_to_know
from witness.store.tables import cases, worklist


def add_items(conn: Connection, items: list[dict]) -> int:
    """Insert items, skipping keys already present. Returns how many were new."""
    if not items:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # RETURNING counts what was really inserted (rowcount is -1 here on psycopg); rows passed as
    # executemany parameters reuse one compiled statement instead of a new N-row VALUES per chunk.
    stmt = dialect.insert(worklist).on_conflict_do_nothing(index_elements=["key"]).returning(worklist.c.id)
    return len(conn.execute(stmt, items).all())


def item(key: str, case_id: str | None, kind: str, assignee: str, due_at: datetime, now: datetime, detail: str) -> dict:
    return dict(key=key, case_id=case_id, kind=kind, assignee=assignee, due_at=due_at, created_at=now, detail=detail)


@ungated("a read (audited)")
def open_items(app, actor: Actor, everyone: bool = False) -> list[dict]:
    need_to_know(app, actor, "worklist.read")
    with app.uow(actor) as uow:
        # With the case's jurisdiction: pages show each time in the zone where it happens.
        q = (select(worklist, cases.c.jurisdiction).outerjoin(cases, cases.c.id == worklist.c.case_id)
             .where(worklist.c.done_at.is_(None)).order_by(worklist.c.due_at, worklist.c.id))
        if not (everyone and may_act_on(actor, None, "worklist.everyone")):
            q = q.where(worklist.c.assignee == actor.user)
        rows = [dict(r._mapping) for r in uow.conn.execute(q)]
        uow.audit("worklist.read", actor.user, f"{len(rows)} open items")
        uow.commit()
    return rows


def _own_item(uow, actor: Actor, item_id: int):
    row = uow.conn.execute(select(worklist).where(worklist.c.id == item_id, worklist.c.done_at.is_(None))
                           .with_for_update()).first()
    # Only the assignee clears an item; someone else's answers like a missing one, so a refusal
    # does not confirm it exists.
    if row is None or row.assignee != actor.user:
        raise NotFound(f"item: no open item {item_id}")
    return row


@ungated("the assignee closes their own item")
def mark_done(app, actor: Actor, item_id: int) -> None:
    need_to_know(app, actor, "worklist.read")
    with app.uow(actor) as uow:
        row = _own_item(uow, actor, item_id)
        uow.conn.execute(update(worklist).where(worklist.c.id == item_id).values(done_at=uow.now, done_by=actor.user))
        uow.audit("worklist.done", row.case_id or actor.user, f"{row.kind} item {item_id} done")
        uow.commit()


@ungated("the assignee puts off their own item (never an urgent release alert)")
def snooze(app, actor: Actor, item_id: int, period: str, reason: str) -> datetime:
    """Put an item off (never an urgent release alert); returns when it is due again."""
    from witness.domain.worklist import SNOOZE_PERIODS, snooze_problems

    need_to_know(app, actor, "worklist.read")
    with app.uow(actor) as uow:
        row = _own_item(uow, actor, item_id)
        problems = snooze_problems(row.kind, period, reason)
        if problems:
            raise InputProblems(problems)
        due = max(row.due_at, uow.now) + SNOOZE_PERIODS[period]
        uow.conn.execute(update(worklist).where(worklist.c.id == item_id).values(due_at=due))
        uow.audit("worklist.snooze", row.case_id or actor.user,
                  f"{row.kind} item {item_id} due {row.due_at.isoformat()} snoozed to {due.isoformat()}: {reason}")
        uow.commit()
    return due
