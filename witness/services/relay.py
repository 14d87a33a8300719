"""The relay: delivers what the notice outbox holds (R-52, R-53).

One pass (`relay`) does three things, each in its own short transactions:

1. `schedule`: escalates urgent alerts that have not reached the victim within the profile's
   deadline (the coordinator, then the on-call list) and queues the 30-minute repeats of
   unacknowledged ones.
2. `claim`: takes a batch of due notices, urgent first, under a time-limited lease (PostgreSQL
   `FOR UPDATE SKIP LOCKED`; on SQLite the unit of work begins IMMEDIATE), records a pending
   attempt for each, checks the Do No Harm rules, reads the address from the encrypted identity
   (or the staff directory) and renders the text. Nothing is sent inside a transaction.
3. `deliver` then `record`: sends each message through its channel's transport (several at once
   where the transport allows it: a pool of SMTP connections, the SMS gateway within a bound); a
   notice the transport accepted is marked sent at once, in its own short transaction, while the
   next ones are on the wire. `record` then records every other outcome for the batch: temporary failure, retried with
   capped exponential backoff and jitter; permanent failure, dead-lettered onto a person's
   worklist; blocked by a rule, turned into a call / visit task.

A relay that dies mid-batch loses nothing and repeats at most the messages in flight (one per
connection, `concurrency`): what was accepted is already marked sent; the lease on the rest runs
out, and the next relay claims them again. Only a notice in flight when it died (accepted by the
server, not yet marked) goes out twice, under the
same idempotency key (at-least-once; receivers drop duplicates by key). The dead attempts are kept,
marked `unknown`.
"""
from __future__ import annotations

import json
import os
import random
import re
import socket
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.exc import DBAPIError

from witness.domain.access import Actor, Role
from witness.services.access import need_to_know
from witness.domain.guardrails import ActionKind
from witness.domain.notice import (DIGITAL, REPEAT_FOR, STAFF, Channel, NoticeKind, Recipient, Status, backoff_for,
                                   escalation_level_due, leaks, repeat_number)
from witness.errors import ActionBlocked
from witness.outputs.notice_text import TemplateProblem, has_template, render
from witness.outputs.transports import Message, Transport, TransportError
from witness.services.guardrails import case_facts_many, enforce_known
from witness.services.outbox import (directory, insert_notices, notice_key, staff_channel,
                                      templates_dir)
from witness.services.worklist import add_items, item
from witness.store.engine import BOOKKEEPING
from witness.store.notice_tables import notice_attempts, notices
from witness.store.tables import cases, identities

SYSTEM = Actor("relay", Role.system)
LEASE = timedelta(minutes=5)  # far longer than one batch takes; a dead relay's notices wait this long
BATCH = 100


@dataclass
class Prepared:
    """A claimed notice, ready to send, or already decided (blocked, no address, content check)."""

    id: str
    group_key: str
    case_id: str | None
    kind: str
    recipient: str
    recipient_ref: str | None
    channel: str
    urgent: bool
    attempts: int
    assignee: str  # who gets the worklist item if this fails for good
    message: Message | None = None
    outcome: str | None = None  # set before sending: blocked | reroute | permanent
    error: str | None = None
    redact: list[str] = field(default_factory=list)
    marked: bool = False  # recorded as sent the moment its transport accepted it


@dataclass
class RelayReport:
    escalated: int = 0
    repeated: int = 0
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    rerouted: int = 0
    batches: int = 0
    urgent_failed: int = 0  # urgent notices whose try in this pass failed (retrying or dead-lettered)


def default_owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def relay(app, transports: dict[str, Transport], now: datetime | None = None, actor: Actor = SYSTEM,
          owner: str | None = None, batch_size: int = BATCH, lease: timedelta = LEASE,
          rng: random.Random | None = None, max_batches: int = 10_000) -> RelayReport:
    """One full pass as of `now` (default: the app's clock): schedule, then deliver batches until
    nothing more is due. What is retried later (backoff) waits for a later pass."""
    need_to_know(app, actor, "notice.relay")
    now = now or app.clock.now()
    owner = owner or default_owner()
    rng = rng or random.Random()
    report = RelayReport()
    report.escalated, report.repeated = schedule(app, now, actor)
    for _ in range(max_batches):
        batch = deliver_batch(app, transports, now, actor, owner, batch_size, lease, rng)
        if batch.claimed == 0:
            break
        for name in ("claimed", "sent", "retrying", "dead", "rerouted", "urgent_failed"):
            setattr(report, name, getattr(report, name) + getattr(batch, name))
        report.batches += 1
    return report


