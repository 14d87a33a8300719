"""One command, one transaction. Rolls back unless `commit()` is called (cosmicpython's rule).

A read (a page, a list) may instead say `with app.uow(actor).reading() as uow:`: it reads a snapshot
without the store's writer lock, and its audit rows are appended at `commit()` in a short write
transaction of their own, which commits (durably: synchronous=FULL) before `commit()` returns. The
rule "no audit, no data" holds as before: what was read leaves the service only after its audit row
is in the log, and if that row cannot be written, `commit()` raises and nothing is returned.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from witness.config_cache import Profiles
from witness.domain.access import Actor
from witness.errors import StoreBusy
from witness.store import audit
from witness.store.crypto import FieldCipher
from witness.store.engine import BOOKKEEPING, READ_ONLY


class UnitOfWork:
    def __init__(self, engine: Engine, cipher: FieldCipher, audit_key: bytes, head_path, actor: Actor, now: datetime,
                 profiles: Profiles | None = None, settings=None):
        self.engine, self.cipher, self.audit_key, self.head_path = engine, cipher, audit_key, head_path
        self.profiles = profiles if profiles is not None else Profiles.of({})
        self.settings = settings  # the App's: what a handler in this transaction reads (templates, staff directory)
        self.actor, self.now = actor, now
        self.conn: Connection | None = None
        self._head: audit.Head | None = None
        self._committed = False
        self._reading = False
        self._durable = True  # a reading's audit rows reach the disk before commit() returns
        self._pending: list[tuple[Actor, str, str, str]] = []  # a reading's audit rows, written at commit

    def reading(self, durable_audit: bool = True) -> "UnitOfWork":
        """Make this a read: no writer lock while reading; audit rows appended at commit (above).

        `durable_audit=False` is for a read fetched so often that an fsync each is most of its time
        (a calendar feed a calendar app polls; issue 16 item 5): its audit rows are committed without
        waiting for the disk (SQLite synchronous=NORMAL for that one transaction, PostgreSQL
        synchronous_commit=off). The trade-off, accepted only for such access rows: a power cut or an
        OS crash (not a crash of this process) may lose the last of them — never a row in the middle:
        the next durable commit of any transaction flushes every row before it — and their head is not
        added to the head file, since a head for a row the store may lose would later read as a log
        cut off by someone. Until the next durable audit row (whose head covers them through the
        chain), those rows could be cut off the end unnoticed by someone able to write the database."""
        self._reading = True
        self._durable = durable_audit
        return self

    def __enter__(self) -> "UnitOfWork":
        try:
            self.conn = self.engine.connect()
            if self._reading:
                self.conn.execution_options(**{READ_ONLY: True})
            self._tx = self.conn.begin()
            # Data keys are read (and a new victim's created) in this transaction: an intake that
            # rolls back leaves no key behind, and an erasure is seen at once.
            self.cipher = self.cipher.on(self.conn)
        except OperationalError as exc:
            self._close()
            raise translate_lock(exc) from None
        return self

    def audit(self, action: str, record: str, purpose: str) -> None:
        """Record who did what to which record and why, inside this transaction (a reading: at its
        commit, before anything read is returned)."""
        if self._reading:
            self._pending.append((self.actor, action, record, purpose))
            return
        self._head = audit.append(self.conn, self.audit_key, self.actor, action, record, purpose, self.now)

    def commit(self) -> None:
        try:
            self._tx.commit()
            if self._pending:
                self._write_pending()
        except OperationalError as exc:
            raise translate_lock(exc) from None
        self._committed = True
        if self._head is not None and self._durable:
            heads = self.head_path if hasattr(self.head_path, "append") else audit.FileHeads(self.head_path)
            heads.append(self._head)

    def _write_pending(self) -> None:
        """The reading's audit rows, in one short write transaction on the same connection. Not
        durable (`reading(durable_audit=False)`): it is a BOOKKEEPING transaction, which the engine
        begins without waiting for the disk (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit
        off) and which the next BEGIN on that pooled connection sets back. (Setting the pragma here,
        before BEGIN, stopped working when every BEGIN came to set it: the feed paid an fsync again.)"""
        self.conn.execution_options(**{READ_ONLY: False, BOOKKEEPING: not self._durable})
        with self.conn.begin():
            for actor, action, record, purpose in self._pending:
                self._head = audit.append(self.conn, self.audit_key, actor, action, record, purpose, self.now)
        self._pending = []

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._committed and self._tx.is_active:
            self._tx.rollback()
        self._close()
        if isinstance(exc, OperationalError):
            raise translate_lock(exc) from None

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# PostgreSQL's codes for "another transaction is in the way; nothing of this one was kept".
_CONTENDED = ("40P01", "40001")  # deadlock victim, serialization failure: rolled back by the server
_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout or NOWAIT


def translate_lock(exc: OperationalError) -> Exception:
    """StoreBusy for a database that another writer holds; any other error unchanged. PostgreSQL
    is read by its SQLSTATE, never its words: a deadlock's detail says "blocked by process N",
    which a search for "locked" matched, and the sweep lost the code it retries a victim by."""
    message = "the database is busy with another writer; try again (nothing was written)"
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        if state in _CONTENDED or state == _LOCK_NOT_AVAILABLE:
            return StoreBusy(message, contended=state in _CONTENDED)
        return exc
    if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():  # SQLite
        return StoreBusy(message)
    return exc
