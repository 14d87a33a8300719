"""Reading rows back into domain objects. Writes happen in the services, inside their unit of work."""
from __future__ import annotations

from sqlalchemy import String, bindparam, func, literal, select, union, union_all
from sqlalchemy.engine import Connection

from witness.domain.access import CaseAccess, Role
from witness.domain.consent import Consent, Method
from witness.domain.reflection import ReflectionPeriod, VictimDecision
from witness.errors import NotFound
from witness.store.account_tables import account_cases, accounts
from witness.store.claim_tables import claims
from witness.store.hearing_tables import appearances, bookings, hearings, measures
from witness.store.notice_tables import notices
from witness.store.tables import case_proceedings, cases, consents, proceedings
from witness.store.dialects import parts, select_for


# Built once: every action on a case reads its row (select_for says why that matters).
_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_CASE_LOCKED = _CASE.with_for_update()


def case_row(conn: Connection, case_id: str, lock: bool = False):
    row = conn.execute(_CASE_LOCKED if lock else _CASE, {"case_id": case_id}).first()
    if row is None:
        # The id is a pseudonym, so naming it in the message reveals nothing.
        raise NotFound(f"case: no case {case_id!r}")
    return row


def reflection_of(row) -> ReflectionPeriod:
    return ReflectionPeriod(row.reflection_started_at, row.reflection_ends_at, row.reflection_max_ends_at,
                            VictimDecision(row.decision) if row.decision else None, row.decided_at)


def consents_of(conn: Connection, case_id: str) -> list[Consent]:
    return consents_of_many(conn, [case_id]).get(case_id, [])


def consents_of_many(conn: Connection, case_ids: list[str]) -> dict[str, list[Consent]]:
    out: dict[str, list[Consent]] = {}
    for r in select_for(conn, case_ids, _consents_where):
        out.setdefault(r.case_id, []).append(_consent(r))
    return out


def _consents_where(match):
    return select(consents).where(match(consents.c.case_id)).order_by(consents.c.case_id, consents.c.given_at)


def _consent(r) -> Consent:
    return Consent(r.scope, r.given_at, Method(r.method), r.language, r.recorded_by, r.interpreter,
                   r.guardian_agreed, r.withdrawn_at)


# --- who is on a case (need to know, witness.domain.access.CaseAccess) -----------------------------

def case_access(conn: Connection, case_id: str) -> CaseAccess:
    """Who is on this case; NotFound if there is no such case."""
    found = cases_access(conn, [case_id])
    if case_id not in found:
        raise NotFound(f"case: no case {case_id!r}")
    return found[case_id]


def cases_access(conn: Connection, case_ids) -> dict[str, CaseAccess]:
    """Who is on each of these cases (those that exist), in one query whatever their number (on
    SQLite one per 150 cases): lists check every row with the same rule as a single record. The six places a person is
    named go as one UNION ALL (a calendar app polls a victim's feed, and six statements were a fifth
    of each fetch): each row says where it comes from (`kind`), who (`who`) and, for an
    appearance, the escorts' pins (`extra`)."""
    teams: dict[str, dict[str, set[str]]] = {}
    rows = []
    # 150 ids a part on SQLite: six IN lists stay under 999 parameters, the limit of older builds.
    for chunk in parts(conn, sorted(set(case_ids)), size=150):
        rows += select_for(conn, chunk, _everyone_named).all()
    for r in rows:  # the cases first: a team exists only for a case that does
        if r.kind == "case":
            teams[r.case_id] = {"coordinators": {r.who}, "prosecutors": set(), "lawyers": set(), "escorts": set(),
                                "interpreters": set()}
    for r in rows:
        team = teams.get(r.case_id)
        if team is None or r.kind == "case":
            continue
        if r.kind == "account":
            side = _SIDE.get(r.extra)
            if side:
                team[side].add(r.who)
        elif r.kind == "prosecutor":
            team["prosecutors"].add(r.who)
        elif r.kind == "lawyer":
            team["lawyers"].add(r.who)
        elif r.kind == "appearance":
            if r.who:
                team["interpreters"].add(r.who)
            team["escorts"].update(p for p in (r.extra or "").split(",") if p)
        else:  # an escort booked for the case
            team["escorts"].add(r.who)
    return {cid: CaseAccess(cid, **{k: frozenset(v) for k, v in t.items()}) for cid, t in teams.items()}