def deliver_batch(app, transports: dict[str, Transport], now: datetime, actor: Actor = SYSTEM,
                  owner: str | None = None, batch_size: int = BATCH, lease: timedelta = LEASE,
                  rng: random.Random | None = None) -> RelayReport:
    """Claim one batch, send it, record it. Returns what happened (claimed == 0: nothing was due)."""
    owner = owner or default_owner()
    prepared = claim(app, now, actor, owner, batch_size, lease)
    if not prepared:
        return RelayReport()
    with _marking(app) as conn:
        for answered in send_all(prepared, transports):
            accepted = [p for p in answered if p.outcome == "sent"]
            if accepted and _mark_sent(conn, now, owner, accepted):
                for p in accepted:
                    p.marked = True
    return record(app, now, actor, owner, prepared, rng or random.Random())


def send_all(prepared: list[Prepared], transports: dict[str, Transport]) -> Iterator[list[Prepared]]:
    """Hand each message to its transport, yielding those whose transport answered, as soon as it
    did: one at a time, or all that answered while the caller was busy.

    A transport that declares `concurrency` > 1 (a pool of SMTP connections, the SMS gateway) gets
    that many messages at once, each channel in its own threads, in the batch's order (urgent
    first); the rest go one at a time. Marking stays in the caller's thread, one short transaction
    for what answered together, while the next messages are on the wire."""
    bounds = {ch: max(1, int(getattr(t, "concurrency", 1) or 1)) for ch, t in transports.items()}
    if all(b == 1 for b in bounds.values()):
        for p in prepared:
            yield [deliver(p, transports)]
        return
    pools = {ch: ThreadPoolExecutor(max_workers=b, thread_name_prefix=f"relay-{ch}") for ch, b in bounds.items()}
    # A sliding window: a channel never has more than its bound handed over and not yet marked
    # (the caller marks each one before asking for the next), so a relay killed now has at most
    # that many accepted but unrecorded, whatever the speed of the store.
    pending: dict = {}  # future -> channel

    def settle() -> list[Prepared]:
        # Everything that answered by now, marked together by the caller before any more is
        # handed over: the window (at most `bound` accepted and unmarked) holds as before.
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for f in done:
            del pending[f]
        return [f.result() for f in done]

    try:
        for p in prepared:
            if p.outcome is not None or p.message is None or p.channel not in pools:
                yield [deliver(p, transports)]  # decided already, or no transport: nothing to send
                continue
            while sum(1 for ch in pending.values() if ch == p.channel) >= bounds[p.channel]:
                yield settle()
            pending[pools[p.channel].submit(deliver, p, transports)] = p.channel
        while pending:
            yield settle()
    finally:
        for pool in pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------------------------
# 1. Escalations and repeats


def schedule(app, now: datetime, actor: Actor = SYSTEM) -> tuple[int, int]:
    with app.uow(actor, now) as uow:
        escalated = _escalate(uow)
        repeated = _repeat(uow)
        if escalated or repeated:
            uow.audit("notices.schedule", "*", f"{escalated} alerts escalated, {repeated} repeats queued")
        uow.commit()
    return escalated, repeated


def _open_alerts(conn, now: datetime):
    """Urgent alerts to victims and guardians, not acknowledged, inside the 24-hour window."""
    delivered = func.sum(case((and_(notices.c.status == Status.sent.value,
                                    notices.c.channel != Channel.worklist.value), 1), else_=0))
    return conn.execute(
        select(notices.c.group_key, notices.c.case_id, notices.c.recipient, notices.c.kind, notices.c.event_ref,
               cases.c.jurisdiction, cases.c.coordinator, func.min(notices.c.created_at).label("first_at"),
               func.max(notices.c.escalation_level).label("level"), delivered.label("delivered"))
        .join(cases, cases.c.id == notices.c.case_id)
        .where(notices.c.urgent.is_(True), notices.c.acknowledged_at.is_(None),
               notices.c.recipient.in_([Recipient.victim.value, Recipient.guardian.value]),
               notices.c.created_at >= now - REPEAT_FOR)
        .group_by(notices.c.group_key, notices.c.case_id, notices.c.recipient, notices.c.kind, notices.c.event_ref,
                  cases.c.jurisdiction, cases.c.coordinator)).all()


