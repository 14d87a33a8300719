"""Notices: the transactional outbox (R-24, R-50…R-56).

Events write notices in the transaction that records them (`on_custody_change`, `on_case_event`):
if the event rolls back, so do its notices; if it commits, nothing can lose them. Delivery is the
relay's job (witness/services/relay.py). Also here: acknowledgement by code or by recorded
contact, opt-outs, the list a person reads (with the dead-letter list), the guardrail fact
`victim_notified_since_custody_change` (DNH-07), the stale custody feed follow-up (R-56), and
`witness event` files.

Fan-out is set-based: one query reads every recipient of an event, one multi-row insert writes
every notice, so an accused linked to 500 victims queues in a few milliseconds. Keys are
deterministic, so the same event written twice inserts nothing new.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from witness.domain.access import Actor, CaseAccess, may_act_on
from witness.domain.events import AccusedCustodyChanged, CaseEvent
from witness.domain.guardrails import ungated
from witness.domain.notice import (COORDINATOR_COPY, KIND_PARAMS, OPT_OUT_ALLOWED, STAFF, STAFF_ONLY, URGENT_KINDS, Channel,
                                   NoticeKind, Recipient, Status, case_event_notice, channels_for, custody_notice,
                                   language_of, new_ack_code, normalise_code)
from witness.domain.proceeding import FREE_AGAIN
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ConfigError, InputProblems, NotFound
from witness.outputs.notice_text import has_template
from witness.services.access import need_to_know
from witness.services.sweep import FollowUp
from witness.services.worklist import add_items, item
from witness.settings import get_settings
from witness.store.notice_tables import notice_attempts, notice_opt_outs, notices, received_events
from witness.store.records import cases_access
from witness.store.risk_tables import custody_events
from witness.store.tables import (accused, case_proceedings, cases, identities, proceeding_accused, proceedings,
                                  worklist)

CHUNK = 900  # ids per IN (...) list: well under SQLite's variable limit

def directory():
    """The staff directory (config/oncall.yaml, or WITNESS_ONCALL_FILE), validated on load."""
    from witness.oncall import load_directory
    from witness.outputs.transports import TransportSettings

    return load_directory(TransportSettings().oncall_file)


def templates_dir() -> Path:
    return get_settings().templates_dir


def notice_key(cipher, *parts: str) -> str:
    """Deterministic and opaque: the same parts give the same key, and the key (which leaves the
    system in mail headers) reveals neither the pseudonym nor the event."""
    return "wn-" + cipher.blind_index("notice|" + "|".join(parts))[:32]


def ack_hash(cipher, code: str) -> str:
    return cipher.blind_index("notice-ack|" + code)


# ---------------------------------------------------------------------------------------------
# Events -> notices (same transaction as the event)


def on_custody_change(uow, change: AccusedCustodyChanged) -> None:
    """R-51: every victim in every proceeding of that accused, their guardians, their coordinators."""
    case_ids = list(change.case_ids)
    decision = custody_notice(change.previous, change.custody, change.order)
    if decision is None or not case_ids:
        return
    kind, urgent = decision
    queue(uow, kind, case_ids, urgent=urgent, occasion=f"custody|{change.event_id}", event_ref=change.event_id,
          params={}, staff_params={"accused": change.accused_label, "custody": change.custody.value})


def on_case_event(uow, event: CaseEvent) -> None:
    kind, case_ids, params = event.kind, list(event.case_ids), event.params()
    notice_kind = case_event_notice(kind, params)
    if notice_kind is None or not case_ids:
        return
    event_id = params.get("event_id")
    occasion = f"event|{event_id}" if event_id else f"event|{kind}|{json.dumps(params, sort_keys=True, default=str)}"
    if notice_kind is NoticeKind.measure_decided and params.get("hearing"):
        # A court decides several measures at once, each its own event: the victim needs one
        # message ("the court has decided on your protection; call us"), not one per measure.
        occasion = f"measure_decided|{params['hearing']}|{uow.now:%Y-%m-%d}"
    plain = {}
    if notice_kind in (NoticeKind.hearing_set, NoticeKind.hearing_moved, NoticeKind.hearing_cancelled):
        at = params.get("at")
        if at is None:
            raise ValueError(f"{kind} needs the hearing time as `at`")
        plain["at"] = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    elif notice_kind is NoticeKind.reflection_ending and params.get("ends_at") is not None:
        ends = params["ends_at"]
        plain["at"] = ends if isinstance(ends, datetime) else datetime.fromisoformat(str(ends))
    queue(uow, notice_kind, case_ids, urgent=False, occasion=occasion, event_ref=event_id, params=plain,
          staff_params={"what": kind.replace("_", " ")})


def _recipients(conn, case_ids: list[str]) -> list:
    rows = []
    for i in range(0, len(case_ids), CHUNK):
        rows += conn.execute(
            select(cases.c.id, cases.c.jurisdiction, cases.c.coordinator, cases.c.preferred_language,
                   cases.c.safe_channels, cases.c.age_status, cases.c.reflection_ends_at,
                   identities.c.phone.is_not(None).label("has_phone"), identities.c.email.is_not(None).label("has_email"),
                   identities.c.guardian_name.is_not(None).label("has_guardian"),
                   identities.c.guardian_phone.is_not(None).label("has_guardian_phone"), identities.c.guardian_language)
            .outerjoin(identities, identities.c.case_id == cases.c.id)
            .where(cases.c.id.in_(case_ids[i:i + CHUNK])).order_by(cases.c.id)).all()
    return rows


def _opted_out(conn, case_ids: list[str], kind: NoticeKind) -> set[str]:
    if kind not in OPT_OUT_ALLOWED:
        return set()
    out: set[str] = set()
    for i in range(0, len(case_ids), CHUNK):
        out |= set(conn.execute(select(notice_opt_outs.c.case_id).where(
            notice_opt_outs.c.kind == kind.value, notice_opt_outs.c.case_id.in_(case_ids[i:i + CHUNK]))).scalars())
    return out


def _local(at: datetime, profile, date_only: bool = False) -> str:
    # Day/month/year, 24-hour clock, the state's own time: the order used across ASEAN.
    return at.astimezone(profile.tz).strftime("%d/%m/%Y" if date_only else "%d/%m/%Y %H:%M")


def staff_channel(user: str, directory_) -> Channel:
    contact = directory_.staff.get(user) if directory_ is not None else None
    if contact and contact.email:
        return Channel.email
    if contact and contact.sms:
        return Channel.sms
    return Channel.worklist


def queue(uow, kind: NoticeKind, case_ids: list[str], *, urgent: bool, occasion: str, event_ref: str | None,
          params: dict, staff_params: dict) -> int:
    """Write the notices of one event for these cases: victims, guardians of children, coordinators.
    Returns how many were new (0 if this occasion was queued before)."""
    conn, now, cipher = uow.conn, uow.now, uow.cipher
    try:
        staff_dir = directory()
    except ConfigError:
        # A broken staff directory must not stop an event from being recorded: coordinators get a
        # worklist item instead of an email; the relay reports the file when it runs.
        staff_dir = None
    found = _recipients(conn, list(dict.fromkeys(case_ids)))
    opted = _opted_out(conn, [r.id for r in found], kind)
    rows: list[dict] = []
    interpreter_tasks: list[dict] = []
    groups: list[tuple[str, list[dict]]] = []  # urgent groups waiting for an ack code

    def add(case_id, recipient, ref, channel, language, values, group, repeat=0):
        row = dict(id=str(uuid.uuid4()), idempotency_key=notice_key(cipher, occasion, case_id or "-", recipient,
                                                                    ref or "-", channel, f"r{repeat}"),
                   group_key=group, case_id=case_id, kind=kind.value, recipient=recipient, recipient_ref=ref,
                   channel=channel, language=language, params=json.dumps(values, sort_keys=True), event_ref=event_ref,
                   urgent=urgent, repeat_no=repeat, status=Status.queued.value, attempts=0, next_attempt_at=now,
                   lease_owner=None, lease_until=None, ack_code_hash=None, ack_code=None, acknowledged_at=None,
                   acknowledged_by=None, escalation_level=0, dead_reason=None, created_at=now, sent_at=None,
                   updated_at=now)
        rows.append(row)
        return row

    by_coordinator: dict[str, list] = {}
    for r in found:
        by_coordinator.setdefault(r.coordinator, []).append(r)
        if r.id in opted or kind in STAFF_ONLY:
            continue
        profile = uow.profiles.get(r.jurisdiction)
        values = {}
        if "when" in KIND_PARAMS.get(kind, ()):
            at = params.get("at") or (r.reflection_ends_at if kind is NoticeKind.reflection_ending else None)
            values["when"] = _local(at, profile, date_only=kind is NoticeKind.reflection_ending)
        safe = tuple(c for c in r.safe_channels.split(",") if c)
        people = [(Recipient.victim, language_of(r.preferred_language),
                   {a for a, has in (("sms", r.has_phone), ("email", r.has_email)) if has})]
        if presumed_child(AgeStatus(r.age_status)) and r.has_guardian:  # the guardian gets every notice
            people.append((Recipient.guardian, language_of(r.guardian_language or r.preferred_language),
                           {"sms"} if r.has_guardian_phone else set()))
        for recipient, language, addresses in people:
            group = notice_key(cipher, occasion, r.id, recipient, "group")
            channels = channels_for(safe, addresses, urgent) or [Channel.worklist]
            made = [add(r.id, recipient.value, None, ch.value, language, values, group) for ch in channels]
            if urgent:
                groups.append((group, made))
            if not has_template(templates_dir(), language, kind.value):
                interpreter_tasks.append(item(
                    f"interpreter:{group}", r.id, "notice_interpreter", r.coordinator, now, now,
                    f"{r.id}: the {kind.value.replace('_', ' ')} notice has no {language} translation; it goes in "
                    f"English. Deliver it with an interpreter (R-54)."))
    if kind in COORDINATOR_COPY:
        for user, group_rows in sorted(by_coordinator.items()):
            ids = [g.id for g in group_rows]
            shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
            values = {**staff_params, "count": len(ids), "cases": shown}
            if "at" in params:
                values["when"] = _local(params["at"], uow.profiles.get(group_rows[0].jurisdiction))
            add(ids[0] if len(ids) == 1 else None, Recipient.coordinator.value, user,
                staff_channel(user, staff_dir).value, "en", values,
                notice_key(cipher, occasion, "coordinator", user, "group"))
    _give_ack_codes(conn, cipher, groups)
    new = insert_notices(conn, rows)
    add_items(conn, interpreter_tasks)
    if new:
        uow.audit("notices.queue", (event_ref or kind.value)[:120],
                  f"{new} {kind.value} notices queued for {len(found)} cases{' (urgent)' if urgent else ''}")
    return new


def _give_ack_codes(conn, cipher, groups: list[tuple[str, list[dict]]]) -> None:
    """One code per alert to one person, shared by its channels and repeats, and unlike any code
    still open: a code typed back must point to one alert only."""
    if not groups:
        return
    codes: dict[str, str] = {}
    while len(codes) < len(groups):
        in_batch = set(codes.values())
        for group, _ in groups:
            if group not in codes:
                code = new_ack_code()
                while code in in_batch:
                    code = new_ack_code()
                codes[group] = code
                in_batch.add(code)
        hashes = {ack_hash(cipher, c): g for g, c in codes.items()}
        keys = list(hashes)
        for i in range(0, len(keys), CHUNK):
            for h in conn.execute(select(notices.c.ack_code_hash).where(
                    notices.c.ack_code_hash.in_(keys[i:i + CHUNK]), notices.c.acknowledged_at.is_(None))).scalars():
                codes.pop(hashes[h], None)  # taken: draw again for that group
    for group, made in groups:
        secret = cipher.encrypt("notices", "ack_code", group, codes[group])
        for row in made:
            row["ack_code_hash"], row["ack_code"] = ack_hash(cipher, codes[group]), secret


def insert_notices(conn, rows: list[dict]) -> int:
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(notices).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(notices.c.id)
    return len(conn.execute(stmt, rows).all())


# ---------------------------------------------------------------------------------------------
# Acknowledgement


@ungated("records the victim's acknowledgement of a notice")
def acknowledge(app, actor: Actor, code_text: str) -> list[str]:
    """The victim (or guardian) sent the code back: the alert reached them. Returns the pseudonyms."""
    # The code is the victim's own answer, so whoever types it in acts for them: the role decides.
    need_to_know(app, actor, "notice.ack")
    code = normalise_code(code_text)
    if code is None:
        raise InputProblems([("code", "not an acknowledgement code (6 letters and digits)")])
    with app.uow(actor) as uow:
        groups = list(uow.conn.execute(select(notices.c.group_key, notices.c.case_id).distinct().where(
            notices.c.ack_code_hash == ack_hash(uow.cipher, code), notices.c.acknowledged_at.is_(None))))
        if not groups:
            raise NotFound("code: no open alert has this code (already acknowledged, or mistyped)")
        _close_groups(uow, [g.group_key for g in groups], f"code:{actor.user}")
        cases_ = sorted({g.case_id for g in groups if g.case_id})
        for c in cases_:
            uow.audit("notice.ack", c, "alert acknowledged with its code")
        uow.commit()
    return cases_


@ungated("records that the coordinator reached the victim")
def record_contact(app, actor: Actor, case_id: str) -> int:
    """The coordinator reached the victim in person or by phone: every open alert of the case is
    acknowledged. Returns how many alerts were closed."""
    need_to_know(app, actor, "notice.ack", case=case_id)
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(cases.c.coordinator).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"case: no case {case_id!r}")
        groups = list(uow.conn.execute(select(notices.c.group_key).distinct().where(
            notices.c.case_id == case_id, notices.c.urgent.is_(True), notices.c.acknowledged_at.is_(None),
            notices.c.recipient.in_([Recipient.victim.value, Recipient.guardian.value]))).scalars())
        _close_groups(uow, groups, f"contact:{actor.user}")
        uow.audit("notice.contact", case_id, f"contact recorded; {len(groups)} alerts acknowledged")
        uow.commit()
    return len(groups)


def _close_groups(uow, groups: list[str], by: str) -> None:
    if not groups:
        return
    conn, now = uow.conn, uow.now
    conn.execute(update(notices).where(notices.c.group_key.in_(groups), notices.c.acknowledged_at.is_(None))
                 .values(acknowledged_at=now, acknowledged_by=by, updated_at=now))
    # What has not gone out yet (repeats, a second channel still retrying) is no longer needed.
    conn.execute(update(notices).where(notices.c.group_key.in_(groups), notices.c.status == Status.queued.value)
                 .values(status=Status.cancelled.value, updated_at=now))


# ---------------------------------------------------------------------------------------------
# Opt-outs


@ungated("the victim's own choice of what they are told")
def set_opt_out(app, actor: Actor, case_id: str, kind: str, opted_out: bool = True) -> None:
    need_to_know(app, actor, "notice.opt_out", case=case_id)
    try:
        k = NoticeKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(sorted(x.value for x in OPT_OUT_ALLOWED))}")]) from None
    if k not in OPT_OUT_ALLOWED:
        raise InputProblems([("kind", f"{kind} keeps the victim safe and cannot be switched off; mark which "
                                      "channels are safe instead (a call or visit is always possible)")])
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(cases.c.coordinator).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"case: no case {case_id!r}")
        uow.conn.execute(notice_opt_outs.delete().where(notice_opt_outs.c.case_id == case_id,
                                                        notice_opt_outs.c.kind == k.value))
        if opted_out:
            uow.conn.execute(insert(notice_opt_outs).values(case_id=case_id, kind=k.value, at=uow.now, by=actor.user))
        uow.audit("notice.opt_out", case_id, f"{k.value}: {'off' if opted_out else 'on'}")
        uow.commit()


# ---------------------------------------------------------------------------------------------
# Reading: the notice list and the dead-letter list


@ungated("a read (audited)")
def list_notices(app, actor: Actor, case_id: str | None = None, status: str | None = None) -> list[dict]:
    """Notices as a person without need-to-know may read them: pseudonyms, kinds, channels, states.
    A coordinator sees the notices of the cases they are on and their own; admin and auditor see all."""
    need_to_know(app, actor, "notice.read", case=case_id)
    if status is not None and status not in {s.value for s in Status}:
        raise InputProblems([("status", f"use one of {', '.join(s.value for s in Status)}")])
    with app.uow(actor) as uow:
        q = (select(notices, cases.c.coordinator).outerjoin(cases, cases.c.id == notices.c.case_id)
             .order_by(notices.c.created_at, notices.c.urgent.desc(), notices.c.case_id, notices.c.recipient,
                       notices.c.channel, notices.c.repeat_no))
        if case_id:
            q = q.where(notices.c.case_id == case_id)
        if status:
            q = q.where(notices.c.status == status)
        rows = uow.conn.execute(q).all()
        on = cases_access(uow.conn, {r.case_id for r in rows if r.case_id})
        out = []
        for r in rows:
            own = r.recipient in STAFF and r.recipient_ref == actor.user  # addressed to them
            if not own and not may_act_on(actor, on.get(r.case_id) or CaseAccess(r.id), "notice.read"):
                continue
            out.append({"id": r.id, "key": r.idempotency_key, "case": r.case_id, "kind": r.kind,
                        "recipient": r.recipient if r.recipient not in STAFF else f"{r.recipient}:{r.recipient_ref}",
                        "channel": r.channel, "language": r.language, "urgent": bool(r.urgent), "repeat": r.repeat_no,
                        "status": r.status, "attempts": r.attempts, "next_attempt_at": r.next_attempt_at,
                        "sent_at": r.sent_at, "acknowledged_at": r.acknowledged_at,
                        "escalation": r.escalation_level, "dead_reason": r.dead_reason, "created_at": r.created_at})
        uow.audit("notice.read", case_id or "*", f"{len(out)} notices listed{' (' + status + ')' if status else ''}")
        uow.commit()
    return out


@ungated("a read (audited)")
def attempts_of(app, actor: Actor, notice_id: str) -> list[dict]:
    need_to_know(app, actor, "notice.read", notice=notice_id)
    with app.uow(actor) as uow:
        rows = [dict(r._mapping) for r in uow.conn.execute(
            select(notice_attempts).where(notice_attempts.c.notice_id == notice_id).order_by(notice_attempts.c.id))]
        uow.audit("notice.read", notice_id, f"{len(rows)} attempts")
        uow.commit()
    return rows


# ---------------------------------------------------------------------------------------------
# Guardrail fact for DNH-07


# Built once: the relay asks for these facts before every send, and building a statement costs more
# than running it.
_LAST_FREED = (select(func.max(accused.c.custody_changed_at))
               .join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
               .join(case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
               .where(case_proceedings.c.case_id == bindparam("case_id"),
                      accused.c.custody.in_([c.value for c in FREE_AGAIN])))
_REACHED = (select(notices.c.id).where(
    notices.c.case_id == bindparam("case_id"), notices.c.kind.in_([k.value for k in URGENT_KINDS]),
    notices.c.recipient.in_([Recipient.victim.value, Recipient.guardian.value]),
    or_(notices.c.acknowledged_at >= bindparam("since"),
        and_(notices.c.status == Status.sent.value, notices.c.channel != Channel.worklist.value,
             notices.c.sent_at >= bindparam("since")))).limit(1))


def case_facts(conn, case_id: str, now: datetime) -> dict:
    """victim_notified_since_custody_change: since the last release or escape of an accused in one
    of the victim's proceedings, an urgent notice reached the victim (or guardian) — delivered on a
    digital channel, or acknowledged (code or recorded contact). A call task alone is not contact."""
    last_freed = conn.execute(_LAST_FREED, {"case_id": case_id}).scalar()
    if last_freed is None:
        return {}
    reached = conn.execute(_REACHED, {"case_id": case_id, "since": last_freed}).first()
    return {"victim_notified_since_custody_change": reached is not None}


# ---------------------------------------------------------------------------------------------
# a custody feed that has gone quiet


def _stale_feeds(conn, now: datetime, profiles) -> list[tuple[str, str, datetime, str]]:
    """(jurisdiction, coordinator, last update, a case id) for each coordinator with active cases
    linked to an accused in a state whose custody feed has sent nothing for longer than allowed."""
    # One row per (jurisdiction, coordinator) with active linked cases: grouped in SQL, not in Python.
    active = (select(cases.c.jurisdiction, cases.c.coordinator, func.min(cases.c.id).label("id"),
                     func.min(cases.c.opened_at).label("opened_at"))
              .where(cases.c.stage.not_in(["closed", "withdrawn"]),
                     cases.c.id.in_(select(case_proceedings.c.case_id).join(
                         proceeding_accused, proceeding_accused.c.proceeding_id == case_proceedings.c.proceeding_id)))
              .group_by(cases.c.jurisdiction, cases.c.coordinator))
    rows = conn.execute(active).all()
    if not rows:
        return []
    last_event = dict(conn.execute(
        select(proceedings.c.jurisdiction, func.max(custody_events.c.recorded_at))
        .join(proceeding_accused, proceeding_accused.c.proceeding_id == proceedings.c.id)
        .join(custody_events, custody_events.c.accused_id == proceeding_accused.c.accused_id)
        .group_by(proceedings.c.jurisdiction)).all())
    first_opened: dict[str, datetime] = {}
    for r in rows:
        opened = _aware(r.opened_at)
        first_opened[r.jurisdiction] = min(first_opened.get(r.jurisdiction, opened), opened)
    out: dict[tuple[str, str], tuple[datetime, str]] = {}
    for r in rows:
        profile = profiles.get(r.jurisdiction)
        if profile is None:
            continue
        # A feed that never sent anything is measured from the first case that needed it.
        last = _aware(last_event.get(r.jurisdiction)) or first_opened[r.jurisdiction]
        if now - last <= timedelta(hours=profile.notices.custody_feed_stale_hours):
            continue
        out[(r.jurisdiction, r.coordinator)] = (last, r.id)
    return [(j, c, last, cid) for (j, c), (last, cid) in sorted(out.items())]


def _aware(value):
    """Aggregates (min/max) lose the column type on SQLite: read text or naive values as UTC."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _stale_key(jurisdiction: str, coordinator: str, last: datetime) -> str:
    return f"custody-feed-stale:{jurisdiction}:{coordinator}:{last.isoformat()}"


