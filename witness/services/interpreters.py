"""The interpreter registry (issue 12, item 3): add, vet, block, declare ties; the check made wherever
an interpreter is assigned (an appointment, a hearing appearance, a consent recorded through them);
and an interpreter's own assignments, nothing else (R-112).

The registry replaces the WITNESS_INTERPRETER_BLOCKLIST stop-gap as the source of DNH-06's facts;
ids still listed in that setting stay blocked (a deployment that used it loses nothing).
"""
from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update

from witness.domain.access import Actor
from witness.domain.fields import LanguageTag, UserId, problem
from witness.domain.guardrails import ActionKind, ungated
from witness.domain.interpreter import Interpreter, Tie, TieKind, Vetting, assignment_facts
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness.outputs.dates import datetime_text
from witness.services.access import need_to_know
from witness.services.guardrails import enforce
from witness.store.interpreter_tables import interpreter_assignments, interpreter_ties, interpreters
from witness.services.worklist import add_items, item
from witness.store.tables import accused, case_proceedings, cases, proceeding_accused

# --- the registry ----------------------------------------------------------------------------


def _languages(raw) -> list[str]:
    langs = [x.strip() for x in (raw.split(",") if isinstance(raw, str) else raw or []) if x.strip()]
    if not langs:
        raise InputProblems([("languages", "required: the language tags they interpret, e.g. my,th")])
    bad = [(f"languages.{i}", problem(LanguageTag, x)) for i, x in enumerate(langs) if problem(LanguageTag, x)]
    if bad:
        raise InputProblems(bad)
    return sorted(set(langs))


def _row(conn, interpreter_id: str, lock: bool = False):
    q = select(interpreters).where(interpreters.c.id == interpreter_id)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFound(f"interpreter: no interpreter {interpreter_id!r} in the registry (witness interpreter add)")
    return row


@ungated("a registry entry about staff, not an act on a victim's case; assignments pass DNH-06")
def add(app, actor: Actor, interpreter_id: str, languages) -> dict:
    """Register an interpreter (vetting pending until someone records it)."""
    need_to_know(app, actor, "interpreter.manage")
    if problem(UserId, interpreter_id):
        raise InputProblems([("interpreter", problem(UserId, interpreter_id))])
    langs = _languages(languages)
    with app.uow(actor) as uow:
        if uow.conn.execute(select(interpreters.c.id).where(interpreters.c.id == interpreter_id)).first():
            raise ActionBlocked(f"interpreter: {interpreter_id} is already registered")
        uow.conn.execute(insert(interpreters).values(
            id=interpreter_id, languages=",".join(langs), vetting=Vetting.pending.value, blocked=False,
            created_at=uow.now, created_by=actor.user))
        uow.audit("interpreter.add", interpreter_id, ",".join(langs))
        uow.commit()
    return {"interpreter": interpreter_id, "languages": langs, "vetting": Vetting.pending.value}


@ungated("a registry entry about staff, not an act on a victim's case")
def vet(app, actor: Actor, interpreter_id: str, status: str = "vetted") -> dict:
    need_to_know(app, actor, "interpreter.manage")
    if status not in {v.value for v in Vetting}:
        raise InputProblems([("status", f"use one of {', '.join(v.value for v in Vetting)}")])
    with app.uow(actor) as uow:
        _row(uow.conn, interpreter_id, lock=True)
        uow.conn.execute(update(interpreters).where(interpreters.c.id == interpreter_id).values(
            vetting=status, vetted_at=uow.now, vetted_by=actor.user))
        uow.audit("interpreter.vet", interpreter_id, status)
        uow.commit()
    return {"interpreter": interpreter_id, "vetting": status}