def _escalate(uow) -> int:
    """R-53: not delivered by the deadline -> the coordinator; a second deadline later -> on call."""
    conn, now, cipher = uow.conn, uow.now, uow.cipher
    due: dict[int, list] = {1: [], 2: []}
    for a in _open_alerts(conn, now):
        if a.delivered:
            continue
        deadline = uow.profiles[a.jurisdiction].notices.urgent_delivery_deadline_minutes
        wanted = escalation_level_due(a.first_at, now, deadline)
        for level in range(a.level + 1, wanted + 1):
            due[level].append((a, deadline))
    if not due[1] and not due[2]:
        return 0
    staff_dir = directory(uow.settings)
    rows, items = [], []
    stamp = now.isoformat()
    by_coordinator: dict[str, list] = {}
    for a, deadline in due[1]:
        by_coordinator.setdefault(a.coordinator, []).append(a)
        items.append(item(f"escalate1:{a.group_key}", a.case_id, "urgent_undelivered", a.coordinator, now, now,
                          f"{a.case_id}: URGENT. The {a.kind.replace('_', ' ')} alert has not reached the {a.recipient} "
                          f"within {deadline} minutes. Call or visit now, then record contact: "
                          f"witness ack --case {a.case_id}"))
    for user, alerts in sorted(by_coordinator.items()):
        channel = staff_channel(user, staff_dir)
        if channel is not Channel.worklist:  # the items above already are the worklist copy
            rows.append(_staff_row(cipher, now, f"escalate|1|{stamp}", Recipient.coordinator, user, channel, alerts, 1))
    by_oncall: dict[str, tuple] = {}
    for a, deadline in due[2]:
        for person in staff_dir.oncall_for(a.jurisdiction):
            by_oncall.setdefault(person.name, (person, []))[1].append(a)
            items.append(item(f"escalate2:{a.group_key}:{person.name}", a.case_id, "urgent_undelivered", person.name,
                              now, now, f"{a.case_id}: URGENT, escalated to on call. The {a.kind.replace('_', ' ')} "
                                        f"alert has not reached the {a.recipient} after {2 * deadline} minutes and the "
                                        f"coordinator ({a.coordinator}) has not recorded contact. Reach them now."))
    for name, (person, alerts) in sorted(by_oncall.items()):
        channel = Channel.email if person.email else Channel.sms
        rows.append(_staff_row(cipher, now, f"escalate|2|{stamp}", Recipient.oncall, name, channel, alerts, 2))
    insert_notices(conn, rows)
    add_items(conn, items)
    for level in (1, 2):
        groups = [a.group_key for a, _ in due[level]]
        if groups:
            conn.execute(update(notices).where(notices.c.group_key.in_(groups), notices.c.escalation_level < level)
                         .values(escalation_level=level, updated_at=now))
    return len({a.group_key for level in (1, 2) for a, _ in due[level]})


def _staff_row(cipher, now, occasion, recipient: Recipient, ref: str, channel: Channel, alerts, level: int) -> dict:
    ids = sorted({a.case_id for a in alerts})
    shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
    values = {"count": len(ids), "cases": shown, "level": level}
    return dict(id=str(uuid.uuid4()), idempotency_key=notice_key(cipher, occasion, recipient.value, ref, channel.value),
                group_key=notice_key(cipher, occasion, recipient.value, ref, "group"),
                case_id=ids[0] if len(ids) == 1 else None, kind=NoticeKind.urgent_undelivered.value,
                recipient=recipient.value, recipient_ref=ref, channel=channel.value, language="en",
                params=json.dumps(values, sort_keys=True), event_ref=None, urgent=True, repeat_no=0,
                status=Status.queued.value, attempts=0, next_attempt_at=now, lease_owner=None, lease_until=None,
                ack_code_hash=None, ack_code=None, acknowledged_at=None, acknowledged_by=None, escalation_level=level,
                dead_reason=None, created_at=now, sent_at=None, updated_at=now)