def _select_stale(conn, now: datetime, profiles) -> list[str]:
    found = _stale_feeds(conn, now, profiles)
    if not found:
        return []
    done = set(conn.execute(select(worklist.c.key).where(
        worklist.c.key.in_([_stale_key(j, c, last) for j, c, last, _ in found]))).scalars())
    return [cid for j, c, last, cid in found if _stale_key(j, c, last) not in done]


@ungated("adds worklist items only")
def _process_stale(uow, ids: list[str], profiles) -> int:
    # The ids stand for (jurisdiction, coordinator) pairs. Match on the pair, not the id: another
    # follow-up in the same sweep may have closed or withdrawn the case that stood for the pair.
    wanted = set(uow.conn.execute(select(cases.c.jurisdiction, cases.c.coordinator).where(cases.c.id.in_(ids))).tuples())
    items = []
    for j, c, last, cid in _stale_feeds(uow.conn, uow.now, profiles):
        if (j, c) not in wanted:
            continue
        hours = profiles[j].notices.custody_feed_stale_hours
        items.append(item(_stale_key(j, c, last), None, "custody_feed_stale", c, uow.now, uow.now,
                          f"{j}: no custody update has arrived since {last.astimezone(profiles[j].tz):%d/%m/%Y %H:%M} "
                          f"(more than {hours} hours). Release alerts may be late: check the feed with the "
                          "police or prison, and ask directly about the accused in your cases."))
    return add_items(uow.conn, items)


