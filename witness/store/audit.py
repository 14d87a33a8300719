"""Append-only, HMAC-chained audit log (R-72).

Each row's MAC covers its sequence number, time, content and the previous row's MAC, so an edited,
deleted or reordered row breaks the chain. Cutting rows off the end would still verify, and so
would a chain re-MACed by someone holding the key, so every head is also appended outside the
database: to a file (WITNESS_AUDIT_HEAD_PATH), or, with several machines, to a table in another
database every process reaches (WITNESS_AUDIT_HEAD_URL). The file is only ever appended to: deployed
append-only (`chattr +a`, docs/audit-head.md), the application's own account cannot take a head
back, and verify compares the log with every head the file ever recorded. A missing head file
once the log has rows is a failure, not a fresh start. The row is written in the caller's
transaction: no audit, no data.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, bindparam, insert, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine

from witness.domain.access import Actor
from witness.private_files import make_private_folder
from witness.store.tables import UTC, audit_head, audit_log

GENESIS = "0" * 64
# A transaction's time is read when it starts; its audit row is appended when it gets the chain's
# lock, after rows of transactions that started later but got the lock first (twenty people's
# pages at once do this all day). Such a row is recorded at the time of the row above it: rows stay
# in time order, so a row earlier than the one above still means what verify says (a clock set back
# by hand, or a row written by someone holding the key) — any step back longer than this is
# recorded as it is, and verify reports it.
LOCK_WAIT = timedelta(minutes=10)


def _clean(text: str) -> str:
    # Log-injection guard (ASVS 16.4.1): no newlines or control characters in audit fields.
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _mac(key: bytes, seq: int, at: datetime, actor: str, role: str, action: str, record: str,
         purpose: str, prev: str) -> str:
    body = json.dumps([seq, at.isoformat(), actor, role, action, record, purpose, prev], ensure_ascii=True)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    seq: int
    mac: str


# The statements of an append, built once: every transaction appends, and building them again each
# time was a tenth of a victim's feed fetch (witness.store.dialects.select_for).
# FOR UPDATE serialises appends on PostgreSQL; on SQLite BEGIN IMMEDIATE already does.
_HEAD = select(audit_head.c.seq, audit_head.c.mac).where(audit_head.c.id == 1).with_for_update()
_TIME_OF = select(audit_log.c.at).where(audit_log.c.seq == bindparam("seq"))
_NEW_ROW = insert(audit_log)
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1)  # SET seq, mac: the parameters given
_FIRST_HEAD = insert(audit_head)


def append(conn: Connection, key: bytes, actor: Actor, action: str, record: str, purpose: str,
           at: datetime) -> Head:
    row = conn.execute(_HEAD).first()
    prev_seq, prev = (row.seq, row.mac) if row else (0, GENESIS)
    seq = prev_seq + 1
    at = at.astimezone(timezone.utc)
    if row:
        # A statement of its own, AFTER the lock: on PostgreSQL (READ COMMITTED) a statement that
        # waited for the lock re-reads only the locked row; the log row the other transaction
        # committed meanwhile would be missing from a join in that same statement, and this row
        # would go in earlier than the one above it.
        above = conn.execute(_TIME_OF, {"seq": prev_seq}).scalar()
        if above is not None and above - LOCK_WAIT <= at < above:
            at = above
    # The MAC covers the instant as it is read back (UTC): a +07:00 clock must not look like an edit.
    # Cut to the column sizes after escaping: an over-long field must not lose the whole row (and
    # with it the action) to a database error on PostgreSQL, where SQLite would have kept it whole.
    fields = dict(at=at, actor=_clean(actor.user)[:80], role=actor.role.value,
                  action=_clean(action)[:60], record=_clean(record)[:120], purpose=_clean(purpose)[:300])
    mac = _mac(key, seq, prev=prev, **fields)
    conn.execute(_NEW_ROW, dict(seq=seq, prev=prev, mac=mac, **fields))
    if row:
        conn.execute(_MOVE_HEAD, dict(seq=seq, mac=mac))
    else:
        conn.execute(_FIRST_HEAD, dict(id=1, seq=seq, mac=mac))
    return Head(seq, mac)


def write_head_file(path: Path, head: Head) -> None:
    """Append the new head to the head file; never rewrite it (it may be append-only, and several
    processes append at once: O_APPEND writes of one short line do not interleave). So not
    write_private's fresh-file-and-rename: a rename cannot replace an append-only file. The file is
    still created 0600 and never opened through a symbolic link."""
    make_private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        # Starting with a newline puts the record on a line of its own even after a head file of
        # the older single-object format, which ended without one.
        os.write(fd, ("\n" + json.dumps({"seq": head.seq, "mac": head.mac}) + "\n").encode())
    finally:
        os.close(fd)


@dataclass
class HeadFile:
    """Every head the file recorded, and the numbers of the lines that are not head records."""
    heads: list[Head]
    bad_lines: list[int]


def read_head_file(path: Path) -> HeadFile | None:
    """None when there is no file at all."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    heads, bad = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            heads.append(Head(int(raw["seq"]), str(raw["mac"])))
        except (ValueError, KeyError, TypeError):
            bad.append(n)
    return HeadFile(heads, bad)


