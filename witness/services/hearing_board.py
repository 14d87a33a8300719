"""The prosecutor's hearings (R-112): every hearing the person is on, by date and docket, with the
witnesses they are on (pseudonyms) and how far each witness's protective measures have come.

Who is on a hearing, and on a victim's measures, is the one need-to-know rule
(witness.domain.access.may_act_on) over who the records say is on each case
(witness.store.records): a hearing is everyone's on one of its cases, plus its proceeding's
prosecutor; a victim's measures are everyone's on that victim's case (its proceedings' prosecutors
among them). So a coordinator sees the hearing of the victim they look after, but not the next
witness's measures.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from witness.domain.access import Actor, CaseAccess, may_act_on
from witness.domain.guardrails import ungated
from witness.services.access import allowed_cases, need_to_know
from witness.store import records
from witness.store.hearing_tables import appearances, hearings, measures
from witness.store.tables import case_proceedings, proceedings

PENDING = ("recommended", "requested")
DECIDED = ("granted", "partially_granted", "scheduled", "delivered")


def _prosecutor(name: str | None, record: str) -> CaseAccess:
    return CaseAccess(record, prosecutors=frozenset({name}) if name else frozenset())


@ungated("a read (audited)")
def hearings_of(app, actor: Actor) -> list[dict]:
    """The hearings this person is on, soonest first (past ones too, marked), each with the
    witnesses whose measures they may read and those measures' progress."""
    need_to_know(app, actor, "hearing.read")
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        rows = conn.execute(
            select(hearings.c.id, hearings.c.starts_at, hearings.c.ends_at, hearings.c.status, hearings.c.kind,
                   hearings.c.proceeding_id, proceedings.c.docket, proceedings.c.court, proceedings.c.jurisdiction,
                   proceedings.c.prosecutor)
            .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
            .order_by(hearings.c.starts_at, hearings.c.id)).all()
        parties: dict[str, set[str]] = defaultdict(set)
        for r in conn.execute(select(case_proceedings.c.proceeding_id, case_proceedings.c.case_id)):
            parties[r.proceeding_id].add(r.case_id)
        appearing: dict[str, list] = defaultdict(list)
        for a in conn.execute(select(appearances.c.hearing_id, appearances.c.case_id, appearances.c.mode,
                                     appearances.c.status).order_by(appearances.c.case_id)):
            appearing[a.hearing_id].append(a)
        on_case = records.cases_access(conn, {c for s in parties.values() for c in s}
                                       | {a.case_id for s in appearing.values() for a in s})
        mine = []
        for h in rows:
            access = _prosecutor(h.prosecutor, h.id)
            for c in parties[h.proceeding_id] | {a.case_id for a in appearing[h.id]}:
                access = access | on_case[c]
            if may_act_on(actor, access, "hearing.read"):
                mine.append(h)
        progress: dict[tuple[str, str], Counter] = defaultdict(Counter)
        ids = [h.id for h in mine]
        for i in range(0, len(ids), 500):  # bounded IN lists
            for m in conn.execute(select(measures.c.hearing_id, measures.c.case_id, measures.c.status, measures.c.late)
                                  .where(measures.c.hearing_id.in_(ids[i:i + 500]))):
                progress[(m.hearing_id, m.case_id)][m.status] += 1
                progress[(m.hearing_id, m.case_id)]["late"] += int(bool(m.late))
        out = []
        for h in mine:
            tz = uow.profiles[h.jurisdiction].tz
            witnesses = []
            for a in appearing[h.id]:
                if not may_act_on(actor, on_case[a.case_id], "measure.read"):
                    continue
                p = progress[(h.id, a.case_id)]
                witnesses.append({"case": a.case_id, "mode": a.mode, "status": a.status,
                                  "pending": sum(p[s] for s in PENDING), "decided": sum(p[s] for s in DECIDED),
                                  "denied": p["denied"] + p["failed"], "late": p["late"]})
            out.append({"hearing": h.id, "docket": h.docket, "court": h.court, "kind": h.kind, "status": h.status,
                        "at": h.starts_at.astimezone(tz), "past": h.ends_at <= now, "witnesses": witnesses})
        uow.audit("hearing.list", "*", f"{len(out)} hearings on the person's board (pseudonyms only)")
        uow.commit()
    return out


@ungated("a read: which of a hearing's victims the person is on")
def cases_on(app, actor: Actor, hearing_id: str) -> list[str]:
    """The victims at this hearing whose measures this person may read. Refuses (NotFound or
    Forbidden, audited) a hearing the person is not on at all, as every hearing service does."""
    need_to_know(app, actor, "hearing.read", hearing=hearing_id)
    with app.uow(actor) as uow:
        ids = set(uow.conn.execute(select(appearances.c.case_id)
                                   .where(appearances.c.hearing_id == hearing_id)).scalars())
        return sorted(allowed_cases(uow.conn, actor, "measure.read", ids))


@ungated("a read (audited)")
def conflicts_on(app, actor: Actor, hearing_id: str) -> list[dict]:
    """The plan's open conflicts at this hearing for the victims this person is on (the gaps the
    planner put on the coordinators' worklists and closes when the plan no longer has them), read
    without running the planner again: a page opened by a prosecutor must not re-plan anything."""
    from witness.store.tables import worklist

    mine = set(cases_on(app, actor, hearing_id))  # refuses a hearing the person is not on (404)
    with app.uow(actor) as uow:
        rows = uow.conn.execute(select(worklist.c.case_id, worklist.c.detail, worklist.c.created_at)
                                .where(worklist.c.kind == "hearing_gap", worklist.c.done_at.is_(None),
                                       worklist.c.key.startswith(f"gap:{hearing_id}:", autoescape=True))
                                .order_by(worklist.c.case_id, worklist.c.id)).all()
        found = [{"case": r.case_id, "line": r.detail.removeprefix(f"{hearing_id} ")} for r in rows if r.case_id in mine]
        uow.audit("hearing.conflicts", hearing_id, f"{len(found)} open conflicts (pseudonyms only)")
        uow.commit()
    return found