@ungated("blocking only takes an interpreter away; nothing a rule protects is lost")
def block(app, actor: Actor, interpreter_id: str, reason: str) -> dict:
    """Put an interpreter on the blocklist ('persuasive' translation, a breach of confidence...)."""
    need_to_know(app, actor, "interpreter.manage")
    if not reason.strip():
        raise InputProblems([("reason", "say why (kept encrypted, e.g. persuasive translation reported)")])
    with app.uow(actor) as uow:
        _row(uow.conn, interpreter_id, lock=True)
        uow.conn.execute(update(interpreters).where(interpreters.c.id == interpreter_id).values(
            blocked=True, blocked_at=uow.now,
            block_reason=uow.cipher.encrypt("interpreters", "block_reason", interpreter_id, reason.strip())))
        # Every upcoming act they were booked for needs another interpreter: the coordinator of
        # each case finds one (the act itself is not cancelled: the victim still needs it).
        upcoming = _upcoming(uow.conn, interpreter_id, uow.now)
        on = {c.id: c for c in uow.conn.execute(select(cases.c.id, cases.c.coordinator, cases.c.jurisdiction).where(
            cases.c.id.in_(sorted({r["case"] for r in upcoming}))))} if upcoming else {}
        add_items(uow.conn, [item(
            f"interpreter-blocked:{interpreter_id}:{r['ref']}", r["case"], "interpreter_replace", on[r["case"]].coordinator,
            uow.now, uow.now, f"{r['case']}: the interpreter for the {r['what'].replace('_', ' ')} on "
            f"{datetime_text(r['at'], uow.profiles.get(on[r['case']].jurisdiction).tz, 'en')} was blocked; assign "
            "another vetted interpreter before then (DNH-06).") for r in upcoming])
        uow.audit("interpreter.block", interpreter_id, f"blocked; {len(upcoming)} upcoming assignment(s) to reassign")
        uow.commit()
    return {"interpreter": interpreter_id, "blocked": True, "to_reassign": len(upcoming)}


@ungated("records a tie the interpreter declared; it only ever stops assignments")
def tie(app, actor: Actor, interpreter_id: str, kind: str, ref: str) -> dict:
    """A declared conflict or community tie in a case (ref: the case), or a tie to an accused (ref: label)."""
    need_to_know(app, actor, "interpreter.manage")
    if kind not in {k.value for k in TieKind}:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in TieKind)}")])
    if not ref.strip() or len(ref.strip()) > 80:
        raise InputProblems([("ref", "the case pseudonym (conflict, community) or the accused's label (accused), "
                                     "1-80 characters")])
    with app.uow(actor) as uow:
        _row(uow.conn, interpreter_id, lock=True)
        uow.conn.execute(insert(interpreter_ties).values(interpreter_id=interpreter_id, kind=kind, ref=ref.strip(),
                                                         declared_at=uow.now, recorded_by=actor.user))
        uow.audit("interpreter.tie", interpreter_id, kind)
        uow.commit()
    return {"interpreter": interpreter_id, "tie": kind}


@ungated("a read (audited)")
def registry(app, actor: Actor) -> list[dict]:
    need_to_know(app, actor, "interpreter.manage")
    with app.uow(actor) as uow:
        rows = uow.conn.execute(select(interpreters).order_by(interpreters.c.id)).all()
        ties = uow.conn.execute(select(interpreter_ties.c.interpreter_id, interpreter_ties.c.kind)).all()
        uow.audit("interpreter.list", "-", f"{len(rows)} interpreters")
        uow.commit()
    return [{"interpreter": r.id, "languages": r.languages.split(","), "vetting": r.vetting, "blocked": r.blocked,
             "ties": sorted(t.kind for t in ties if t.interpreter_id == r.id)} for r in rows]


# --- the check wherever an interpreter is assigned --------------------------------------------

def lookup(conn, interpreter_id: str) -> Interpreter | None:
    row = conn.execute(select(interpreters).where(interpreters.c.id == interpreter_id)).first()
    if row is None:
        return None
    ties = tuple(Tie(TieKind(t.kind), t.ref) for t in conn.execute(
        select(interpreter_ties.c.kind, interpreter_ties.c.ref).where(interpreter_ties.c.interpreter_id == interpreter_id)))
    return Interpreter(row.id, tuple(row.languages.split(",")), Vetting(row.vetting), row.blocked, ties)