def _repeat(uow) -> int:
    """Every 30 minutes for 24 hours, while unacknowledged: the same alert again, on each digital
    channel whose last copy went out. A copy still retrying is not doubled; a late relay run sends
    the repeat due now, not every one it missed."""
    conn, now, cipher = uow.conn, uow.now, uow.cipher
    alerts = {a.group_key: a for a in _open_alerts(conn, now)}
    if not alerts:
        return 0
    latest: dict[tuple[str, str], object] = {}
    keys = list(alerts)
    for i in range(0, len(keys), 900):
        for r in conn.execute(select(notices).where(notices.c.group_key.in_(keys[i:i + 900]),
                                                    notices.c.channel.in_([c.value for c in DIGITAL]))):
            k = (r.group_key, r.channel)
            if k not in latest or r.repeat_no > latest[k].repeat_no:
                latest[k] = r
    rows = []
    for (group, channel), last in latest.items():
        n = repeat_number(alerts[group].first_at, now)
        if n is None or last.repeat_no >= n or last.status != Status.sent.value:
            continue
        row = {c.name: getattr(last, c.name) for c in notices.columns}
        row.update(id=str(uuid.uuid4()), idempotency_key=notice_key(cipher, group, channel, f"r{n}"), repeat_no=n,
                   status=Status.queued.value, attempts=0, next_attempt_at=now, lease_owner=None, lease_until=None,
                   escalation_level=alerts[group].level, dead_reason=None, created_at=now, sent_at=None, updated_at=now)
        rows.append(row)
    return insert_notices(conn, rows)


# ---------------------------------------------------------------------------------------------
# 2. Claim and prepare


def claim(app, now: datetime, actor: Actor, owner: str, batch_size: int = BATCH, lease: timedelta = LEASE) -> list[Prepared]:
    with app.uow(actor, now) as uow:
        conn = uow.conn
        due = or_(and_(notices.c.status == Status.queued.value, notices.c.next_attempt_at <= now),
                  and_(notices.c.status == Status.sending.value, notices.c.lease_until <= now))
        q = (select(notices).where(due)
             # Urgent first; among them victims and guardians before the staff copies.
             .order_by(notices.c.urgent.desc(), case((notices.c.recipient.in_([r.value for r in STAFF]), 1), else_=0),
                       notices.c.next_attempt_at, notices.c.created_at, notices.c.id)
             .limit(batch_size))
        if conn.dialect.name == "postgresql":
            # Several relays at once: each takes rows no other transaction holds, without waiting.
            q = q.with_for_update(skip_locked=True)
        rows = conn.execute(q).all()
        if not rows:
            uow.commit()
            return []
        ids = [r.id for r in rows]
        conn.execute(update(notice_attempts).where(notice_attempts.c.notice_id.in_(ids),
                                                   notice_attempts.c.outcome == "pending")
                     .values(outcome="unknown", finished_at=now,
                             error="the relay stopped before recording the result; sent again under the same key"))
        conn.execute(update(notices).where(notices.c.id.in_(ids))
                     .values(status=Status.sending.value, lease_owner=owner, lease_until=now + lease,
                             attempts=notices.c.attempts + 1, updated_at=now))
        conn.execute(insert(notice_attempts), [dict(notice_id=r.id, attempt=r.attempts + 1, relay=owner,
                                                    channel=r.channel, started_at=now, outcome="pending")
                                               for r in rows])
        prepared = _prepare(uow, rows)
        read = sum(1 for r in rows if r.recipient in (Recipient.victim.value, Recipient.guardian.value))
        uow.audit("notices.claim", owner[:120], f"{len(rows)} notices claimed until {(now + lease).isoformat()}; "
                                               f"contact details of {read} recipients decrypted for delivery")
        uow.commit()
    return prepared


