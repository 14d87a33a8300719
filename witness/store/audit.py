"""Append-only, HMAC-chained audit log (R-72).

Each row's MAC covers its sequence number, content and the previous row's MAC, so an edited,
deleted or reordered row breaks the chain. Cutting rows off the end would still verify, so the
latest head is also kept outside the database (a file beside the keys) and compared on verify.
The row is written in the caller's transaction: no audit, no data.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from witness.domain.access import Actor
from witness.private_files import make_private_folder, write_private
from witness.store.tables import audit_head, audit_log

GENESIS = "0" * 64


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


def append(conn: Connection, key: bytes, actor: Actor, action: str, record: str, purpose: str,
           at: datetime) -> Head:
    # FOR UPDATE serialises appends on PostgreSQL; on SQLite BEGIN IMMEDIATE already does.
    row = conn.execute(select(audit_head.c.seq, audit_head.c.mac).where(audit_head.c.id == 1).with_for_update()).first()
    prev_seq, prev = (row.seq, row.mac) if row else (0, GENESIS)
    seq = prev_seq + 1
    fields = dict(at=at, actor=_clean(actor.user), role=actor.role.value, action=_clean(action),
                  record=_clean(record), purpose=_clean(purpose))
    mac = _mac(key, seq, prev=prev, **fields)
    conn.execute(insert(audit_log).values(seq=seq, prev=prev, mac=mac, **fields))
    if row:
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, mac=mac))
    else:
        conn.execute(insert(audit_head).values(id=1, seq=seq, mac=mac))
    return Head(seq, mac)


def write_head_file(path: Path, head: Head) -> None:
    """Advance the external head; never move it backwards (several processes may commit)."""
    make_private_folder(path.parent)
    with os.fdopen(os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_head_file(path)
        if current is not None and current.seq >= head.seq:
            return
        write_private(path, json.dumps({"seq": head.seq, "mac": head.mac}), "audit head")


def read_head_file(path: Path) -> Head | None:
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    return Head(int(raw["seq"]), str(raw["mac"]))


@dataclass
class Verification:
    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, key: bytes, external: Head | None) -> Verification:
    problems: list[str] = []
    expected_seq, prev, count = 1, GENESIS, 0
    last: Head | None = None
    macs: dict[int, str] = {}
    for r in conn.execute(select(audit_log).order_by(audit_log.c.seq)):
        count += 1
        if r.seq != expected_seq:
            problems.append(f"seq {expected_seq}: missing (next row found is {r.seq})")
        if r.prev != prev:
            problems.append(f"seq {r.seq}: chain broken (row before it was removed, changed or moved)")
        if not hmac.compare_digest(r.mac, _mac(key, r.seq, r.at, r.actor, r.role, r.action, r.record, r.purpose, r.prev)):
            problems.append(f"seq {r.seq}: content does not match its MAC (row edited)")
        expected_seq, prev = r.seq + 1, r.mac
        last = Head(r.seq, r.mac)
        macs[r.seq] = r.mac
    db_head = conn.execute(select(audit_head.c.seq, audit_head.c.mac)).first()
    if db_head is not None and (last is None or (db_head.seq, db_head.mac) != (last.seq, last.mac)):
        problems.append(f"head: the database records seq {db_head.seq} as the last row, but the log ends at "
                        f"{last.seq if last else 0} (rows removed from the end)")
    if external is not None:
        if last is None or external.seq > last.seq:
            problems.append(f"head: the external head is at seq {external.seq} but the log ends at "
                            f"{last.seq if last else 0} (log truncated)")
        elif macs.get(external.seq) != external.mac:
            problems.append(f"head: seq {external.seq} does not match the external head (rewritten history)")
    return Verification(count, problems)
