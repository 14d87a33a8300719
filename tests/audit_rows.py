"""Reading a store's audit log back in tests, on a connection of its own."""
from sqlalchemy import select

from witness.store.tables import audit_log


def audit_rows(app) -> list:
    """Every row of the store's audit log, oldest first (what a command recorded is at the end)."""
    with app.engine.connect() as c:
        rows = c.execute(select(audit_log).order_by(audit_log.c.seq)).all()
        c.rollback()
    return rows
