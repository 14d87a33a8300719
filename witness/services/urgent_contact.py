"""What the coordinator does with an urgent release alert on the Today page, beside recording
contact (acknowledgements.record_contact): read the call script, and escalate to the person on call
(design/web-pages.md, Today; R-53; Guide: Criminal Justice §1 — the victim is told at once when an
accused is freed, and someone keeps trying until she is reached).

The call script is the reviewed notice text for what happened (templates/notices), in the victim's
language to read out (or hand to the interpreter) and in the coordinator's, with the number she is
told to call: the same words the relay's call / visit task carries, never a name or a place.
"""
from __future__ import annotations

from sqlalchemy import select

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.domain.proceeding import FREE_AGAIN, Custody
from witness.domain.worklist import is_urgent
from witness.errors import InputProblems, NotFound
from witness.outputs.notice_text import render
from witness.services.access import need_to_know
from witness.services.outbox import directory, templates_dir
from witness.services.worklist import add_items, item
from witness.store.records import case_row
from witness.store.tables import accused, case_proceedings, proceeding_accused, worklist


@ungated("a read (audited): the text the coordinator reads to the victim")
def call_script(app, actor: Actor, case_id: str, staff_language: str = "en") -> dict:
    """The release or escape notice for this case's most recently freed accused, in the victim's
    language and in `staff_language`, with the number to call. `script` is None when no accused of
    the case is free (there is nothing to tell her about a release)."""
    need_to_know(app, actor, "notice.ack", case=case_id)  # whoever records contact with her
    with app.uow(actor).reading() as uow:  # a read: no writer lock; audited before it is returned
        row = case_row(uow.conn, case_id)
        tz = app.profile(row.jurisdiction).tz
        freed = uow.conn.execute(
            select(accused.c.label, accused.c.custody, accused.c.custody_changed_at)
            .join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
            .join(case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
            .where(case_proceedings.c.case_id == case_id, accused.c.custody.in_(sorted(c.value for c in FREE_AGAIN)))
            .order_by(accused.c.custody_changed_at.desc())).first()
        uow.audit("notice.script", case_id, f"call script read ({freed.custody if freed else 'no accused free'})")
        uow.commit()
    out = {"case": case_id, "victim_language": row.preferred_language, "staff_language": staff_language,
           "script": None}
    if freed is None:
        return out
    kind = "accused_escaped" if freed.custody == Custody.escaped.value else "accused_released"
    values = {"call": directory(app.settings).call_number(row.jurisdiction, row.coordinator), "code": "", "repeat": 0}
    said = render(templates_dir(app.settings), kind, row.preferred_language, values)
    staff = render(templates_dir(app.settings), kind, staff_language, values)
    out.update(script={"kind": kind, "accused": freed.label, "custody": freed.custody,
                       "since": freed.custody_changed_at.astimezone(tz), "call": values["call"],
                       "said": said, "staff": staff})
    return out


@ungated("hands the coordinator's own urgent item to the people on call; nothing reaches the victim")
def escalate(app, actor: Actor, item_id: int) -> list[str]:
    """Put the coordinator's open urgent item on the worklist of everyone on call for its case's
    state (config/oncall.yaml), now. The coordinator's item stays open: recording contact closes
    them all. Returns who it went to. Running it twice adds nothing (keys are deterministic)."""
    need_to_know(app, actor, "worklist.read")
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(worklist).where(worklist.c.id == item_id, worklist.c.done_at.is_(None))).first()
        if row is None or row.assignee != actor.user:  # someone else's answers like a missing one
            raise NotFound(f"item: no open item {item_id}")
        if not is_urgent(row.kind, row.detail) or not row.case_id:
            raise InputProblems([("item", "only an urgent alert about a victim is escalated; snooze or finish this one")])
        jurisdiction = case_row(uow.conn, row.case_id).jurisdiction
        oncall = directory(app.settings).oncall_for(jurisdiction)
        if not oncall:
            raise InputProblems([("item", f"no one is on call for {jurisdiction} in the staff directory")])
        detail = f"URGENT {row.case_id}: escalated by {actor.user}. {row.detail}"[:500]
        add_items(uow.conn, [item(f"escalated:{item_id}:{p.name}", row.case_id, row.kind, p.name, uow.now, uow.now,
                                  detail) for p in oncall])
        names = [p.name for p in oncall]
        uow.audit("worklist.escalate", row.case_id, f"{row.kind} item {item_id} escalated to {', '.join(names)}")
        uow.commit()
    return names
