"""A media breach: the victim's identity or story reached the media (issue 12, item 9).

Guide: Criminal Justice §2 (privacy and anonymity; the media), Recovery §4 (perpetrators finding the
victim). A breach is a safety fact: it goes on the coordinator's worklist as URGENT at once, makes a
risk reassessment due (R-42), and stays on the case as the `media_exposure` flag (a risk factor,
config/risk.yaml). Reported by `witness media breach CASE` or at intake (`circumstances.media_breach`).
"""
from __future__ import annotations

from sqlalchemy import insert, update

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.services.access import need_to_know
from witness.services.custody import mark_reassessment_due
from witness.services.worklist import add_items, item
from witness.store.care_tables import circumstances
from witness.store.records import case_row
from witness.store.risk_tables import case_flags

KIND = "media_breach"


def note_breach(uow, case_id: str, coordinator: str) -> None:
    """The one handler of a breach, whichever path reports it (intake or the command)."""
    now = uow.now
    uow.conn.execute(insert(case_flags).values(case_id=case_id, flag=KIND, at=now, by=uow.actor.user))
    uow.conn.execute(update(circumstances).where(circumstances.c.case_id == case_id).values(media_exposure=True))
    add_items(uow.conn, [item(f"{case_id}:{KIND}:{now.isoformat()}", case_id, KIND, coordinator, now, now,
                              f"URGENT {case_id}: the victim's identity or story reached the media. Contact the victim "
                              "and their family now, reassess the risk (where they stay, who knows), ask for the "
                              "report's removal and for media exclusion at hearings (Guide: Criminal Justice §2).")])
    mark_reassessment_due(uow, [case_id], KIND, now)


@ungated("records a reported fact: it protects, and no rule may delay it")
def report_breach(app, actor: Actor, case_id: str) -> None:
    need_to_know(app, actor, "risk.assess", case=case_id)
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        note_breach(uow, case_id, row.coordinator)
        uow.audit("case.flag", case_id, KIND)
        uow.commit()