def _prepare(uow, rows) -> list[Prepared]:
    conn, cipher = uow.conn, uow.cipher
    case_ids = sorted({r.case_id for r in rows if r.case_id})
    info = {c.id: c for c in conn.execute(select(cases.c.id, cases.c.jurisdiction, cases.c.coordinator)
                                          .where(cases.c.id.in_(case_ids)))} if case_ids else {}
    idents = {i.case_id: i for i in conn.execute(select(identities).where(identities.c.case_id.in_(case_ids)))} \
        if case_ids else {}
    # Each victim's data key read and unwrapped once for the batch, in one query, not one per
    # victim; they live in this unit of work's cipher only, gone when the batch's claim commits.
    cipher.preload(idents)
    staff_dir = directory(uow.settings)
    # The Do No Harm facts of every case the batch sends to, in a few queries, not ~9 per notice.
    checked = sorted({r.case_id for r in rows if r.case_id and r.channel != Channel.worklist.value
                      and r.recipient in (Recipient.victim.value, Recipient.guardian.value)})
    facts = case_facts_many(conn, checked, uow.now) if checked else {}
    out = []
    for r in rows:
        c = info.get(r.case_id)
        assignee = (r.recipient_ref if r.recipient in STAFF else None) or (c.coordinator if c else "admin")
        p = Prepared(r.id, r.group_key, r.case_id, r.kind, r.recipient, r.recipient_ref, r.channel, bool(r.urgent),
                     r.attempts + 1, assignee)
        try:
            _prepare_one(uow, r, p, c, idents.get(r.case_id), staff_dir, cipher, facts.get(r.case_id))
        except TemplateProblem as exc:
            p.outcome, p.error = "permanent", str(exc)[:300]
        out.append(p)
    return out


def _secrets(cipher, case_id: str, ident) -> list[str]:
    if ident is None:
        return []
    dec = lambda col: cipher.decrypt("identities", col, case_id, getattr(ident, col))  # noqa: E731
    values = [dec("legal_name"), dec("address"), dec("phone"), dec("email"), dec("guardian_name"),
              dec("guardian_phone")]
    aliases = dec("aliases")
    values += json.loads(aliases) if aliases else []
    return [v for v in values if v]


def _prepare_one(uow, r, p: Prepared, c, ident, staff_dir, cipher, facts) -> None:
    victim_side = r.recipient in (Recipient.victim.value, Recipient.guardian.value)
    if victim_side and r.channel != Channel.worklist.value:
        # DNH-09 (only channels the victim marked safe) and every other rule, checked at the moment
        # of sending: the victim may have unmarked a channel since the notice was queued. A call /
        # visit task goes to the coordinator, who is where blocked sends are rerouted.
        try:
            if facts is None:
                raise ActionBlocked(f"send_notice on {r.case_id}: the case is missing")
            enforce_known(uow, ActionKind.send_notice, facts, channel=r.channel, includes_identity=False,
                          recipient_role=r.recipient)
        except ActionBlocked as exc:
            rules = re.findall(r"\] (DNH-[\w-]+):", str(exc))
            p.outcome, p.error = "blocked", f"stopped by {', '.join(rules) or 'a Do No Harm rule'}; call / visit instead"
            return
    secrets_ = _secrets(cipher, r.case_id, ident) if r.case_id else []
    p.redact = secrets_
    values = json.loads(r.params)
    jurisdiction = c.jurisdiction if c else None
    values["call"] = staff_dir.call_number(jurisdiction, c.coordinator if c else None) if jurisdiction else ""
    values["repeat"] = r.repeat_no
    values["code"] = ""
    to = _address(r, c, ident, staff_dir, cipher)
    if to is None:
        p.outcome, p.error = "reroute", f"no {r.channel} address on file; call / visit instead"
        return
    if r.recipient in STAFF:
        name = "staff_urgent_undelivered" if r.kind == NoticeKind.urgent_undelivered.value else "staff_event"
        text = render(templates_dir(uow.settings), name, "en", {**values, "kind": r.kind.replace("_", " "), "case": r.case_id or ""})
        subject, body = text.subject, text.body
    elif r.channel == Channel.worklist.value:
        # A call / visit task: the reviewed text in the victim's language where one exists, to read
        # out (or hand to the interpreter) as written, then the English for the coordinator.
        english = render(templates_dir(uow.settings), r.kind, "en", values)
        subject = f"{r.case_id}: {'URGENT: ' if r.urgent else ''}call or visit the {r.recipient} (language {r.language})"
        body = english.body
        if r.language != "en" and has_template(templates_dir(uow.settings), r.language, r.kind):
            said = render(templates_dir(uow.settings), r.kind, r.language, values)
            # The short English (an alert's SMS text) beside it: the item holds 500 characters.
            gist = render(templates_dir(uow.settings), _text_name(uow.settings, r.kind, Channel.sms.value), "en", values)
            body = f"Say it in {r.language} (reviewed text): {said.body} | English: {gist.body}"
    else:
        if r.ack_code:
            values["code"] = cipher.decrypt("notices", "ack_code", r.group_key, r.ack_code)
        text = render(templates_dir(uow.settings), _text_name(uow.settings, r.kind, r.channel), r.language, values)
        subject, body = text.subject, text.body
    if leaks(subject + "\n" + body, secrets_):
        p.outcome, p.error = "permanent", "content check: the text would reveal who the victim is (R-55); not sent"
        return
    p.message = Message(r.idempotency_key, r.channel, to, subject, body, urgent=bool(r.urgent), case_id=r.case_id,
                        task_kind="notice_call" if victim_side else "notice", at=uow.now)


