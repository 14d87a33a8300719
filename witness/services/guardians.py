"""A child's guardian (issue 12, item 6; R-15).

A child found before a guardian is appointed gets a case at once ("guardian pending"): intake no
longer refuses it. Until a guardian is recorded only safety measures and escorts go ahead
(DNH-04-child-guardian), and the sweep reminds the coordinator every day. The guardian is recorded
later with `record` (`witness guardian record`). A guardian linked to an accused — named as such,
or family while an accused is family (parental complicity) — is escalated at once and flagged to
every later action by DNH-21-guardian-complicity (Guide: Criminal Justice §7; Victim
Identification §1). The sweep also follows up a child's case whose proceedings stall (Criminal
Justice §6: "without undue delay").
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update

from witness.domain.access import Actor
from witness.domain.care import guardian_accused_link, link_recorded, period_due
from witness.domain.guardrails import ungated
from witness.domain.intake import GuardianIn
from witness.domain.stage import Stage
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ActionBlocked, InputProblems
from witness.forms import validate
from witness.services.access import need_to_know
from witness.services.sweep import by_jurisdiction, worklist_follow_up
from witness.services.worklist import add_items, item
from witness.store.care_tables import guardian_records
from witness.store.hearing_tables import hearings
from witness.store.records import case_row
from witness.store.tables import (accused, case_proceedings, cases, identities, relationships, stage_history,
                                  worklist)
from witness.store.dialects import select_for

PENDING = "guardian_pending"
COMPLICITY = "guardian_complicity"
STALLED = "child_proceedings_stalled"
_CHILD = (AgeStatus.child.value, AgeStatus.uncertain.value)
# Stages in which the criminal process, not the victim, sets the pace.
_PROCEEDING_STAGES = (Stage.investigation.value, Stage.pre_trial.value, Stage.trial.value, Stage.appeal.value)


def _accused_of(conn, case_id: str) -> list[tuple[str, str]]:
    return [(r.label, r.relationship) for r in conn.execute(
        select(accused.c.label, relationships.c.relationship).join(relationships, relationships.c.accused_id == accused.c.id)
        .where(relationships.c.case_id == case_id).order_by(accused.c.label))]


def note_guardian(uow, case_id: str, coordinator: str, relationship: str, named_link: str | None) -> str | None:
    """Keep the guardian's record; escalate at once when the guardian is linked to an accused.
    Used by intake and by `record`. Returns the link found, if any."""
    link = guardian_accused_link(relationship, named_link, _accused_of(uow.conn, case_id))
    rid = uow.conn.execute(guardian_records.insert().values(case_id=case_id, recorded_at=uow.now,
                                                            recorded_by=uow.actor.user, accused_link=link)
                           .returning(guardian_records.c.id)).scalar_one()
    # A guardian recorded ends the daily reminder.
    uow.conn.execute(update(worklist).where(worklist.c.case_id == case_id, worklist.c.done_at.is_(None),
                                            worklist.c.kind == PENDING).values(done_at=uow.now, done_by=uow.actor.user))
    if link_recorded(link):
        # DNH-22: nothing more reaches this guardian; what was queued for them is withdrawn now (a
        # notice already being sent is stopped by the relay's own check).
        from witness.domain.notice import Recipient, Status
        from witness.store.notice_tables import notices

        uow.conn.execute(update(notices).where(
            notices.c.case_id == case_id, notices.c.recipient == Recipient.guardian.value,
            notices.c.status == Status.queued.value).values(
            status=Status.cancelled.value, dead_reason="withheld: the guardian is linked to an accused (DNH-22)",
            updated_at=uow.now))
        # ...and an open task to call or visit them is closed: nobody goes to that guardian now.
        uow.conn.execute(update(worklist).where(worklist.c.done_at.is_(None), worklist.c.case_id == case_id,
                                                worklist.c.key.in_(select(notices.c.idempotency_key).where(
                                                    notices.c.case_id == case_id,
                                                    notices.c.recipient == Recipient.guardian.value)))
                         .values(done_at=uow.now, done_by=uow.actor.user))
    if link:  # recorded or suspected: a person decides at once
        detail = (f"URGENT {case_id}: the child's guardian is linked to an accused ({link}). Parental "
                  "complicity: ask the authority to appoint an independent legal guardian, and review "
                  "contact, shelter and notices to the guardian now; record the link (witness guardian "
                  "record, accused_link) if it is confirmed (Guide: Criminal Justice §7).")
        add_items(uow.conn, [item(f"{case_id}:{COMPLICITY}:{rid}", case_id, COMPLICITY, coordinator, uow.now, uow.now,
                                  detail + _consents_to_review(uow.conn, case_id, DETAIL_MAX - len(detail)))])
    return link


DETAIL_MAX = 500  # worklist.detail's length


def _consents_to_review(conn, case_id: str, room: int) -> str:
    """The child's consents still standing that the guardian agreed to before the link was found:
    that agreement may have served the accused (a return home, an interview the family arranged),
    so the coordinator reviews each with the child and the independent guardian. Scopes only, as
    many as fit in `room` characters (the rest counted: the case page lists them all)."""
    from witness.store.tables import consents

    scopes = sorted({r.scope for r in conn.execute(select(consents.c.scope).where(
        consents.c.case_id == case_id, consents.c.guardian_agreed.is_(True), consents.c.withdrawn_at.is_(None)))})
    head = " Review the consents this guardian agreed to: "
    for shown in range(len(scopes), 0, -1):
        rest = len(scopes) - shown
        text = head + ", ".join(scopes[:shown]) + (f" and {rest} more (case page)." if rest else ".")
        if len(text) <= room:
            return text
    return ""


def pending_item(case_id: str, coordinator: str, opened_at: datetime, n: int, at: datetime, now: datetime) -> dict:
    return item(f"{case_id}:{PENDING}:{n}", case_id, PENDING, coordinator, at, now,
                f"{case_id}: a (presumed) child with no guardian recorded. Ask the authority to appoint a legal "
                "guardian today; only safety measures and escorts may go ahead until one is recorded "
                "(`witness guardian record`; Guide: Victim Identification §1).")


@ungated("records who acts for the child: the rules that need a guardian read it; an accused link escalates")
def record(app, actor: Actor, case_id: str, data: dict) -> str | None:
    """Record (or replace) a child's guardian: name, relationship, phone, language, and optionally
    `accused_link`, the label of an accused the guardian is linked to. Returns the link found."""
    need_to_know(app, actor, "consent.record", case=case_id)  # who may record consents records who is party to them
    g = validate(GuardianIn, data)
    named = g.accused_link
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        if not presumed_child(AgeStatus(row.age_status)):
            raise ActionBlocked(f"case: {case_id} is an adult's; an adult's family or carer is not their guardian")
        if named is not None and named not in {lbl for lbl, _ in _accused_of(uow.conn, case_id)}:
            raise InputProblems([("accused_link", "not an accused in this victim's proceedings")])
        enc = lambda col, val: uow.cipher.encrypt("identities", col, case_id, val)  # noqa: E731
        uow.conn.execute(update(identities).where(identities.c.case_id == case_id).values(
            guardian_name=enc("guardian_name", g.name), guardian_relationship=enc("guardian_relationship", g.relationship),
            guardian_phone=enc("guardian_phone", g.phone), guardian_language=g.language))
        link = note_guardian(uow, case_id, row.coordinator, g.relationship, named)
        uow.audit("guardian.record", case_id, "guardian recorded" + ("; linked to an accused: escalated" if link else ""))
        uow.commit()
    return link


def case_facts(conn, case_id: str, now: datetime) -> dict:
    """Guardrail fact (DNH-21): why the current guardian is linked to an accused, if they are."""
    link = conn.execute(select(guardian_records.c.accused_link).where(guardian_records.c.case_id == case_id)
                        .order_by(guardian_records.c.id.desc()).limit(1)).scalar()
    return {"guardian_accused_link": link} if link else {}


def _guardian_records_of(match):
    return select(guardian_records.c.case_id, guardian_records.c.id, guardian_records.c.accused_link).where(
        match(guardian_records.c.case_id))


def case_facts_many(conn, case_ids: list[str], now: datetime) -> dict[str, dict]:
    """`case_facts` for many cases in one query (the relay's batches): each case's latest record."""
    latest: dict[str, tuple] = {}
    for r in select_for(conn, case_ids, _guardian_records_of):
        if r.case_id not in latest or r.id > latest[r.case_id][0]:
            latest[r.case_id] = (r.id, r.accused_link)
    return {cid: {"guardian_accused_link": link} for cid, (_, link) in latest.items() if link}


# --- the sweep: a guardian still pending, a child's proceedings stalled ------------------------

def _due_pending(now: datetime, profiles):
    reminded = exists().where(worklist.c.case_id == cases.c.id, worklist.c.kind == PENDING,
                              worklist.c.due_at > now - timedelta(days=1))
    # IN over the partial index of identities with no guardian (ix_identities_no_guardian): a join
    # read each child's encrypted identity row to test one column (0.17 -> 0.07 s at 100,000 cases).
    unguarded = select(identities.c.case_id).where(identities.c.guardian_name.is_(None))
    return (select(cases.c.id)
            .where(cases.c.age_status.in_(_CHILD), cases.c.id.in_(unguarded),
                   cases.c.stage != Stage.closed.value, cases.c.opened_at <= now, ~reminded)
            .order_by(cases.c.id))


def _unguarded(ids):
    return (select(cases.c.id, cases.c.coordinator, cases.c.opened_at)
            .join(identities, identities.c.case_id == cases.c.id)
            .where(cases.c.id.in_(ids), identities.c.guardian_name.is_(None)))


def _reminder(r, now: datetime, profiles) -> dict:
    # Day 0 is the day the case opened (intake puts that one on the list itself).
    n, at = period_due(r.opened_at - timedelta(days=1), timedelta(days=1), now)
    return pending_item(r.id, r.coordinator, r.opened_at, n - 1, at, now)


def _last_change():
    return (select(func.max(stage_history.c.at)).where(stage_history.c.case_id == cases.c.id)
            .correlate(cases).scalar_subquery())


def _due_stalled(now: datetime, profiles):
    """A child's case in the criminal process with no stage change and no hearing (past or set)
    for the profile's `child_stall_days`, not followed up in this period."""
    since = by_jurisdiction(cases.c.jurisdiction, {code: now - timedelta(days=p.care.child_stall_days)
                                                   for code, p in profiles.items()})
    hearing = exists().where(case_proceedings.c.case_id == cases.c.id,
                             hearings.c.proceeding_id == case_proceedings.c.proceeding_id,
                             hearings.c.status != "cancelled", hearings.c.starts_at > since)
    asked = exists().where(worklist.c.case_id == cases.c.id, worklist.c.kind == STALLED, worklist.c.due_at > since)
    return (select(cases.c.id).where(cases.c.age_status.in_(_CHILD), cases.c.stage.in_(_PROCEEDING_STAGES),
                                     _last_change() <= since, ~hearing, ~asked)
            .order_by(cases.c.id))


def _in_proceedings(ids):
    # The chunk's cases by their key; the stage is tested on each row (_stalled). With `stage IN`
    # in the query SQLite read every case in the criminal process through the stage index to find
    # the chunk's few dozen (0.10 s at 100,000 cases, 0.44 s at 300,000).
    return (select(cases.c.id, cases.c.coordinator, cases.c.jurisdiction, cases.c.stage, _last_change().label("changed"))
            .where(cases.c.id.in_(ids)))


def _stalled(r, now: datetime, profiles) -> dict | None:
    if r.stage not in _PROCEEDING_STAGES:  # moved on since it was selected
        return None
    days = profiles[r.jurisdiction].care.child_stall_days
    due = period_due(r.changed, timedelta(days=days), now)
    if due is None:
        return None
    n, at = due
    return item(f"{r.id}:{STALLED}:{r.changed.isoformat()}:{n}", r.id, STALLED, r.coordinator, at, now,
                f"{r.id}: a child's case has been at {r.stage.replace('_', ' ')} for {n * days}+ days with "
                "no hearing. Ask the prosecutor and the court to expedite: proceedings involving a child "
                "should start and end without undue delay (Guide: Criminal Justice §6).")


GUARDIAN_PENDING = worklist_follow_up(PENDING, _due_pending, _unguarded, _reminder)
CHILD_PROCEEDINGS_STALLED = worklist_follow_up(STALLED, _due_stalled, _in_proceedings, _stalled)