CUSTODY_FEED_STALE = FollowUp("custody_feed_stale", _select_stale, _process_stale)


# ---------------------------------------------------------------------------------------------
# `witness event FILE`


@ungated("records court and prison events; the alerts that follow must never wait for a rule")
def record_events(app, actor: Actor, data) -> list[dict]:
    """Record custody changes and case events from a file: all of them or none.

    The whole file is checked first — the schema, dates ahead of the clock, that every accused,
    case and docket exists — and every problem is reported as `events.N.field: message`. Only a
    file without problems is applied, as one transaction: a feed that sends a batch can resend it
    whole after fixing it, and never has to work out which half went in. Historical events are
    recorded and notify no one; an event id seen before is skipped (R-56)."""
    from witness.domain.event import CustodyEventIn, parse_event_file
    from witness.services.custody import record_change

    need_to_know(app, actor, "event.record")
    events, problems = parse_event_file(data)
    if any(isinstance(e, CustodyEventIn) for e in events):
        need_to_know(app, actor, "custody.record")
    with app.uow(actor) as uow:
        targets = _resolve(uow, events, problems)  # reads only: raises before anything is written
        results = []
        for e, target in zip(events, targets):
            if isinstance(e, CustodyEventIn):
                r = record_change(uow, e.event_id, target, e.custody.value, e.occurred_at, e.source, e.historical)
                results.append({"event": e.event_id, "duplicate": r.duplicate, "cases": len(r.case_ids),
                                "historical": e.historical, "order": r.order.value})
            else:
                results.append(_record_case_event(uow, e, target))
        uow.commit()
    return results