def _text_name(settings, kind: str, channel: str) -> str:
    """An SMS has its own short text where one is written (`<kind>.sms.txt`: urgent alerts): the
    reply code and the essential sentence first, within two segments in every language (each
    extra segment costs money and may arrive late or out of order)."""
    if channel == Channel.sms.value and has_template(templates_dir(settings), "en", f"{kind}.sms"):
        return f"{kind}.sms"
    return kind


def _address(r, c, ident, staff_dir, cipher) -> str | None:
    """Resolved now, never stored with the notice: a corrected number is used at once."""
    if r.channel == Channel.worklist.value:
        return r.recipient_ref if r.recipient in STAFF else (c.coordinator if c else None)
    if r.recipient == Recipient.coordinator.value:
        contact = staff_dir.staff.get(r.recipient_ref)
        return (contact.email if r.channel == "email" else contact.sms) if contact else None
    if r.recipient == Recipient.oncall.value:
        person = next((o for o in staff_dir.oncall if o.name == r.recipient_ref), None)
        return (person.email if r.channel == "email" else person.sms) if person else None
    if ident is None:
        return None
    column = {("victim", "sms"): "phone", ("victim", "email"): "email", ("guardian", "sms"): "guardian_phone"}.get(
        (r.recipient, r.channel))
    return cipher.decrypt("identities", column, r.case_id, getattr(ident, column)) if column else None


# ---------------------------------------------------------------------------------------------
# 3. Deliver and record


def _redact(text: str, values: list[str]) -> str:
    for v in sorted(values, key=len, reverse=True):
        if v:
            text = re.sub(re.escape(v), "<redacted>", text, flags=re.IGNORECASE)
    return text[:300]


def deliver(p: Prepared, transports: dict[str, Transport]) -> Prepared:
    if p.outcome is not None or p.message is None:
        return p
    transport = transports.get(p.channel)
    if transport is None:
        p.outcome, p.error = "temporary", f"no {p.channel} transport configured"
        return p
    try:
        transport.send(p.message)
    except TransportError as exc:
        p.outcome = "permanent" if exc.permanent else "temporary"
        p.error = _redact(str(exc), [p.message.to, *p.redact])
        return p
    except Exception as exc:  # a transport bug must not stop the batch; its text may hold data, so not kept
        p.outcome, p.error = "temporary", f"transport failed unexpectedly ({exc.__class__.__name__})"
        return p
    p.outcome = "sent"
    return p


_FINISH_ATTEMPT = (update(notice_attempts)
                   .where(notice_attempts.c.notice_id == bindparam("nid"), notice_attempts.c.attempt == bindparam("n"),
                          notice_attempts.c.relay == bindparam("owner"))
                   .values(outcome=bindparam("result"), finished_at=bindparam("done"), error=bindparam("why")))
_MARK_SENT = (update(notices).where(notices.c.id == bindparam("nid"))
              .values(status=Status.sent.value, sent_at=bindparam("at"), lease_owner=None, lease_until=None,
                      updated_at=bindparam("at")))