def _everyone_named(match):
    """cases_access's statement: the six places a person is named on the cases `match` selects."""
    return union_all(
        _named("case", cases.c.id, cases.c.coordinator).where(match(cases.c.id)),
        # Assigned through an account: the account's role says on which side they are.
        _named("account", account_cases.c.case_id, account_cases.c.login, accounts.c.role)
        .join(accounts, accounts.c.login == account_cases.c.login).where(match(account_cases.c.case_id)),
        _named("prosecutor", case_proceedings.c.case_id, proceedings.c.prosecutor)
        .join(proceedings, proceedings.c.id == case_proceedings.c.proceeding_id)
        .where(match(case_proceedings.c.case_id), proceedings.c.prosecutor.is_not(None)),
        _named("lawyer", claims.c.case_id, claims.c.lawyer).where(match(claims.c.case_id)),
        # Escorts and interpreters are on a case through the victim's planned appearances only.
        _named("appearance", appearances.c.case_id, appearances.c.interpreter, appearances.c.escort_pins)
        .where(match(appearances.c.case_id), appearances.c.status == "planned"),
        _named("booking", bookings.c.case_id, bookings.c.resource_id)
        .where(match(bookings.c.case_id), bookings.c.measure == "escort", bookings.c.status == "booked"),
    )


def _named(kind: str, case_col, who, extra=None):
    """One branch of cases_access's UNION ALL: (case_id, kind, who, extra)."""
    return select(case_col.label("case_id"), literal(kind).label("kind"), who.label("who"),
                  (extra if extra is not None else literal(None, String)).label("extra"))


def named_case_ids(login: str, role: Role):
    """A query of the ids of every case `login` is named on as a `role` in the places `cases_access`
    reads for that role's side (keep the two in step). A superset: lists page over it in SQL and
    still keep only the cases the one need-to-know rule allows, so a name in the wrong column shows
    nothing. Only the role's own places: the rule looks at no other side (CaseAccess.team), and the
    escort-pin match scans every appearance — a coordinator's case list paid for it at every page."""
    places = [select(account_cases.c.case_id).where(account_cases.c.login == login)]
    if role is Role.coordinator:
        places.append(select(cases.c.id).where(cases.c.coordinator == login))
    elif role is Role.prosecutor:
        places.append(select(case_proceedings.c.case_id).join(
            proceedings, proceedings.c.id == case_proceedings.c.proceeding_id).where(proceedings.c.prosecutor == login))
    elif role is Role.legal_aid:
        places.append(select(claims.c.case_id).where(claims.c.lawyer == login))
    elif role is Role.interpreter:
        places.append(select(appearances.c.case_id).where(appearances.c.interpreter == login))
    elif role is Role.escort:
        pins = literal(",") + func.coalesce(appearances.c.escort_pins, "") + ","  # ",F01,F02," has ",F01,"
        places.append(select(appearances.c.case_id).where(pins.contains(f",{login},", autoescape=True)))
        places.append(select(bookings.c.case_id).where(bookings.c.resource_id == login))
    return union(*places)


_SIDE = {Role.coordinator.value: "coordinators", Role.prosecutor.value: "prosecutors", Role.legal_aid.value: "lawyers",
         Role.escort.value: "escorts", Role.interpreter.value: "interpreters"}


def _union(record: str, accesses, prosecutor: str | None = None) -> CaseAccess:
    out = CaseAccess(record, prosecutors=frozenset({prosecutor}) if prosecutor else frozenset())
    for a in accesses:
        out = out | a
    return out


def claim_access(conn: Connection, claim_id: str) -> CaseAccess:
    """Who acts on a claim: its case's people, with its own lawyer alone on the legal-aid side."""
    row = conn.execute(select(claims.c.case_id, claims.c.lawyer).where(claims.c.id == claim_id)).first()
    if row is None:
        raise NotFound(f"claim: no claim {claim_id!r}")
    return case_access(conn, row.case_id).of_claim(claim_id, row.lawyer)