class FileHeads:
    """The heads in an append-only file (one machine, or a file every machine mounts)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def append(self, head: Head) -> None:
        write_head_file(self.path, head)

    def read(self) -> HeadFile | None:
        return read_head_file(self.path)


# Several machines (R-101a): the outside copy in a database every process reaches, kept apart from
# the store (another database, ideally another server, owned by another role). The application
# role may only SELECT and INSERT there; on PostgreSQL a trigger refuses UPDATE, DELETE and
# TRUNCATE even to the table's owner, so heads, like the file's lines, are only ever added.
head_metadata = MetaData()
audit_heads = Table(
    "audit_heads", head_metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False),
    Column("mac", String(64), nullable=False),
    Column("recorded_at", UTC, nullable=False),
)
_HEADS_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION witness_heads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_heads is append-only (R-72): % refused', TG_OP; END $$""",
    "DROP TRIGGER IF EXISTS audit_heads_append_only ON audit_heads",
    "CREATE TRIGGER audit_heads_append_only BEFORE UPDATE OR DELETE ON audit_heads "
    "FOR EACH ROW EXECUTE FUNCTION witness_heads_append_only()",
    "DROP TRIGGER IF EXISTS audit_heads_no_truncate ON audit_heads",
    "CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads "
    "FOR EACH STATEMENT EXECUTE FUNCTION witness_heads_append_only()",
]


class TableHeads:
    """The heads in the `audit_heads` table of another database (WITNESS_AUDIT_HEAD_URL)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self) -> None:
        """Create the table (and its append-only trigger) if it is not there yet; run by the heads
        database's owner or administrator (`witness db roles`)."""
        if inspect(self.engine).has_table("audit_heads"):
            return
        head_metadata.create_all(self.engine)
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as c:
                for statement in _HEADS_APPEND_ONLY:
                    c.execute(text(statement))

    def append(self, head: Head) -> None:
        with self.engine.begin() as c:
            c.execute(insert(audit_heads).values(seq=head.seq, mac=head.mac, recorded_at=datetime.now(timezone.utc)))

    def read(self) -> HeadFile | None:
        """None when no head was ever recorded: to verify, the same as a missing file."""
        with self.engine.connect() as c:
            heads = [Head(r.seq, r.mac) for r in c.execute(select(audit_heads).order_by(audit_heads.c.id))]
            c.rollback()
        return HeadFile(heads, []) if heads else None


def head_store(settings) -> FileHeads | TableHeads:
    if settings.audit_head_url:
        from witness.store.engine import make_engine

        return TableHeads(make_engine(settings.audit_head_url))
    return FileHeads(settings.audit_head_path)


@dataclass
class Verification:
    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, key: bytes, external: HeadFile | None) -> Verification:
    problems: list[str] = []
    expected_seq, prev, count = 1, GENESIS, 0
    last: Head | None = None
    last_at: datetime | None = None
    macs: dict[int, str] = {}
    for r in conn.execute(select(audit_log).order_by(audit_log.c.seq)):
        count += 1
        if r.seq != expected_seq:
            problems.append(f"seq {expected_seq}: missing (next row found is {r.seq})")
        if r.prev != prev:
            problems.append(f"seq {r.seq}: chain broken (row before it was removed, changed or moved)")
        if not hmac.compare_digest(r.mac, _mac(key, r.seq, r.at, r.actor, r.role, r.action, r.record, r.purpose, r.prev)):
            problems.append(f"seq {r.seq}: content does not match its MAC (row edited)")
        # Rows are appended in time order; a row earlier than the one before it was backdated
        # (a clock set by hand) or written by someone holding the key.
        if last_at is not None and r.at < last_at:
            problems.append(f"seq {r.seq}: time runs backwards ({r.at.isoformat()} is before the row above, "
                            f"{last_at.isoformat()})")
        expected_seq, prev, last_at = r.seq + 1, r.mac, r.at
        last = Head(r.seq, r.mac)
        macs[r.seq] = r.mac
    db_head = conn.execute(select(audit_head.c.seq, audit_head.c.mac)).first()
    if db_head is not None and (last is None or (db_head.seq, db_head.mac) != (last.seq, last.mac)):
        problems.append(f"head: the database records seq {db_head.seq} as the last row, but the log ends at "
                        f"{last.seq if last else 0} (rows removed from the end)")
    problems += _compare_with_head_file(external, last, macs)
    return Verification(count, problems)


def _compare_with_head_file(external: HeadFile | None, last: Head | None, macs: dict[int, str]) -> list[str]:
    end = last.seq if last else 0
    if external is None:
        # Deleting the file must not pass for a fresh start: only an empty log has no head yet.
        return [f"head: the head file is missing but the log has {end} rows (it was deleted or moved; "
                "truncation cannot be ruled out)"] if last else []
    problems = [f"head: line {n} of the head file is not a head record (the file was edited)" for n in external.bad_lines]
    if last and not external.heads:
        problems.append(f"head: the head file records no head but the log has {end} rows (the file was emptied)")
    if external.heads:
        top = max(h.seq for h in external.heads)
        if top > end:
            problems.append(f"head: the head file records seq {top} but the log ends at {end} (log truncated)")
    rewritten = sorted(h.seq for h in external.heads if h.seq <= end and macs.get(h.seq) != h.mac)
    if rewritten:
        problems.append(f"head: {len(rewritten)} recorded head(s) do not match the log, the first at seq "
                        f"{rewritten[0]} (rewritten history)")
    return problems
