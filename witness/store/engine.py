"""Database engines: SQLite by default, PostgreSQL via WITNESS_DATABASE_URL (R-74, R-101).

Two kinds of transaction. A write transaction (the default) takes SQLite's one writer lock at BEGIN
(IMMEDIATE), so a read-then-write never fails half way with "locked". A read transaction — a
connection with the execution option READ_ONLY, see UnitOfWork.reading — reads a snapshot without
that lock (a deferred BEGIN; WAL lets it read while another connection writes) and cannot write:
SQLite's `query_only`, PostgreSQL's READ ONLY transaction. Pages that only read (and audit the
reading afterwards, in a short write transaction of its own) so no longer queue behind each other
and behind every fsync.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from witness.private_files import make_private_folder, private_umask, secure_file

READ_ONLY = "witness_read_only"  # a Connection execution option: its transactions only read
# A Connection execution option: its transactions write only bookkeeping that may be lost with the
# last second before a power cut and simply be done again — the sweep's plan and its chunk leases —
# or, by choices documented where they are made, a calendar feed's access rows
# (UnitOfWork.reading(durable_audit=False)) and the relay's marks of a message sent (relay._marking).
# They commit without waiting for the disk (SQLite synchronous=NORMAL, PostgreSQL
# synchronous_commit off); the next ordinary commit makes them durable with it. A case's data is
# never written in such a transaction. Each of the sweep's ~20 claims waited ~17 ms for an fsync.
BOOKKEEPING = "witness_bookkeeping"

# SQLite copies the write-ahead log back into the database (a checkpoint, with an fsync of the
# database file) inside the commit that takes the log past 1,000 pages. The sweep writes ~37,000
# pages at 100,000 cases, mostly the same index pages again and again: checkpointed every 1,000 it
# copied them ~10 times over (0.8 s of its commits); copied once at its end, 0.2 s. While
# `checkpoints_deferred` is active, this process's write transactions leave checkpoints until the
# log reaches DEFERRED_CHECKPOINT_PAGES (256 MiB: a bound on the log file whatever the sweep's size).
# Durability is unchanged: each commit still syncs the log.
#
# The same write transactions get a page cache of 64 MiB instead of SQLite's 2 MB: a chunk inserts
# thousands of worklist items at random places in four indexes of 270,000 rows, and with 2 MB the
# pages it had just changed were pushed out (spilled to the log before the commit) and read back.
# The worklist inserts of a 100,000-case sweep took 0.33-0.42 s with 2 MB, 0.20-0.25 s with 64 MiB.
# Reads keep the small cache: one-off scans through a large cache only allocate pages (the sweep's
# selections were slower with one).
DEFAULT_CHECKPOINT_PAGES = 1000  # SQLite's own default
DEFERRED_CHECKPOINT_PAGES = 65536
DEFAULT_CACHE_KIB = 2000  # SQLite's own default (cache_size = -2000)
BULK_CACHE_KIB = 65536
_CHECKPOINTS_DEFERRED: ContextVar[bool] = ContextVar("witness_checkpoints_deferred", default=False)


@contextmanager
def checkpoints_deferred(engine: Engine):
    """Inside: write transactions on SQLite leave the log's checkpoint out of their commits (and have
    the bulk writer's page cache, above); a thread of its own copies the log back meanwhile, and
    the block ends with one last checkpoint of what is left. All PASSIVE: a checkpoint never waits
    for readers or writers; what one still needs is copied by a later checkpoint. A no-op on
    PostgreSQL."""
    if engine.dialect.name != "sqlite" or _CHECKPOINTS_DEFERRED.get():  # nested: the outer block checkpoints
        yield
        return
    token = _CHECKPOINTS_DEFERRED.set(True)
    stop = threading.Event()
    copier = threading.Thread(target=_copy_back, args=(engine, stop), name="witness-checkpoint", daemon=True)
    copier.start()
    try:
        yield
    finally:
        stop.set()
        copier.join()
        _CHECKPOINTS_DEFERRED.reset(token)
        _checkpoint(engine)


# The checkpoint done at the end of a 100,000-case sweep took 0.2-0.27 s, all of it waited for.
# Done meanwhile, every CHECKPOINT_EVERY seconds on a connection of its own, it runs while the
# sweep computes (sqlite3 lets go of the GIL), and the last one has only the last chunks to copy.
CHECKPOINT_EVERY = 0.25


def _copy_back(engine: Engine, stop: threading.Event) -> None:
    while not stop.wait(CHECKPOINT_EVERY):
        try:
            _checkpoint(engine)
        except Exception:  # noqa: BLE001 - the block's last checkpoint still copies everything
            return


def _checkpoint(engine: Engine) -> None:
    with engine.connect() as conn:  # no BEGIN: a checkpoint cannot run inside a transaction
        conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def make_engine(url: str, **kwargs) -> Engine:
    # A database error's text would otherwise carry the statement's parameters: names, addresses,
    # ten megabytes of whatever was sent. The CLI prints only the error's type in any case.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "begin")
        def _read_only(conn):
            # psycopg starts the transaction with the first statement: this one, so it applies.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            elif conn.get_execution_options().get(BOOKKEEPING):
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    return engine


def _sqlite_engine(url: str, **kwargs) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        _tighten_database_files(Path(path))
    engine = create_engine(url, connect_args={"timeout": 5}, **kwargs)

    @event.listens_for(engine, "do_connect")
    def _connect_privately(dialect, _record, cargs, cparams):
        # The database file is created 0600 on first connect; SQLite gives -wal and -shm its mode.
        with private_umask():
            return dialect.connect(*cargs, **cparams)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so we can say IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        with private_umask():  # opens (or creates) the -wal and -shm files
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # NORMAL can lose committed transactions on power loss
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the write lock up front: a deferred read-then-write would fail
        # at once with "locked" (in WAL, SQLITE_BUSY_SNAPSHOT skips the busy timeout) whenever
        # another connection committed since it began. A read transaction never upgrades:
        # query_only refuses any write in it, and is set on every BEGIN, so a pooled connection
        # never carries the last transaction's setting into the next.
        options = conn.get_execution_options()
        bulk = _CHECKPOINTS_DEFERRED.get() and not options.get(READ_ONLY)
        # Set on every BEGIN, like query_only: a pooled connection never carries them over.
        conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB if bulk else DEFAULT_CACHE_KIB}")
        if options.get(READ_ONLY):
            conn.exec_driver_sql("PRAGMA query_only=1")
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("PRAGMA query_only=0")
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL" if options.get(BOOKKEEPING) else "PRAGMA synchronous=FULL")
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={DEFERRED_CHECKPOINT_PAGES if bulk else DEFAULT_CHECKPOINT_PAGES}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _tighten_database_files(path: Path) -> None:
    """A store written by an older version (or under a loose umask) left the database, -wal and
    -shm 0644: readable by every account on the machine. Fix them at start (the witness home
    itself is tightened by services.keys.secure_store)."""
    make_private_folder(path.parent)
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        secure_file(path.with_name(name))