def hearing_access(conn: Connection, hearing_id: str) -> CaseAccess:
    """Who acts on a hearing: the proceeding's prosecutor and everyone on a case that is a party
    to the proceeding or appears at the hearing."""
    found = hearings_access(conn, [hearing_id])
    if hearing_id not in found:
        raise NotFound(f"hearing: no hearing {hearing_id!r}")
    return found[hearing_id]


def hearings_access(conn: Connection, hearing_ids) -> dict[str, CaseAccess]:
    ids = sorted(set(hearing_ids))
    heads = {}
    for i in range(0, len(ids), 500):
        heads.update({r.id: r for r in conn.execute(
            select(hearings.c.id, hearings.c.proceeding_id, proceedings.c.prosecutor)
            .join(proceedings, proceedings.c.id == hearings.c.proceeding_id).where(hearings.c.id.in_(ids[i:i + 500])))})
    parties: dict[str, set[str]] = {h: set() for h in heads}
    by_proceeding: dict[str, set[str]] = {}
    for h in heads.values():
        by_proceeding.setdefault(h.proceeding_id, set()).add(h.id)
    procs = sorted(by_proceeding)
    for i in range(0, len(procs), 500):
        for r in conn.execute(select(case_proceedings.c.proceeding_id, case_proceedings.c.case_id)
                              .where(case_proceedings.c.proceeding_id.in_(procs[i:i + 500]))):
            for h in by_proceeding[r.proceeding_id]:
                parties[h].add(r.case_id)
    for i in range(0, len(ids), 500):
        for r in conn.execute(select(appearances.c.hearing_id, appearances.c.case_id)
                              .where(appearances.c.hearing_id.in_(ids[i:i + 500]))):
            parties[r.hearing_id].add(r.case_id)
    on = cases_access(conn, set().union(*parties.values()))
    return {h: _union(h, [on[c] for c in sorted(parties[h]) if c in on], heads[h].prosecutor) for h in heads}


def measure_access(conn: Connection, measure_id: str) -> CaseAccess:
    """Who acts on a protective measure: everyone on its victim's case, and the prosecutor of the
    proceeding whose hearing it is for."""
    row = conn.execute(select(measures.c.case_id, proceedings.c.prosecutor)
                       .join(hearings, hearings.c.id == measures.c.hearing_id)
                       .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
                       .where(measures.c.id == measure_id)).first()
    if row is None:
        raise NotFound(f"measure: no measure {measure_id!r}")
    return _union(measure_id, [case_access(conn, row.case_id)], row.prosecutor)


def proceeding_access(conn: Connection, docket: str, jurisdiction: str | None = None) -> CaseAccess:
    """Who acts on a proceeding (by docket): its prosecutor and everyone on one of its cases."""
    q = select(proceedings.c.id, proceedings.c.prosecutor).where(proceedings.c.docket == docket)
    if jurisdiction:
        q = q.where(proceedings.c.jurisdiction == jurisdiction)
    rows = conn.execute(q).all()
    if not rows:
        raise NotFound(f"proceeding: no proceeding with docket {docket!r}")
    out = CaseAccess(docket)
    for r in rows:  # a docket in two jurisdictions: the service asks which; either proceeding's people
        ids = conn.execute(select(case_proceedings.c.case_id).where(case_proceedings.c.proceeding_id == r.id)).scalars()
        out = out | _union(docket, cases_access(conn, ids).values(), r.prosecutor)
    return out


def notice_access(conn: Connection, notice_id: str) -> CaseAccess:
    """Who reads a notice: everyone on its case; a staff notice about no one case, its recipient."""
    row = conn.execute(select(notices.c.case_id, notices.c.recipient, notices.c.recipient_ref)
                       .where(notices.c.id == notice_id)).first()
    if row is None:
        raise NotFound(f"notice: no notice {notice_id!r}")
    if row.case_id is not None:
        return CaseAccess(notice_id) | case_access(conn, row.case_id)
    side = _SIDE.get(row.recipient)
    return CaseAccess(notice_id, **({side: frozenset({row.recipient_ref})} if side and row.recipient_ref else {}))