@contextmanager
def _marking(app) -> Iterator:
    """One connection for a batch's marks, not one checkout each, and not flushed to disk on every
    commit. A mark only spares a second copy: a crash of the relay (what it guards against) keeps
    it; a power cut may lose the last ones, which then go out again under the same key, as every
    notice of the batch did before marks existed. The next fully synced commit (`record`) makes
    them durable. Waiting for the disk once per message would halve the throughput under load.
    Its transactions are BOOKKEEPING (store/engine.py): each BEGIN sets SQLite synchronous=NORMAL
    or PostgreSQL synchronous_commit off for that transaction alone, and every other BEGIN sets
    the full setting again. (A pragma set once before them was undone by that BEGIN.)"""
    with app.engine.connect() as conn:
        yield conn.execution_options(**{BOOKKEEPING: True})


def _mark_sent(conn, now: datetime, owner: str, accepted: list[Prepared]) -> bool:
    """Record accepted notices at once (those that answered together, in one transaction), so that
    a relay killed later in the batch does not send them again. No audit row here: the attempt row
    says which relay sent each and when, and `record` audits the batch. If the store refuses
    (busy), `record` marks them with the rest of the batch."""
    try:
        with conn.begin():  # see _marking: the commit need not wait for the disk
            conn.execute(_FINISH_ATTEMPT, [dict(nid=p.id, n=p.attempts, owner=owner, done=now, why=None, result="sent")
                                           for p in accepted])
            conn.execute(_MARK_SENT, [dict(nid=p.id, at=now) for p in accepted])
    except DBAPIError:  # rolled back; a dropped connection is opened afresh for the next mark
        return False
    return True


def record(app, now: datetime, actor: Actor, owner: str, results: list[Prepared], rng: random.Random) -> RelayReport:
    report = RelayReport(claimed=len(results))
    with app.uow(actor, now) as uow:
        conn = uow.conn
        dead_items = []
        rerouted_groups: set[str] = set()
        mine = and_(notices.c.lease_owner == owner, notices.c.status == Status.sending.value)
        unrecorded = [p for p in results if not p.marked]
        if unrecorded:
            conn.execute(_FINISH_ATTEMPT, [
                dict(nid=p.id, n=p.attempts, owner=owner, done=now, why=p.error,
                     result=p.outcome if p.outcome in ("sent", "temporary", "permanent") else "blocked")
                for p in unrecorded])
        sent = [dict(nid=p.id, at=now) for p in unrecorded if p.outcome == "sent"]
        if sent:
            # Delivered is delivered, whoever holds the lease now.
            conn.execute(_MARK_SENT, sent)
        report.sent = sum(1 for p in results if p.outcome == "sent")
        report.urgent_failed = sum(1 for p in results if p.urgent and p.outcome in ("temporary", "permanent"))
        for p in results:
            if p.outcome == "sent":
                continue
            elif p.outcome == "temporary" and p.attempts < backoff_for(p.urgent).max_attempts:
                retry_at = now + backoff_for(p.urgent).delay(p.attempts, rng)
                conn.execute(update(notices).where(notices.c.id == p.id, mine).values(
                    status=Status.queued.value, next_attempt_at=retry_at, lease_owner=None, lease_until=None,
                    updated_at=now))
                report.retrying += 1
            elif p.outcome == "blocked" and "DNH-22" in (p.error or ""):
                # A guardian linked to an accused gets nothing, not even a call: the coordinator tells
                # the child (or the independent guardian) instead.
                report.rerouted += 1
                conn.execute(update(notices).where(notices.c.id == p.id, mine).values(
                    status=Status.cancelled.value, dead_reason="withheld: the guardian is linked to an accused (DNH-22)",
                    lease_owner=None, lease_until=None, updated_at=now))
                dead_items.append(item(
                    f"notice-withheld:{p.id}", p.case_id, "notice_call", p.assignee, now, now,
                    f"{p.case_id}: {'URGENT: ' if p.urgent else ''}the {p.kind.replace('_', ' ')} notice was not sent "
                    "to the guardian, who is linked to an accused (DNH-22). Tell the child yourself, or the "
                    "independent guardian once appointed; do not contact the linked guardian."[:500]))
            elif p.outcome in ("blocked", "reroute"):
                report.rerouted += 1
                if p.group_key in rerouted_groups or _has_call_task(conn, p):
                    # The person already gets one call / visit task for this alert.
                    conn.execute(update(notices).where(notices.c.id == p.id, mine).values(
                        status=Status.cancelled.value, dead_reason=f"{p.error}; covered by the call / visit task"[:200],
                        lease_owner=None, lease_until=None, updated_at=now))
                else:
                    rerouted_groups.add(p.group_key)
                    conn.execute(update(notices).where(notices.c.id == p.id, mine).values(
                        channel=Channel.worklist.value, status=Status.queued.value, next_attempt_at=now,
                        lease_owner=None, lease_until=None, updated_at=now))
            else:
                reason = p.error if p.outcome == "permanent" else f"gave up after {p.attempts} attempts: {p.error}"
                done = conn.execute(update(notices).where(notices.c.id == p.id, mine).values(
                    status=Status.dead.value, dead_reason=(reason or "")[:200], lease_owner=None, lease_until=None,
                    updated_at=now)).rowcount
                if done:
                    report.dead += 1
                    dead_items.append(item(
                        f"notice-dead:{p.id}", p.case_id, "notice_dead_letter", p.assignee, now, now,
                        f"{p.case_id or '-'}: {'URGENT: ' if p.urgent else ''}the {p.kind.replace('_', ' ')} notice to "
                        f"the {p.recipient} by {p.channel} could not be delivered ({reason}). Reach them another way "
                        "(call or visit) and check the contact details on file."[:500]))
        add_items(conn, dead_items)
        uow.audit("notices.relay", owner[:120], f"{report.sent} sent, {report.retrying} to retry, "
                                               f"{report.rerouted} rerouted, {report.dead} dead-lettered")
        uow.commit()
    return report