def _accused_labels(conn, case_id: str) -> list[str]:
    return list(conn.execute(
        select(accused.c.label).join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
        .join(case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
        .where(case_proceedings.c.case_id == case_id)).scalars())


def facts(uow, case_id: str, interpreter_id: str, language: str | None = None) -> dict:
    """The assign_interpreter details for this interpreter on this case (and language), from the registry."""
    settings = getattr(uow, "settings", None)
    also = getattr(settings, "blocked_interpreters", frozenset()) if settings is not None else frozenset()
    return assignment_facts(lookup(uow.conn, interpreter_id), interpreter_id, case_id,
                            _accused_labels(uow.conn, case_id), also, language)


def check_assignment(uow, case_id: str, interpreter_id: str, overrides: dict[str, str] | None = None,
                     also_blocked: frozenset[str] | None = None, language: str | None = None) -> list:
    """DNH-06 (blocklist, declared conflict, community or accused tie) and DNH-30 (vetting) for an
    interpreter about to be assigned to this case; raises ActionBlocked as enforce does."""
    details = facts(uow, case_id, interpreter_id, language)
    if also_blocked and interpreter_id in also_blocked:
        details["blocklisted"] = True
    return enforce(uow, ActionKind.assign_interpreter, case_id, overrides, **details)


def record_assignment(uow, case_id: str, interpreter_id: str, what: str, at, ref: str | None = None,
                      language: str | None = None) -> None:
    uow.conn.execute(insert(interpreter_assignments).values(
        id=str(uuid.uuid4()), interpreter_id=interpreter_id, case_id=case_id, what=what, ref=ref, at=at,
        language=language, assigned_by=uow.actor.user, assigned_at=uow.now))


def _blocked(uow, interpreter_id: str) -> bool:
    settings = getattr(uow, "settings", None)
    if interpreter_id in (getattr(settings, "blocked_interpreters", frozenset()) if settings is not None else ()):
        return True
    return bool(uow.conn.execute(select(interpreters.c.blocked).where(interpreters.c.id == interpreter_id)).scalar())


def _upcoming(conn, interpreter_id: str, now) -> list[dict]:
    """What the interpreter is still booked for: scheduled appointments and planned hearing
    appearances from now on. A cancelled or past one says where the victim was, and is nobody's
    business now (R-112)."""
    from witness.domain.hearing import ACTIVE, AppearanceStatus
    from witness.store.hearing_tables import appearances, hearings
    from witness.store.tables import appointments

    ia = interpreter_assignments
    rows = [{"case": r.case_id, "what": r.what, "at": r.at, "language": r.language, "ref": r.ref}
            for r in conn.execute(
                select(ia.c.case_id, ia.c.what, appointments.c.at, ia.c.language, ia.c.ref)
                .join(appointments, appointments.c.id == ia.c.ref)
                .where(ia.c.interpreter_id == interpreter_id, appointments.c.status == "scheduled",
                       appointments.c.at >= now))]
    # Hearing appearances name their interpreter on the appearance itself (services/hearings.py).
    rows += [{"case": r.case_id, "what": "hearing", "at": r.starts_at, "language": r.language, "ref": r.id}
             for r in conn.execute(
                 select(appearances.c.id, appearances.c.case_id, appearances.c.language, hearings.c.starts_at)
                 .join(hearings, hearings.c.id == appearances.c.hearing_id)
                 .where(appearances.c.interpreter == interpreter_id,
                        appearances.c.status == AppearanceStatus.planned.value,
                        hearings.c.status.in_([s.value for s in ACTIVE]), hearings.c.starts_at >= now))]
    rows.sort(key=lambda r: (r["at"], r["case"], r["what"]))
    return rows


@ungated("a read of the interpreter's own assignments (audited)")
def assignments(app, actor: Actor) -> list[dict]:
    """The signed-in interpreter's own assignments: pseudonym, what, when, language. Never anyone else's."""
    from witness.domain.hearing import ACTIVE, AppearanceStatus
    from witness.store.hearing_tables import appearances, hearings

    need_to_know(app, actor, "assignments.read")
    with app.uow(actor) as uow:
        rows = [] if _blocked(uow, actor.user) else _upcoming(uow.conn, actor.user, uow.now)
        uow.audit("interpreter.assignments", actor.user, f"{len(rows)} assignments")
        uow.commit()
    return [{k: v for k, v in r.items() if k != "ref"} for r in rows]

