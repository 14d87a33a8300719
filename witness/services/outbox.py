"""Notices: the transactional outbox (R-24, R-50…R-52).

Events write notices in the transaction that records them (`on_custody_change`, `on_case_event`,
registered in witness/wiring.py): if the event rolls back, so do its notices; if it commits,
nothing can lose them. Delivery is the relay's job (witness/services/relay.py).

Fan-out is set-based: one query reads every recipient of an event, one multi-row insert writes
every notice, so an accused linked to 500 victims queues in a few milliseconds. Keys are
deterministic, so the same event written twice inserts nothing new.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from witness.domain.events import AccusedCustodyChanged, CaseEvent
from witness.domain.notice import (COORDINATOR_COPY, KIND_PARAMS, OPT_OUT_ALLOWED, STAFF_ONLY, Channel, NoticeKind,
                                   Recipient, Status, case_event_notice, channels_for, custody_notice, language_of,
                                   new_ack_code)
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ConfigError
from witness.outputs.dates import date_text, datetime_text
from witness.outputs.notice_text import has_template
from witness.services.worklist import add_items, item
from witness.store.notice_tables import notice_opt_outs, notices
from witness.store.tables import cases, identities
from witness.store.dialects import insert_rows

CHUNK = 900  # ids per IN (...) list: well under SQLite's variable limit


def directory(settings):
    """The staff directory (config/oncall.yaml, or WITNESS_ONCALL_FILE), validated on load."""
    from witness.oncall import load_directory

    return load_directory(settings.oncall_file)


def templates_dir(settings) -> Path:
    return settings.templates_dir


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


def _local(at: datetime, profile, language: str = "en", date_only: bool = False) -> str:
    # The state's own time, written as the reader's language writes dates (Thai: Buddhist era),
    # the same way as in court documents.
    if date_only:
        return date_text(at.astimezone(profile.tz).date(), language)
    return datetime_text(at, profile.tz, language)


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
        staff_dir = directory(uow.settings)
    except ConfigError:
        # A broken staff directory must not stop an event from being recorded: coordinators get a
        # worklist item instead of an email; the relay reports the file when it runs.
        staff_dir = None
    found = _recipients(conn, list(dict.fromkeys(case_ids)))
    opted = _opted_out(conn, [r.id for r in found], kind)
    # DNH-22: nothing goes to a child's guardian linked to an accused (the relay checks again at sending).
    from witness.services.guardians import case_facts_many as guardian_links

    guarded = [r.id for r in found if r.has_guardian]
    from witness.domain.care import link_recorded

    complicit = {cid for i in range(0, len(guarded), CHUNK)
                 for cid, f in guardian_links(conn, guarded[i:i + CHUNK], now).items()
                 if link_recorded(f.get("guardian_accused_link"))}
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
    translated: dict[str, bool] = {}  # language -> has a template for this kind (asked once, not per victim)
    for r in found:
        by_coordinator.setdefault(r.coordinator, []).append(r)
        if r.id in opted or kind in STAFF_ONLY:
            continue
        profile = uow.profiles.get(r.jurisdiction)
        at = None
        if "when" in KIND_PARAMS.get(kind, ()):
            at = params.get("at") or (r.reflection_ends_at if kind is NoticeKind.reflection_ending else None)
        safe = tuple(c for c in r.safe_channels.split(",") if c)
        people = [(Recipient.victim, language_of(r.preferred_language),
                   {a for a, has in (("sms", r.has_phone), ("email", r.has_email)) if has})]
        if presumed_child(AgeStatus(r.age_status)) and r.has_guardian and r.id not in complicit:
            people.append((Recipient.guardian, language_of(r.guardian_language or r.preferred_language),
                           {"sms"} if r.has_guardian_phone else set()))
        for recipient, language, addresses in people:
            # Dates in the language the text goes out in: English where the translation is missing.
            if language not in translated:
                translated[language] = has_template(templates_dir(uow.settings), language, kind.value)
            written = language if translated[language] else "en"
            values = {} if at is None else {
                "when": _local(at, profile, written, date_only=kind is NoticeKind.reflection_ending)}
            group = notice_key(cipher, occasion, r.id, recipient, "group")
            channels = channels_for(safe, addresses, urgent) or [Channel.worklist]
            made = [add(r.id, recipient.value, None, ch.value, language, values, group) for ch in channels]
            if urgent:
                groups.append((group, made))
            if not translated[language]:
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
    return insert_rows(conn, notices, rows, skip_taken="idempotency_key")
