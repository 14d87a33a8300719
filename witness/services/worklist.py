"""The coordinator's worklist: what is due for whom. Producers insert with a deterministic key so
that running any producer twice adds nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from witness.domain.access import Actor, Role, require
from witness.store.tables import worklist


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


def open_items(app, actor: Actor, everyone: bool = False) -> list[dict]:
    require(actor, "worklist.read")
    with app.uow(actor) as uow:
        q = select(worklist).where(worklist.c.done_at.is_(None)).order_by(worklist.c.due_at, worklist.c.id)
        if not (everyone and actor.role is Role.admin):
            q = q.where(worklist.c.assignee == actor.user)
        rows = [dict(r._mapping) for r in uow.conn.execute(q)]
        uow.audit("worklist.read", actor.user, f"{len(rows)} open items")
        uow.commit()
    return rows
