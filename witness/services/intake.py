"""Opening a case from an intake form (R-10, R-11, R-12, R-15, R-21, R-22)."""
from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from sqlalchemy import insert, select

from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ActionKind, gated, unresolved
from witness.domain.intake import IntakeForm
from witness.domain.reflection import ReflectionPeriod
from witness.domain.stage import Stage
from witness.domain.victim import age_status, new_pseudonym, presumed_child
from witness.errors import InputProblems
from witness.forms import validate
from witness.services import guardians, media
from witness.services.guardrails import check, to_worklist
from witness.services.worklist import add_items
from witness.store.care_tables import circumstances
from witness.domain.information import needs_explanation
from witness.services.consent import _record_explanation
from witness.store.tables import (accused, case_proceedings, cases, consents, identities, proceeding_accused,
                                  proceedings, relationships, services, stage_history)


def check_form(app, data: Any) -> IntakeForm:
    """Every problem at once: field errors first, then the rules that need the whole form."""
    form = validate(IntakeForm, data, context={"jurisdictions": app.profiles})
    problems: list[tuple[str, str]] = []
    profile = app.profile(form.jurisdiction)
    opened = form.opened_at or app.clock.now()
    status = age_status(form.victim.date_of_birth, form.victim.age_estimate, form.victim.age_determined,
                        opened.astimezone(profile.tz).date())
    child = presumed_child(status)
    # A child found before a guardian is appointed gets a case at once, "guardian pending": only
    # safety measures go ahead until one is recorded (DNH-04), and the sweep follows up daily.
    if child:
        for i, c in enumerate(form.consents):
            if form.guardian is None and c.guardian_agreed:
                problems.append((f"consents.{i}.guardian_agreed", "no guardian is recorded yet (guardian pending); "
                                                                  "record the guardian first (R-15)"))
            elif not c.guardian_agreed:
                problems.append((f"consents.{i}.guardian_agreed", "a child's consent needs the guardian as a party (R-15)"))
    elif form.guardian is not None and form.guardian.accused_link is not None:
        problems.append(("guardian.accused_link", "an adult has no guardian in the case; leave it out"))
    if form.guardian is not None and form.guardian.accused_link is not None:
        labels = {a.label for p in form.proceedings for a in p.accused}
        if form.guardian.accused_link not in labels:
            problems.append(("guardian.accused_link", "not an accused in this form's proceedings"))
    if form.opened_at is not None and form.opened_at > app.clock.now():
        problems.append(("opened_at", "is in the future"))
    if form.victim.date_of_birth is not None and form.victim.date_of_birth > opened.astimezone(profile.tz).date():
        problems.append(("victim.date_of_birth", "is after the day the case is opened"))
    if form.reflection_days is not None and form.reflection_days > profile.reflection.max_days:
        problems.append(("reflection_days", f"{form.reflection_days} exceeds {form.jurisdiction}'s maximum of "
                                            f"{profile.reflection.max_days} days"))
    for i, c in enumerate(form.consents):
        if needs_explanation(c.scope) and not c.explained:
            problems.append((f"consents.{i}.explained", f"consent to {c.scope} needs the information sheet explained "
                                                        "first (DNH-31); say explained: true once it was"))
        channel = c.scope.split(":", 1)[1] if c.scope.startswith("notification:") else None
        if channel and channel not in form.victim.safe_channels:
            problems.append((f"consents.{i}.scope", f"channel {channel!r} is not among victim.safe_channels"))
    dockets = [p.docket for p in form.proceedings]
    for i, d in enumerate(dockets):
        if dockets.index(d) != i:
            problems.append((f"proceedings.{i}.docket", "listed twice"))
    if problems:
        raise InputProblems(problems)
    return form


