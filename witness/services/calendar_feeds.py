"""Publishing and exporting the hearing calendars (R-63).

`refresh_in` runs inside the unit of work that changed a hearing, its witnesses, measures or
bookings: it works out what each audience now sees of each hearing, and for every event whose
content changed it keeps the UID and adds one to SEQUENCE (in the database, so every export agrees).
An event nobody should see any more — a cancelled hearing, a withdrawn witness, an officer taken
off the team — is kept with STATUS:CANCELLED so subscribed calendars drop it.
`export` only reads those rows and renders them: the same state gives byte-identical feeds.
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta, timezone

from sqlalchemy import bindparam, select, update

from witness.domain.access import Actor, staff_feed
from witness.domain.fields import ResourceId, UserId, problem
from witness.domain.guardrails import ActionKind, gated
from witness.domain.hearing import AppearanceStatus, HearingStatus
from witness.domain.protection import MeasureStatus
from witness.errors import InputProblems, NotFound
from witness.outputs import obligation_events
from witness.outputs.calendars import (AUDIENCES, EVENTS, KEEP_CANCELLED_DAYS, VICTIM_TEXT, HearingView, StoredEvent,
                                       WitnessView, body, contents, fingerprint_of, render)
from witness.services import obligations
from witness.services.access import need_to_know
from witness.services.guardrails import enforce
from witness.services.worklist import add_items, item
from witness.store.dialects import among, insert_rows, parts
from witness.store.hearing_tables import appearances, bookings, calendar_events, hearing_changes, hearings, measures
from witness.store.records import case_access, case_row
from witness.store.tables import cases, identities, proceedings, worklist

CONFIRMED, CANCELLED = "CONFIRMED", "CANCELLED"


def views(conn, profiles, hearing_ids: list[str]) -> dict[str, HearingView]:
    """What the calendars are built from, for active hearings. Pseudonyms, ids and times only."""
    if not hearing_ids:
        return {}
    ids = sorted(hearing_ids)
    wanted_ids = set(ids)
    hs = conn.execute(select(hearings, proceedings.c.docket, proceedings.c.court, proceedings.c.jurisdiction,
                             proceedings.c.prosecutor)
                      .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
                      .where(among(conn, hearings.c.id, ids))).all()
    apps = conn.execute(
        select(appearances.c.hearing_id, appearances.c.case_id, appearances.c.mode, appearances.c.pickup_ref,
               appearances.c.interpreter, appearances.c.language, cases.c.coordinator, cases.c.preferred_language,
               identities.c.guardian_name.is_not(None).label("has_guardian"), identities.c.guardian_language)
        .join(cases, cases.c.id == appearances.c.case_id)
        .outerjoin(identities, identities.c.case_id == appearances.c.case_id)
        .where(among(conn, appearances.c.hearing_id, ids), appearances.c.status == AppearanceStatus.planned.value)
        .order_by(appearances.c.hearing_id, appearances.c.case_id)).all()
    ms: dict[tuple[str, str], list] = {}
    for m in conn.execute(select(measures.c.hearing_id, measures.c.case_id, measures.c.kind, measures.c.status,
                                 measures.c.request_by, measures.c.late)
                          .where(among(conn, measures.c.hearing_id, ids), measures.c.status != MeasureStatus.cancelled.value)
                          .order_by(measures.c.kind)):
        ms.setdefault((m.hearing_id, m.case_id), []).append(m)
    teams: dict[tuple[str, str], list] = {}
    for b in conn.execute(select(bookings.c.hearing_id, bookings.c.case_id, bookings.c.resource_id, bookings.c.starts_at,
                                 bookings.c.ends_at)
                          .where(among(conn, bookings.c.hearing_id, ids), bookings.c.measure == "escort",
                                 bookings.c.status == "booked").order_by(bookings.c.resource_id)):
        teams.setdefault((b.hearing_id, b.case_id), []).append(b)
    moved: dict[str, object] = {}
    for c in conn.execute(select(hearing_changes.c.hearing_id, hearing_changes.c.from_starts_at)
                          .where(among(conn, hearing_changes.c.hearing_id, ids), hearing_changes.c.change == "moved")
                          .order_by(hearing_changes.c.id)):
        moved[c.hearing_id] = c.from_starts_at  # the latest move wins
    gaps: dict[tuple[str, str], list[str]] = {}
    case_ids = sorted({a.case_id for a in apps})
    for part in parts(conn, case_ids):
        for g in conn.execute(select(worklist.c.key, worklist.c.case_id, worklist.c.detail)
                              .where(among(conn, worklist.c.case_id, part), worklist.c.kind == "hearing_gap",
                                     worklist.c.done_at.is_(None)).order_by(worklist.c.key)):
            hid = g.key.split(":")[1]
            if hid in wanted_ids:
                gaps.setdefault((hid, g.case_id), []).append(g.detail)
    witnesses: dict[str, list] = {}  # grouped once: scanning every witness per hearing was quadratic (the sweep)
    for a in apps:
        witnesses.setdefault(a.hearing_id, []).append(a)
    out = {}
    for h in hs:
        tz = profiles[h.jurisdiction].time_zone
        ws = []
        for a in witnesses.get(h.id, ()):
            team = teams.get((h.id, a.case_id), [])
            ws.append(WitnessView(
                case_id=a.case_id, coordinator=a.coordinator, mode=a.mode, language=a.preferred_language,
                guardian_language=(a.guardian_language or a.preferred_language) if a.has_guardian else None,
                pickup_ref=a.pickup_ref, interpreter=a.interpreter, interpreter_language=a.language,
                measures=tuple((m.kind, m.status, m.request_by.isoformat() if m.request_by else None, bool(m.late))
                               for m in ms.get((h.id, a.case_id), [])),
                escort_team=tuple(b.resource_id for b in team),
                escort_start=min((b.starts_at for b in team), default=None),
                escort_end=max((b.ends_at for b in team), default=None),
                gaps=tuple(gaps.get((h.id, a.case_id), []))))
        out[h.id] = HearingView(
            id=h.id, docket=h.docket, court=h.court, room=h.room, kind=h.kind, tz=tz, starts_at=h.starts_at,
            ends_at=h.ends_at, cancelled=h.status == HearingStatus.cancelled.value,
            moved_from=moved.get(h.id) if h.status == HearingStatus.moved.value else None,
            prosecutor=h.prosecutor, witnesses=tuple(ws))
    return out


def refresh_in(uow, hearing_ids: list[str]) -> int:
    """Bring the stored events of these hearings up to date. Returns how many events changed."""
    conn, now = uow.conn, uow.now
    ids = sorted(set(hearing_ids))
    if not ids:
        return 0
    status = dict(conn.execute(select(hearings.c.id, hearings.c.status).where(among(conn, hearings.c.id, ids))).all())
    live = [h for h in ids if status.get(h) in (HearingStatus.scheduled.value, HearingStatus.moved.value)]
    wanted = {hid: contents(v) for hid, v in views(conn, uow.profiles, live).items()}
    existing: dict[str, dict[tuple[str, str], object]] = {}
    # Not the stored content: what changed is told by the fingerprint (a dropped event's content is
    # read below, for those few only).
    for r in conn.execute(select(calendar_events.c.uid, calendar_events.c.hearing_id, calendar_events.c.audience,
                                 calendar_events.c.subject, calendar_events.c.sequence, calendar_events.c.fingerprint,
                                 calendar_events.c.status).where(among(conn, calendar_events.c.hearing_id, ids))):
        existing.setdefault(r.hearing_id, {})[(r.audience, r.subject)] = r
    # Written as one executemany per kind of change (the sweep refreshes thousands of events at once).
    added, edited, dropped = [], [], []
    for hid in ids:
        if status.get(hid) == HearingStatus.held.value:
            continue  # a past hearing's events stay as they were
        new = wanted.get(hid, {})
        old = existing.get(hid, {})
        for (audience, subject), content in sorted(new.items()):
            stored = body(content)
            fp = fingerprint_of(stored, CONFIRMED)
            row = old.get((audience, subject))
            if row is None:
                added.append(dict(uid=f"{uuid.uuid4()}@witness", hearing_id=hid, audience=audience, subject=subject,
                                  sequence=0, fingerprint=fp, status=CONFIRMED, content=stored,
                                  starts_at=_start(content), changed_at=now))
            elif row.fingerprint != fp:
                edited.append(dict(b_uid=row.uid, b_sequence=row.sequence + 1, b_fingerprint=fp,
                                   b_content=stored, b_starts_at=_start(content)))
        for key, row in sorted(old.items()):
            if key not in new and row.status != CANCELLED:
                dropped.append(dict(b_uid=row.uid, b_sequence=row.sequence + 1))
    if dropped:
        kept: dict[str, str] = {}
        uids = [d["b_uid"] for d in dropped]
        for part in parts(conn, uids):
            kept.update(conn.execute(select(calendar_events.c.uid, calendar_events.c.content)
                                       .where(among(conn, calendar_events.c.uid, part))).all())
        for d in dropped:
            d["b_fingerprint"] = fingerprint_of(body(json.loads(kept[d["b_uid"]])), CANCELLED)
    if added:
        insert_rows(conn, calendar_events, added)
    if edited:
        conn.execute(update(calendar_events).where(calendar_events.c.uid == bindparam("b_uid")).values(
            sequence=bindparam("b_sequence"), fingerprint=bindparam("b_fingerprint"), status=CONFIRMED,
            content=bindparam("b_content"), starts_at=bindparam("b_starts_at"), changed_at=now), edited)
    if dropped:
        conn.execute(update(calendar_events).where(calendar_events.c.uid == bindparam("b_uid")).values(
            sequence=bindparam("b_sequence"), status=CANCELLED, changed_at=now, fingerprint=bindparam("b_fingerprint")),
            dropped)
    return len(added) + len(edited) + len(dropped)


def _start(content: dict):
    from datetime import datetime

    return datetime.fromisoformat(content["start"])


# Built once: a feed is fetched over and over (witness.store.dialects.select_for says what that saves).
_FEED_EVENTS = select(calendar_events).where(
    calendar_events.c.audience == bindparam("audience"), calendar_events.c.subject == bindparam("subject"),
    calendar_events.c.starts_at >= bindparam("since")).order_by(calendar_events.c.starts_at, calendar_events.c.uid)


@gated(ActionKind.publish_calendar)
def export(app, actor: Actor, audience: str, subject: str | None = None, case_id: str | None = None) -> bytes:
    """One audience member's feed. Staff get their own feed (a coordinator may export anyone's, to
    hand it on); the victim's and the guardian's feeds need `case_id` and pass the Do No Harm rules
    for a calendar that reaches the victim (no identity in it: `includes_identity=False`)."""
    if audience not in AUDIENCES:
        raise InputProblems([("audience", f"use one of {', '.join(AUDIENCES)}")])
    # The subject names the feed inside the .ics: a CRLF in it broke the file (an AssertionError).
    if subject is not None and problem(UserId, subject) and problem(ResourceId, subject):
        raise InputProblems([("for", "a user, officer or interpreter id: letters a-z, digits, '.', '_', '-'")])
    victims = audience in ("victim", "guardian")
    if victims and not case_id:
        raise InputProblems([("case", f"the {audience}'s calendar needs --case")])
    if not victims:  # a staff feed is its subject's own (a coordinator may hand anyone's on)
        need_to_know(app, actor, "calendar.export", access=staff_feed(audience, subject or actor.user))
    task = None
    # A feed is fetched over and over (a calendar app polls it), so it is one read transaction, no
    # writer lock, with its access audited without an fsync of its own: see
    # UnitOfWork.reading(durable_audit=False) for what that risks (the last access rows before a
    # power cut) and why it is accepted for access rows only. Nothing else is written here.
    with app.uow(actor).reading(durable_audit=False) as uow:
        conn, now = uow.conn, uow.now
        lang = "en"
        if victims:
            # Handed over by the coordinators of that victim's case: who is on the case is read in
            # this same snapshot (a refusal is still audited, in a transaction of its own).
            need_to_know(app, actor, "calendar.victim", access=case_access(conn, case_id))
            row = case_row(conn, case_id)
            enforce(uow, ActionKind.publish_calendar, case_id, includes_identity=False, recipient_role=audience)
            wanted = row.preferred_language
            if audience == "guardian":
                g = conn.execute(select(identities.c.guardian_name.is_not(None).label("has"), identities.c.guardian_language)
                                 .where(identities.c.case_id == case_id)).first()
                if g is None or not g.has:
                    raise NotFound(f"guardian: no guardian recorded for {case_id}")
                wanted = g.guardian_language or row.preferred_language
            lang, task = _language_or_task(row, wanted, audience, now)
            subject = case_id
        else:
            subject = subject or actor.user
        since = now - timedelta(days=KEEP_CANCELLED_DAYS)
        rows = conn.execute(_FEED_EVENTS, {"audience": audience, "subject": subject, "since": since}).all()
        if audience == "interpreter":
            from witness.services.interpreters import _blocked

            if _blocked(uow, subject):
                rows = []  # a blocked interpreter's feed empties: their calendar forgets where the victims will be
        events = [StoredEvent(r.uid, r.sequence, r.status, r.changed_at, _content(r.fingerprint, r.content), r.fingerprint)
                  for r in rows]
        extra, zones = [], []
        if audience in ("victim", "guardian"):
            # The victim's own dated obligations: interviews they agreed to, their reflection end, instalments.
            dated = obligations.of_victim(conn, uow.profiles, row, now)
            # Stamped with the start of the day (UTC): the same facts give the same bytes all day,
            # and their serialised events come from the cache.
            stamp = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
            extra = [EVENTS.get(("dated", audience, lang, o.uid_seed, o.detail, stamp),
                                lambda o=o: obligation_events.victim_event_text(o, stamp, lang, audience)) for o in dated]
            zones = obligation_events.zones(dated)
        ics = render(audience, subject, events, lang, extra=extra, extra_zones=zones)
        uow.audit("calendar.export", subject, f"{audience} feed: {len(events) + len(extra)} events")
        uow.commit()
    if task is not None:  # rare: a language with no calendar wording yet; the item is added once (its key)
        with app.uow(actor) as w:
            add_items(w.conn, [task])
            w.commit()
    return ics


_CONTENTS: dict[str, dict] = {}  # stored content by fingerprint: the JSON is parsed once per change


def _content(fp: str, raw: str) -> dict:
    found = _CONTENTS.get(fp)
    if found is None:
        if len(_CONTENTS) > 50_000:
            _CONTENTS.clear()
        found = _CONTENTS[fp] = json.loads(raw)
    return found


def _language_or_task(row, wanted: str | None, audience: str, now) -> tuple[str, dict | None]:
    """The feed's language, and the worklist item for the coordinator when it has no wording yet."""
    base = (wanted or "en").split("-")[0].lower()
    if base in VICTIM_TEXT:
        return base, None
    return "en", item(f"{row.id}:calendar_language:{audience}:{base}", row.id, "translation_missing",
                      row.coordinator, now, now,
                      f"{row.id}: the {audience}'s calendar has no {base} wording yet and is in English; go "
                      "through the hearing dates with them and an interpreter (R-54).")


def events_of(conn, hearing_id: str) -> list:
    return conn.execute(select(calendar_events).where(calendar_events.c.hearing_id == hearing_id)
                        .order_by(calendar_events.c.audience, calendar_events.c.subject)).all()
