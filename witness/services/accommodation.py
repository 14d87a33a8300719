"""Where the victim stays (issue 12, item 5; Guide: Recovery, Reflection and Shelter §2 and §4).

A placement is an accommodation service (`domain/support.py` ACCOMMODATION_KINDS: shelter, open or
community shelter, community or rented housing, foster care) with a provider from the directory
(config/accommodation.yaml). Starting one passes the gate: the victim's written `shelter_stay`
consent (DNH-13). While it lasts, the sweep asks the coordinator on the profile's cadence to check
that the victim still wishes to stay ("Tell victims they may withdraw their consent at any time.
Check regularly whether they wish to continue staying at the shelter.").
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, insert, select

from witness.accommodation_directory import directory_of
from witness.domain.access import Actor
from witness.domain.care import Needs, Pregnancy, period_due, unsuitable
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.support import ACCOMMODATION_KINDS, ServiceKind
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import InputProblems
from witness.services.access import need_to_know
from witness.services.guardrails import enforce
from witness.services.sweep import by_jurisdiction, worklist_follow_up
from witness.services.worklist import item
from witness.store.care_tables import circumstances, placements
from witness.store.records import case_row
from witness.store.tables import cases, services, worklist


def _accommodation(kind: str) -> ServiceKind:
    try:
        k = ServiceKind(kind)
    except ValueError:
        k = None
    if k not in ACCOMMODATION_KINDS:
        raise InputProblems([("kind", f"use one of {', '.join(sorted(a.value for a in ACCOMMODATION_KINDS))}")])
    return k


def needs_of(uow, case_id: str) -> Needs:
    row = case_row(uow.conn, case_id)
    c = uow.conn.execute(select(circumstances).where(circumstances.c.case_id == case_id)).first()
    pregnancy = None
    if c is not None and c.pregnancy:
        pregnancy = Pregnancy(uow.cipher.decrypt("circumstances", "pregnancy", case_id, c.pregnancy))
    return Needs(jurisdiction=row.jurisdiction, gender=row.gender, child=presumed_child(AgeStatus(row.age_status)),
                 foreign=row.nationality is not None and row.nationality != row.jurisdiction,
                 pregnancy=pregnancy, accompanying_children=c.accompanying_children if c is not None else 0)


@ungated("a read of the provider directory against the case's needs (audited)")
def providers(app, actor: Actor, case_id: str, kind: str | None = None) -> list[dict]:
    """Every provider in the case's jurisdiction, those that fit first, each with why it does not."""
    need_to_know(app, actor, "service.change", case=case_id)
    k = _accommodation(kind) if kind else None
    directory = directory_of(app.settings.config_dir)
    with app.uow(actor) as uow:
        needs = needs_of(uow, case_id)
        uow.audit("accommodation.providers", case_id, f"directory read for {k.value if k else 'any'} accommodation")
        uow.commit()
    rows = [{"id": p.id, "name": p.name, "operator": p.operator, "kinds": [x.value for x in p.kinds],
             "accredited": p.accredited, "unsuitable": unsuitable(p, needs, k)}
            for p in directory.providers if p.jurisdiction == needs.jurisdiction]
    return sorted(rows, key=lambda r: (bool(r["unsuitable"]), not r["accredited"], r["id"]))


@gated(ActionKind.start_service)
def place(app, actor: Actor, case_id: str, kind: str, provider: str) -> str:
    """Start an accommodation with a provider from the directory. Needs the victim's written
    shelter_stay consent (DNH-13); a provider that does not fit the victim is refused with why."""
    need_to_know(app, actor, "service.change", case=case_id)
    k = _accommodation(kind)
    found = directory_of(app.settings.config_dir).get(provider)
    if found is None:
        raise InputProblems([("provider", "not in the accommodation directory (config/accommodation.yaml)")])
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        why = unsuitable(found, needs_of(uow, case_id), k)
        if why:
            raise InputProblems([("provider", f"{provider} does not fit this victim: {'; '.join(why)}")])
        enforce(uow, ActionKind.start_service, case_id, None, service=k.value)
        sid = str(uuid.uuid4())
        uow.conn.execute(insert(services).values(id=sid, case_id=case_id, kind=k.value, status="active",
                                                 started_at=uow.now))
        uow.conn.execute(insert(placements).values(service_id=sid, case_id=case_id, provider=provider,
                                                   placed_at=uow.now, placed_by=actor.user))
        uow.audit("service.start", case_id, f"{k.value} with {provider}")
        uow.commit()
    return sid


# --- the sweep: "do you still wish to stay?" -----------------------------------------------------

KIND = "shelter_stay_check"
_ACCOMMODATION = tuple(sorted(k.value for k in ACCOMMODATION_KINDS))


def _due_stay_checks(now: datetime, profiles):
    """Cases with an active accommodation that has run a whole check period since it started (or
    since the last check) with no check item for this period yet."""
    since = by_jurisdiction(cases.c.jurisdiction, {code: now - timedelta(days=p.care.stay_check_days)
                                                   for code, p in profiles.items()})
    asked = exists().where(worklist.c.case_id == services.c.case_id, worklist.c.kind == KIND, worklist.c.due_at > since)
    return (select(services.c.case_id).distinct().join(cases, cases.c.id == services.c.case_id)
            .where(services.c.status == "active", services.c.kind.in_(_ACCOMMODATION), services.c.started_at <= since,
                   ~asked)
            .order_by(services.c.case_id))


def _stays(ids):
    return (select(services.c.id, services.c.case_id, services.c.kind, services.c.started_at, cases.c.jurisdiction,
                   cases.c.coordinator)
            .join(cases, cases.c.id == services.c.case_id)
            .where(services.c.case_id.in_(ids), services.c.status == "active", services.c.kind.in_(_ACCOMMODATION)))


def _stay_check(r, now: datetime, profiles) -> dict | None:
    days = profiles[r.jurisdiction].care.stay_check_days
    due = period_due(r.started_at, timedelta(days=days), now)
    if due is None:
        return None
    n, at = due
    return item(f"{r.id}:{KIND}:{n}", r.case_id, KIND, r.coordinator, at, now,
                f"{r.case_id}: ask the victim, in their language, whether they still wish to stay in the "
                f"{r.kind.replace('_', ' ')} (check every {days} days). They may withdraw consent at any "
                "time: then `witness consent withdraw` shelter_stay and end the stay with reason "
                "victim_request; offer other accommodation (Guide: Recovery §4).")


STAY_CHECK = worklist_follow_up(KIND, _due_stay_checks, _stays, _stay_check)