def _has_call_task(conn, p: Prepared) -> bool:
    return conn.execute(select(notices.c.id).where(
        notices.c.group_key == p.group_key, notices.c.channel == Channel.worklist.value,
        notices.c.id != p.id, notices.c.status != Status.cancelled.value).limit(1)).first() is not None


DEAD_LETTERS_SHOWN = 100


def dead_letters(app, limit: int = DEAD_LETTERS_SHOWN) -> tuple[int, list[dict]]:
    """The dead-letter list as the relay publishes it (a Prefect artifact): how many there are, and
    the most recent `limit` with pseudonyms, kinds, channels and reasons only, never an address.
    Read as the relay itself; people read it with `witness notices --status dead`."""
    with app.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(notices)
                             .where(notices.c.status == Status.dead.value)).scalar()
        rows = conn.execute(select(notices.c.id, notices.c.case_id, notices.c.kind, notices.c.recipient,
                                   notices.c.recipient_ref, notices.c.channel, notices.c.urgent, notices.c.attempts,
                                   notices.c.dead_reason, notices.c.updated_at)
                            .where(notices.c.status == Status.dead.value)
                            .order_by(notices.c.updated_at.desc(), notices.c.id).limit(limit)).all()
    return total, [{"notice": r.id, "case": r.case_id or "-", "kind": r.kind,
                    "recipient": r.recipient if r.recipient not in STAFF else f"{r.recipient}:{r.recipient_ref}",
                    "channel": r.channel, "urgent": bool(r.urgent), "tries": r.attempts,
                    "reason": r.dead_reason or "", "at": r.updated_at.isoformat(timespec="seconds")} for r in rows]


# The relay deployment runs every minute: each run answers for the urgent alerts that failed a try
# since the one before, whoever tried (the urgent watcher of witness serve, `witness relay`, itself).
REPORT_WINDOW = timedelta(minutes=1)


def urgent_failures_since(app, since: datetime, until: datetime) -> int:
    """Urgent notices with a failed try (temporary or permanent) that finished in (since, until]."""
    with app.engine.connect() as conn:
        return conn.execute(
            select(func.count(func.distinct(notice_attempts.c.notice_id)))
            .join(notices, notices.c.id == notice_attempts.c.notice_id)
            .where(notices.c.urgent.is_(True), notice_attempts.c.outcome.in_(["temporary", "permanent"]),
                   notice_attempts.c.finished_at > since, notice_attempts.c.finished_at <= until)).scalar()