def _resolve(uow, events, problems: list[tuple[int, str, str]]) -> list:
    """Each event's target (an accused id, or the case ids), or InputProblems listing, in file
    order, the schema's problems and every event that points at nothing or is dated ahead of the
    clock."""
    from witness.domain.event import CustodyEventIn
    from witness.domain.proceeding import ahead_of_clock
    from witness.services.custody import accused_by_label

    conn, problems, targets = uow.conn, list(problems), []
    for n, e in enumerate(events):
        where = f"events.{n}"
        if e is None:  # the schema's problems are already listed
            targets.append(None)
            continue
        too_soon = ahead_of_clock(e.occurred_at, uow.now)
        if too_soon:
            problems.append((n, f"{where}.occurred_at", too_soon))
        if isinstance(e, CustodyEventIn):
            if e.accused_id:
                aid = conn.execute(select(accused.c.id).where(accused.c.id == e.accused_id)).scalar()
                if aid is None:
                    problems.append((n, f"{where}.accused_id", "no accused has this id"))
            else:
                aid = accused_by_label(conn, e.docket, e.accused)
                if aid is None:
                    problems.append((n, f"{where}.accused", f"no accused with this label in proceeding {e.docket}"))
            targets.append(aid)
            continue
        ids = set(e.cases)
        known = set(conn.execute(select(cases.c.id).where(cases.c.id.in_(ids))).scalars()) if ids else set()
        missing = sorted(ids - known)
        if missing:
            problems.append((n, f"{where}.cases", f"no case {', '.join(missing[:10])}"
                                                  + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")))
        if e.docket:
            in_docket = set(conn.execute(
                select(case_proceedings.c.case_id).join(proceedings, proceedings.c.id == case_proceedings.c.proceeding_id)
                .join(cases, cases.c.id == case_proceedings.c.case_id)
                .where(proceedings.c.docket == e.docket, cases.c.stage != "closed")).scalars())
            if not in_docket:
                problems.append((n, f"{where}.docket", "no open case in this proceeding"))
            ids |= in_docket
        targets.append(sorted(ids))
    if problems:
        raise InputProblems([(path, msg) for _, path, msg in sorted(problems, key=lambda p: p[0])])
    return targets


def _record_case_event(uow, e, ids: list[str]) -> dict:
    from witness.domain.events import case_event
    from witness.services.events import publish

    conn = uow.conn
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    fresh = conn.execute(dialect.insert(received_events).values(
        event_id=e.event_id, kind=e.kind, occurred_at=e.occurred_at, recorded_at=uow.now, source=e.source,
        historical=e.historical).on_conflict_do_nothing(index_elements=["event_id"])
        .returning(received_events.c.event_id)).first()
    if fresh is None:
        return {"event": e.event_id, "duplicate": True, "cases": 0, "historical": e.historical}
    params = {"event_id": e.event_id}
    if e.at is not None:
        params["at"] = e.at
    if e.to_stage:
        params["to_stage"] = e.to_stage
    if not e.historical:
        publish(uow, case_event(e.kind, ids, **params))
    uow.audit("event.record", e.event_id[:120], f"{e.kind} for {len(ids)} cases{'; historical' if e.historical else ''}")
    return {"event": e.event_id, "duplicate": False, "cases": len(ids), "historical": e.historical}