@gated(ActionKind.start_service)
def open_case(app, actor: Actor, data: Any) -> str:
    """Validate, then write the whole case in one transaction. Returns the pseudonym."""
    need_to_know(app, actor, "case.intake")
    form = check_form(app, data)
    profile = app.profile(form.jurisdiction)
    with app.uow(actor) as uow:
        now = uow.now
        opened = form.opened_at or now
        v = form.victim
        status = age_status(v.date_of_birth, v.age_estimate, v.age_determined, opened.astimezone(profile.tz).date())
        period = ReflectionPeriod.start(opened, profile.reflection_days(form.reflection_days), profile.reflection.max_days)
        conn, cipher = uow.conn, uow.cipher
        rng = secrets.SystemRandom()
        case_id = new_pseudonym(rng)
        while conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first():
            case_id = new_pseudonym(rng)
        conn.execute(insert(cases).values(
            id=case_id, jurisdiction=form.jurisdiction, coordinator=form.coordinator, stage=Stage.reflection.value,
            opened_at=opened, age_status=status.value, gender=v.gender, nationality=v.nationality,
            preferred_language=v.preferred_language, escort_gender_preference=v.escort_gender_preference,
            safe_channels=",".join(v.safe_channels), reflection_started_at=period.started_at,
            reflection_ends_at=period.ends_at, reflection_max_ends_at=period.max_ends_at, updated_at=now))
        enc = lambda col, val: cipher.encrypt("identities", col, case_id, val)  # noqa: E731
        g = form.guardian
        conn.execute(insert(identities).values(
            case_id=case_id, legal_name=enc("legal_name", v.legal_name),
            aliases=enc("aliases", json.dumps(v.aliases)) if v.aliases else None,
            date_of_birth=enc("date_of_birth", v.date_of_birth.isoformat() if v.date_of_birth else None),
            phone=enc("phone", v.contact.phone), email=enc("email", v.contact.email),
            address=enc("address", v.address), notes=enc("notes", v.notes),
            guardian_name=enc("guardian_name", g.name if g else None),
            guardian_relationship=enc("guardian_relationship", g.relationship if g else None),
            guardian_phone=enc("guardian_phone", g.phone if g else None),
            guardian_language=g.language if g else None,
            name_index=cipher.blind_index(v.legal_name)))
        conn.execute(insert(stage_history).values(
            case_id=case_id, from_stage=None, to_stage=Stage.reflection.value, at=now, actor=actor.user,
            role=actor.role.value, reason=cipher.encrypt("stage_history", "reason", case_id, "case opened")))
        _link_proceedings(conn, form, case_id, now)
        for c in form.consents:
            if c.explained:
                _record_explanation(uow, case_id, c.scope, c.given_at or now, c.language, c.interpreter)
            conn.execute(insert(consents).values(
                id=str(uuid.uuid4()), case_id=case_id, scope=c.scope, method=c.method.value, language=c.language,
                interpreter=c.interpreter, guardian_agreed=c.guardian_agreed, given_at=c.given_at or now,
                recorded_by=actor.user))
        for kind in dict.fromkeys(form.services):
            conn.execute(insert(services).values(id=str(uuid.uuid4()), case_id=case_id, kind=kind.value,
                                                 status="active", started_at=now))
            # Intake records where the victim already is: refusing the record would not take them out
            # of a shelter, only lose the case. So a service the gate would stop (a shelter without
            # shelter_stay consent, DNH-13) is recorded and goes on the coordinator's worklist at once.
            stopping = unresolved(check(uow, ActionKind.start_service, case_id, service=kind.value), {})
            if stopping:
                to_worklist(uow, stopping, ActionKind.start_service, case_id, form.coordinator, f"intake:{kind.value}",
                            f"{kind.value} was recorded at intake without what the rules ask for")
        _care_facts(uow, form, case_id, presumed_child(status), opened)
        uow.audit("case.intake", case_id, f"case opened in {form.jurisdiction}; reflection until "
                                          f"{period.ends_at.astimezone(profile.tz).date().isoformat()}")
        uow.commit()
    return case_id


def _care_facts(uow, form: IntakeForm, case_id: str, child: bool, opened) -> None:
    """The intake facts the Guide needs (issue 12): circumstances, the guardian's record (and an
    accused link escalated), a child's pending guardian, a media breach already known."""
    c = form.circumstances
    uow.conn.execute(insert(circumstances).values(
        case_id=case_id, exploitation=",".join(dict.fromkeys(e.value for e in c.exploitation)),
        pregnancy=uow.cipher.encrypt("circumstances", "pregnancy", case_id, c.pregnancy.value if c.pregnancy else None,
                                     owner=case_id),
        accompanying_children=c.accompanying_children, media_exposure=c.media_breach))
    if child and form.guardian is not None:
        guardians.note_guardian(uow, case_id, form.coordinator, form.guardian.relationship, form.guardian.accused_link)
    elif child:
        add_items(uow.conn, [guardians.pending_item(case_id, form.coordinator, opened, 0, uow.now, uow.now)])
    if c.media_breach:
        media.note_breach(uow, case_id, form.coordinator)


def _link_proceedings(conn, form: IntakeForm, case_id: str, now) -> None:
    """Find a proceeding by docket (one proceeding, many victims) or create it; same for its accused."""
    for p in form.proceedings:
        row = conn.execute(select(proceedings.c.id).where(proceedings.c.jurisdiction == form.jurisdiction,
                                                          proceedings.c.docket == p.docket)).first()
        pid = row.id if row else str(uuid.uuid4())
        if row is None:
            conn.execute(insert(proceedings).values(id=pid, jurisdiction=form.jurisdiction, court=p.court,
                                                    docket=p.docket, prosecutor=p.prosecutor))
        conn.execute(insert(case_proceedings).values(case_id=case_id, proceeding_id=pid))
        for a in p.accused:
            found = conn.execute(
                select(accused.c.id).join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
                .where(proceeding_accused.c.proceeding_id == pid, accused.c.label == a.label)).first()
            aid = found.id if found else str(uuid.uuid4())
            if found is None:
                conn.execute(insert(accused).values(id=aid, label=a.label, custody=a.custody.value, custody_changed_at=now))
                conn.execute(insert(proceeding_accused).values(proceeding_id=pid, accused_id=aid))
            conn.execute(insert(relationships).values(case_id=case_id, accused_id=aid, relationship=a.relationship.value))
