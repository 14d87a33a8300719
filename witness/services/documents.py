"""Generating documents and keeping their register (R-80…R-83; issue 6).

`generate` runs in three steps so that no database lock is held while WeasyPrint works:

1. one transaction gathers the case's plain data (need-to-know, guardrail DNH-03, identity read
   audited) and validates it with the document's schema;
2. the PDF is rendered outside any transaction (in this process or a pool);
3. one transaction checks the guardrails again (consent may have been withdrawn meanwhile),
   records the document in the register with its version and hashes, and audits it.

Data from other areas: the latest risk assessment (grounds), hearings, their measures and the
victim's appearance (pickup reference), and restitution claims are read from their tables. What a
case does not hold yet can be given as a `supplement` (the CLI's `--data FILE`), limited to the
fields listed in SUPPLEMENT_FIELDS; the result is validated by the same schema either way.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import insert, select

from witness.domain.access import Actor, CaseAccess, identity_fields
from witness.domain.guardrails import ActionKind, unresolved
from witness.domain.legal_texts import court_name, in_language
from witness.domain.measure import MeasureKind
from witness.domain.protection import Eligibility, WitnessConditions, deadlines, eligibility
from witness.domain.reflection import VictimDecision
from witness.domain.stage import Stage
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ActionBlocked, Forbidden, InputProblems, NotFound
from witness.outputs.documents.catalogue import KINDS, Kind
from witness.services.access import need_to_know, refused
from witness.services.guardrails import check, enforce, gated, ungated
from witness.services.recommendations import conditions_on_record
from witness.services.signatures import signer
from witness.store.claim_tables import claim_items, claims
from witness.store.document_tables import documents
from witness.store.hearing_tables import appearances, hearings, measures
from witness.store.records import case_row, consents_of, reflection_of
from witness.store.risk_tables import risk_assessments
from witness.store.tables import (accused, appointments, case_proceedings, identities, proceeding_accused, proceedings,
                                  relationships, services)

# What a --data file may add; everything about the victim comes from the case, never from a file.
SUPPLEMENT_FIELDS = frozenset({"hearing", "docket", "measures", "late_reason", "location", "reasons", "pickup_at",
                               "items", "claim_id", "next_hearing", "measures_requested"})
PICKUP_LEAD = timedelta(minutes=90)  # when no appearance records the travel time
_PENDING = ("recommended", "requested")


@dataclass(frozen=True)
class Request:
    kind: str
    case_id: str
    hearing_id: str | None = None
    claim_id: str | None = None
    lang: str | None = None
    recipient: str | None = None
    with_name: bool = False
    supplement: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Generated:
    id: str
    kind: str
    case_id: str
    version: int
    language: str
    recipient: str
    includes_identity: bool
    content_hash: str
    pages: int
    pdf: bytes = field(repr=False)


@dataclass(frozen=True)
class _Prepared:
    request: Request
    spec: Kind
    data: object  # a validated schemas.DocumentData
    hearing_id: str | None
    claim_id: str | None
    source_hash: str


@gated(ActionKind.generate_document)
def generate(app, actor: Actor, request: Request, renderer=None) -> Generated:
    """One document: gathered, checked, rendered, registered. Returns the PDF and its register entry."""
    return generate_many(app, actor, [request], renderer=renderer)[0]


@gated(ActionKind.generate_document)
def generate_many(app, actor: Actor, requests: list[Request], renderer=None, pool=None) -> list[Generated]:
    """Several documents in two short transactions; rendering in `pool` (a RenderPool) when given."""
    for req in requests:  # need to know, for each document's case (and claim)
        _may_generate(app, actor, req)
    prepared = _prepare(app, actor, requests)
    if pool is not None:
        rendered = pool.render([p.data for p in prepared])
    else:
        from witness.outputs.documents.render import renderer as default_renderer

        r = renderer or default_renderer(Path(app.settings.templates_dir) / "documents")
        rendered = [r.pdf(p.data) for p in prepared]
    return _record(app, actor, prepared, rendered)


@ungated("a read of the register (audited)")
def register(app, actor: Actor, case_id: str) -> list[dict]:
    """The register of a case's documents, newest first (`witness docs`)."""
    need_to_know(app, actor, "document.read", case=case_id)
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id)
        rows = [dict(r._mapping) for r in uow.conn.execute(
            select(documents).where(documents.c.case_id == case_id)
            .order_by(documents.c.generated_at.desc(), documents.c.kind, documents.c.version.desc()))]
        uow.audit("document.register", case_id, f"{len(rows)} documents listed")
        uow.commit()
    return rows


# --- step 1: gather and validate -----------------------------------------------------------------

def _prepare(app, actor: Actor, requests: list[Request]) -> list[_Prepared]:
    from dataclasses import replace

    from pydantic import ValidationError

    from witness.forms import problems_of
    from witness.outputs.documents.render import parse
    from witness.outputs.documents.schemas import read_supplement

    out = []
    with app.uow(actor) as uow:
        for req in requests:
            spec = KINDS.get(req.kind)
            if spec is None:
                raise InputProblems([("kind", f"use one of {', '.join(KINDS)}")])
            unknown = sorted(set(req.supplement) - SUPPLEMENT_FIELDS)
            if unknown:
                raise InputProblems([(f"data.{k}", "comes from the case, not from a data file") for k in unknown])
            req = replace(req, supplement=read_supplement(req.supplement))  # bounded before anything reads it
            row = case_row(uow.conn, req.case_id)
            recipient = req.recipient or spec.recipient
            if recipient not in spec.recipients:
                raise InputProblems([("recipient", f"{req.kind} goes to {' or '.join(spec.recipients)}")])
            if req.with_name and not spec.may_name:
                raise ActionBlocked(f"{req.kind} never carries the victim's legal name (R-81, R-55); "
                                    "it uses the pseudonym")
            # The engine decides: the name (DNH-03); a request about an appearance only with consent to
            # testify (DNH-13, about="hearing"); a recipient outside the case's circle only with consent
            # to share the data with them (DNH-10: an adult victim's guardian, for instance).
            enforce(uow, ActionKind.generate_document, req.case_id, req.overrides,
                    includes_identity=req.with_name, recipient_role=recipient, document=req.kind, about=spec.about)
            legal_name = _legal_name(uow, actor, row) if req.with_name else None
            payload, hearing_id, claim_id = _assemble(app, uow, actor, row, spec, req, recipient, legal_name)
            try:
                data = parse(payload)
            except ValidationError as exc:
                raise InputProblems(problems_of(exc)) from None
            out.append(_Prepared(req, spec, data, hearing_id, claim_id,
                                 _source_hash(app, data)))
        uow.commit()  # the identity reads and any recorded overrides
    return out


def _may_generate(app, actor: Actor, req: Request) -> None:
    """A document about a case: someone on the case; about a claim: someone who acts on that
    claim; with the legal name: someone who reads it on this case (identity_fields)."""
    on_case = need_to_know(app, actor, "document.generate", case=req.case_id) or CaseAccess(req.case_id)
    if req.claim_id:
        need_to_know(app, actor, "document.generate", claim=req.claim_id)
    if req.with_name and "legal_name" not in identity_fields(actor, on_case):
        refusal = Forbidden(f"{actor.role.value} may not read the legal name of {req.case_id}")
        refused(app, actor, req.case_id, "document.generate", refusal)
        raise refusal


def _legal_name(uow, actor: Actor, row) -> str:
    """Read after `_may_generate` allowed it; the reading is audited with the document's transaction."""
    stored = uow.conn.execute(select(identities.c.legal_name).where(identities.c.case_id == row.id)).scalar()
    uow.audit("identity.read", row.id, "fields: legal_name (for a document)")
    return uow.cipher.decrypt("identities", "legal_name", row.id, stored)


def _language(app, uow, row, spec: Kind, req: Request, recipient: str) -> str:
    if req.lang:
        return req.lang
    if spec.filing:  # a filing goes in the court's language
        return app.profile(row.jurisdiction).languages.court
    if recipient == "guardian":
        lang = uow.conn.execute(select(identities.c.guardian_language).where(identities.c.case_id == row.id)).scalar()
        if lang:
            return lang
    return row.preferred_language


def _assemble(app, uow, actor: Actor, row, spec: Kind, req: Request, recipient: str, legal_name: str | None):
    conn, profile, sup = uow.conn, app.profile(row.jurisdiction), req.supplement
    child = presumed_child(AgeStatus(row.age_status))
    witness = conditions_on_record(conn, [row.id])[row.id]  # the facts a profile's measure conditions read
    doc: dict = {
        "kind": spec.name, "lang": _language(app, uow, row, spec, req, recipient), "jurisdiction": row.jurisdiction,
        "jurisdiction_name": profile.name, "time_zone": profile.time_zone, "issued_at": uow.now,
        "recipient": recipient, "issuer": {"user": actor.user, "role": actor.role.value, **signer(conn, actor.user)},
        "subject": {"pseudonym": row.id, "legal_name": legal_name, "child": child},
    }
    hearing = _hearing(conn, row.id, req.hearing_id, sup) if spec.about == "hearing" else None
    proceeding = _proceeding(conn, row.id, hearing["proceeding_id"] if hearing and hearing.get("proceeding_id")
                             else None, sup.get("docket"), required=spec.filing)
    # Laws and courts as a document in its language names them, from the jurisdiction profile.
    legal = in_language(profile, doc["lang"])
    if proceeding is not None:
        doc["court"] = {"name": court_name(legal, proceeding.court), "docket": proceeding.docket}
    grounds = _grounds(conn, row.id)
    kind = spec.name
    if kind in ("protective_measures", "video_link", "closed_hearing"):
        doc["witness_protection"] = list(legal.witness_protection)

    if spec.about == "hearing":
        if hearing is None:
            raise InputProblems([("hearing", f"{kind} is for a hearing: give --hearing ID, or hearing.at in --data")])
        doc["hearing"] = {"id": hearing["id"], "at": hearing["at"]}
    if kind == "protective_measures":
        if grounds is None:
            raise InputProblems([("grounds", f"no risk assessment is recorded for {row.id}; the grounds of the "
                                             "application come from the latest one (witness risk assess)")])
        doc["grounds"] = _court_grounds(grounds)
        doc["accused"] = _accused(conn, row.id, proceeding)
        doc["measures"] = _available(profile, witness, sup.get("measures") or hearing["measures"] or grounds["recommended"])
        doc["filing"] = _filing(profile, uow.now, hearing, sup.get("late_reason"))
    elif kind == "video_link":
        doc["grounds"] = _court_grounds(grounds)
        doc["location"] = sup.get("location", "other_room")
        doc["reasons"] = _video_reasons(profile, witness, grounds, sup.get("reasons"))
        extra = [m for m in (sup.get("measures") or hearing["measures"]) if m != "video_link"]
        doc["measures"] = _available(profile, witness, ["video_link", *extra])
    elif kind == "closed_hearing":
        from witness.outputs.documents.schemas import ANONYMITY_MEASURES

        doc["grounds"] = _court_grounds(grounds)
        wanted = sup.get("measures") or [m for m in (hearing["measures"] or (grounds or {}).get("recommended", []))
                                         if m in ANONYMITY_MEASURES] or ["closed_hearing", "pseudonym"]
        doc["measures"] = _available(profile, witness, wanted)
    elif kind == "escort_request":
        wanted = sup.get("measures") or hearing["measures"] or (grounds or {}).get("recommended", [])
        doc["measures"] = _available(profile, witness, ["escort", *[m for m in wanted if m in (
            "secure_route", "private_entrance", "separate_waiting_room", "security_checks")]])
        doc["pickup_reference"] = hearing["pickup_ref"] or _pickup_reference(row.id, hearing["at"], profile)
        lead = timedelta(minutes=hearing["travel_minutes"] + 30) if hearing["travel_minutes"] else PICKUP_LEAD
        doc["pickup_at"] = sup.get("pickup_at") or hearing["at"] - lead
        pref = row.escort_gender_preference
        doc["escort_gender"] = pref if pref in ("female", "male") else "any"
        doc["coordinator"] = row.coordinator
    elif kind == "restitution_claim":
        doc.update(_claim(uow, row, profile, req.claim_id or sup.get("claim_id"), sup))
        doc["accused"] = _accused(conn, row.id, proceeding)
        r = profile.restitution
        doc.update(statutory=r.statutory, legal_basis=legal.restitution_basis, alternatives=list(r.alternatives),
                   state_fund={"name": legal.state_fund, "basis": r.state_fund.basis} if r.state_fund else None)
    elif kind == "victim_letter":
        period = reflection_of(row)
        doc["stage"] = stage_now(row, uow.now)  # the facts now, not the sweep's last pass
        doc["reflection_ends_at"] = period.ends_at if period.is_running(uow.now) else None
        doc["next_hearing"] = sup.get("next_hearing") or _next_hearing(conn, row.id, uow.now, proceeding, legal)
        doc["measures_requested"] = sup.get("measures_requested") or _requested_measures(conn, row.id, uow.now)
        doc["services"] = _services(conn, row.id)
        doc["coordinator"] = row.coordinator
        doc.pop("court", None)
    elif kind == "information_sheet":
        period = reflection_of(row)
        doc["reflection_days"] = max(1, round((period.ends_at - period.started_at) / timedelta(days=1)))
        doc["reflection_ends_at"] = period.ends_at if period.is_running(uow.now) else None
        doc.setdefault("court", None)
        doc["services"] = _services(conn, row.id)
        r = profile.restitution
        doc["restitution"] = {"statutory": r.statutory, "legal_basis": legal.restitution_basis,
                              "state_fund": legal.state_fund if r.state_fund else None}
        doc["coordinator"] = row.coordinator
    elif kind == "consent_record":
        doc.setdefault("court", None)
        doc["consents"] = [{"scope": c.scope, "given_at": c.given_at, "method": c.method.value, "language": c.language,
                            "interpreter": c.interpreter, "guardian_agreed": c.guardian_agreed,
                            "withdrawn_at": c.withdrawn_at} for c in consents_of(conn, row.id)]
        if not doc["consents"]:
            raise InputProblems([("consents", f"no consent is recorded for {row.id}")])
    return doc, (hearing or {}).get("id"), doc.get("claim_id")


# --- pieces of a case, as plain data ------------------------------------------------------------

def _proceeding(conn, case_id: str, proceeding_id: str | None, docket: str | None, required: bool):
    q = select(proceedings).join(case_proceedings).where(case_proceedings.c.case_id == case_id)
    rows = conn.execute(q.order_by(proceedings.c.docket)).all()
    if proceeding_id:
        rows = [r for r in rows if r.id == proceeding_id]
    elif docket:
        rows = [r for r in rows if r.docket == docket]
        if not rows:
            raise InputProblems([("docket", f"{case_id} is not in a proceeding with that docket number")])
    if len(rows) == 1:
        return rows[0]
    if not rows:
        if required:
            raise InputProblems([("court", f"{case_id} is in no proceeding: a filing needs a court and docket number")])
        return None
    if required:
        raise InputProblems([("docket", f"{case_id} is in {len(rows)} proceedings; name one with docket in --data")])
    return None


def _accused(conn, case_id: str, proceeding) -> list[dict]:
    q = (select(accused.c.label, accused.c.custody).join(relationships, relationships.c.accused_id == accused.c.id)
         .where(relationships.c.case_id == case_id))
    if proceeding is not None:
        q = q.join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id).where(
            proceeding_accused.c.proceeding_id == proceeding.id)
    return [{"label": r.label, "custody": r.custody} for r in conn.execute(q.order_by(accused.c.label))]


def factor_key(text: str) -> str:
    """The risk area's factor names ("context: corruption", "accused custody: at_large", ...) as
    the documents' keys ("context.corruption", "custody.at_large", ...)."""
    for prefix, group in (("context: ", "context"), ("accused custody: ", "custody"),
                          ("relationship to accused: ", "relationship")):
        if text.startswith(prefix):
            return f"{group}.{text[len(prefix):]}"
    return f"case.{text}"


def _grounds(conn, case_id: str) -> dict | None:
    r = conn.execute(select(risk_assessments).where(risk_assessments.c.case_id == case_id)
                     .order_by(risk_assessments.c.at.desc(), risk_assessments.c.id.desc()).limit(1)).first()
    if r is None:
        return None
    factors = sorted(json.loads(r.factors), key=lambda f: -f["weight"])
    return {"assessed_at": r.at, "level": r.level, "victim_scale": r.victim_scale,
            "factors": [{"key": factor_key(f["factor"]), "weight": f["weight"]} for f in factors],
            "recommended": json.loads(r.recommended)}


def _court_grounds(grounds: dict | None) -> dict | None:
    """The assessment as a filing states it: the facts in order of weight, the victim's fear in
    words; the weights and the 0-10 scale stay here (schemas.Grounds)."""
    from witness.outputs.documents.schemas import fear_in_words

    if grounds is None:
        return None
    return {"assessed_at": grounds["assessed_at"], "level": grounds["level"],
            "factors": [{"key": f["key"]} for f in grounds["factors"]], "fear": fear_in_words(grounds["victim_scale"]),
            "recommended": grounds["recommended"]}


def stage_now(row, now: datetime) -> str:
    """The case's stage as the facts stand at `now`: a victim who has decided is out of the
    reflection period at once, whether or not the sweep has moved the case yet (the same targets
    as services/sweep.py's move)."""
    if row.stage == Stage.reflection.value and row.decided_at is not None and row.decided_at <= now:
        return {VictimDecision.cooperate.value: Stage.decision.value,
                VictimDecision.not_cooperate.value: Stage.withdrawn.value}.get(row.decision, row.stage)
    return row.stage


def _hearing(conn, case_id: str, hearing_id: str | None, sup: dict) -> dict | None:
    """A hearing from the hearings area (with this case's measures and appearance), or from --data."""
    if hearing_id:
        h = conn.execute(select(hearings).where(hearings.c.id == hearing_id)).first()
        if h is None:
            raise NotFound(f"hearing: no hearing {hearing_id!r}")
        app_row = conn.execute(select(appearances).where(appearances.c.hearing_id == hearing_id,
                                                         appearances.c.case_id == case_id)).first()
        rows = conn.execute(select(measures.c.kind, measures.c.request_by, measures.c.late)
                            .where(measures.c.hearing_id == hearing_id, measures.c.case_id == case_id,
                                   measures.c.status.in_(_PENDING)).order_by(measures.c.kind)).all()
        return {"id": h.id, "at": h.starts_at, "proceeding_id": h.proceeding_id,
                "measures": [m.kind for m in rows], "request_by": min((m.request_by for m in rows), default=None),
                "pickup_ref": app_row.pickup_ref if app_row else None,
                "travel_minutes": app_row.travel_minutes if app_row else 0}
    given = sup.get("hearing")
    if not given:
        return None
    if not isinstance(given, dict) or "at" not in given:
        raise InputProblems([("data.hearing", "give at least at: (ISO-8601 with offset)")])
    from witness.clock import parse_instant

    try:
        at = given["at"] if isinstance(given["at"], datetime) else parse_instant(str(given["at"]))
    except ValueError as exc:
        raise InputProblems([("data.hearing.at", str(exc))]) from None
    return {"id": given.get("id"), "at": at, "proceeding_id": None, "measures": [], "request_by": None,
            "pickup_ref": None, "travel_minutes": 0}


def _available(profile, witness: WitnessConditions, wanted: list[str]) -> list[str]:
    """The requested measures the jurisdiction's courts grant. One whose profile condition the record
    shows unmet (a child-only measure for an adult) is left out; `protection.eligibility` decides."""
    out, problems = [], []
    for m in dict.fromkeys(wanted):
        try:
            kind = MeasureKind(m)
        except ValueError:
            problems.append(("measures", f"unknown measure {m!r}"))
            continue
        e = eligibility(kind, profile.measures.get(kind), profile.name, witness)
        if e.status is Eligibility.unavailable:
            problems.append(("measures", f"{kind.value} is not available in {profile.name}"))
        elif e.status is not Eligibility.condition_unmet:
            out.append(kind.value)
    if problems:
        raise InputProblems(problems)
    return out


def _filing(profile, now: datetime, hearing: dict, late_reason: str | None) -> dict:
    days = profile.measure_application.request_days_before_hearing
    due = hearing["request_by"] or deadlines(hearing["at"], profile.measure_application).request_by
    deadline = due.astimezone(profile.tz).date()
    days_late = max(0, (now.astimezone(profile.tz).date() - deadline).days)
    if days_late and not (late_reason or "").strip():
        raise InputProblems([("late_reason", f"the application is {days_late} days late (due {deadline.isoformat()}, "
                                             f"{days} days before the hearing); the court must be told why: "
                                             "give --late-reason")])
    return {"deadline": deadline, "days_before": days, "days_late": days_late,
            "late_reason": late_reason.strip() if days_late else None}


def _video_reasons(profile, witness: WitnessConditions, grounds: dict | None, given: list[str] | None) -> list[str]:
    reasons = list(given or [])
    if not given:
        if witness.child:
            reasons.append("child")
        if witness.traumatised:
            reasons.append("traumatised")
        if grounds and grounds["level"] in ("high", "severe"):
            reasons.append("risk_of_reprisal")
        if grounds and grounds["victim_scale"] >= 7:
            reasons.append("fear_of_accused")
    if not reasons:
        raise InputProblems([("reasons", "no ground for a video link is on file; give reasons in --data "
                                         "(child, traumatised, risk_of_reprisal, fear_of_accused)")])
    rule = profile.measures.get(MeasureKind.video_link)
    # The reasons the application gives are the facts the profile's conditions read (protection.py).
    stated = WitnessConditions(child="child" in reasons, traumatised="traumatised" in reasons)
    if eligibility(MeasureKind.video_link, rule, profile.name, stated).status is Eligibility.condition_unmet:
        # e.g. Indonesia: video testimony is reserved for children and traumatised witnesses (Guide §4)
        raise InputProblems([("reasons", f"in {profile.name} a video link is only for: {', '.join(rule.conditions)}")])
    return list(dict.fromkeys(reasons))


def _pickup_reference(case_id: str, at: datetime, profile) -> str:
    return f"PU-{case_id[2:]}-{at.astimezone(profile.tz):%Y%m%d}"


def _claim(uow, row, profile, claim_id: str | None, sup: dict) -> dict:
    if claim_id and not sup.get("items"):
        c = uow.conn.execute(select(claims).where(claims.c.id == claim_id)).first()
        if c is None or c.case_id != row.id:
            raise NotFound(f"claim: no claim {claim_id!r} on case {row.id}")
        unit = Decimal(1).scaleb(-c.minor_units)
        items = []
        for r in uow.conn.execute(select(claim_items).where(claim_items.c.claim_id == claim_id).order_by(claim_items.c.seq)):
            note = uow.cipher.decrypt("claim_items", "note", r.id, r.note)
            items.append({"category": r.category, "description": note or _working(r.working),
                          "amount": {"amount": Decimal(r.amount_minor) * unit, "currency": c.currency,
                                     "minor_units": c.minor_units},
                          "evidence": uow.cipher.decrypt("claim_items", "evidence", r.id, r.evidence)})
        currency, units = c.currency, c.minor_units
    else:
        currency, units = profile.currency.code, profile.currency.minor_units
        items = []
        for i, it in enumerate(sup.get("items") or []):
            if not isinstance(it, dict):
                raise InputProblems([(f"data.items.{i}", "expected category, description, amount, evidence")])
            items.append({**it, "amount": {"amount": Decimal(str(it.get("amount"))), "currency": currency,
                                           "minor_units": units}})
    if not items:
        raise InputProblems([("items", "the claim has no items: give --claim ID, or items in --data")])
    total = sum((i["amount"]["amount"] for i in items), Decimal(0))
    return {"claim_id": claim_id, "items": items, "total": {"amount": total, "currency": currency, "minor_units": units}}


def _working(working: str) -> str | None:
    lines = [str(x) for x in json.loads(working or "[]")]
    return "; ".join(lines) or None


def _next_hearing(conn, case_id: str, now: datetime, proceeding, legal) -> dict | None:
    """The victim's next appearance: a hearing of the hearings area, else a scheduled testimony."""
    h = conn.execute(select(hearings.c.starts_at, proceedings.c.court)
                     .join(appearances, appearances.c.hearing_id == hearings.c.id)
                     .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
                     .where(appearances.c.case_id == case_id, hearings.c.starts_at > now,
                            hearings.c.status.notin_(("cancelled", "held")))
                     .order_by(hearings.c.starts_at).limit(1)).first()
    if h is not None:
        return {"at": h.starts_at, "court": court_name(legal, h.court)}
    a = conn.execute(select(appointments.c.at).where(appointments.c.case_id == case_id, appointments.c.kind == "testimony",
                                                     appointments.c.status == "scheduled", appointments.c.at > now)
                     .order_by(appointments.c.at).limit(1)).first()
    if a is not None and proceeding is not None:
        return {"at": a.at, "court": court_name(legal, proceeding.court)}
    return None


def _requested_measures(conn, case_id: str, now: datetime) -> list[str]:
    rows = conn.execute(select(measures.c.kind).join(hearings, hearings.c.id == measures.c.hearing_id)
                        .where(measures.c.case_id == case_id, measures.c.status.in_(("requested", "granted",
                               "partially_granted", "scheduled")), hearings.c.starts_at > now)).scalars()
    return sorted(set(rows))


def _services(conn, case_id: str) -> list[str]:
    return [s for s in conn.execute(select(services.c.kind).where(services.c.case_id == case_id,
                                                                   services.c.status == "active")
                                    .order_by(services.c.started_at, services.c.kind)).scalars()]


# --- hashes and step 3: register -----------------------------------------------------------------

@lru_cache(maxsize=64)
def _template_digest(root: str, kind: str, lang: str) -> str:
    base = Path(root)
    files = [base / kind / "template.html.j2", base / "base.html.j2", base / "blocks.html.j2", base / "print.css",
             base / kind / "strings" / f"{lang}.yaml", base / "strings" / f"{lang}.yaml"]
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


def _source_hash(app, data) -> str:
    """What the document says: its data without the issue time, and the template files it is made of."""
    body = data.model_dump(mode="json", exclude={"issued_at"})
    root = str(Path(app.settings.templates_dir) / "documents")
    h = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    h.update(_template_digest(root, data.kind, data.lang).encode())
    return h.hexdigest()


def _record(app, actor: Actor, prepared: list[_Prepared], rendered: list) -> list[Generated]:
    out = []
    with app.uow(actor) as uow:
        conn = uow.conn
        for p, r in zip(prepared, rendered):
            req = p.request
            # Consent may have been withdrawn while the PDF was rendered: check again, record nothing then.
            stopping = unresolved(check(uow, ActionKind.generate_document, req.case_id,
                                        includes_identity=req.with_name, recipient_role=p.data.recipient,
                                        document=req.kind, about=p.spec.about), req.overrides)
            if stopping:
                raise ActionBlocked("generate_document stopped by Do No Harm rules:\n"
                                    + "\n".join(f.line() for f in stopping))
            same = (documents.c.case_id == req.case_id, documents.c.kind == req.kind,
                    documents.c.language == p.data.lang, documents.c.recipient == p.data.recipient,
                    documents.c.includes_identity == req.with_name,
                    documents.c.hearing_id.is_(None) if p.hearing_id is None else documents.c.hearing_id == p.hearing_id,
                    documents.c.claim_id.is_(None) if p.claim_id is None else documents.c.claim_id == p.claim_id)
            last = conn.execute(select(documents.c.version, documents.c.source_hash).where(*same)
                                .order_by(documents.c.version.desc(), documents.c.generated_at.desc()).limit(1)).first()
            version = 1 if last is None else last.version if last.source_hash == p.source_hash else last.version + 1
            did = str(uuid.uuid4())
            content_hash = hashlib.sha256(r.pdf).hexdigest()
            conn.execute(insert(documents).values(
                id=did, case_id=req.case_id, kind=req.kind, version=version, hearing_id=p.hearing_id,
                claim_id=p.claim_id, language=p.data.lang, recipient=p.data.recipient,
                includes_identity=req.with_name, content_hash=content_hash, source_hash=p.source_hash,
                pages=r.pages, size=len(r.pdf), generated_at=uow.now, generated_by=actor.user, role=actor.role.value))
            uow.audit("document.generate", req.case_id,
                      f"{req.kind} v{version} {p.data.lang} to {p.data.recipient}"
                      f"{' with legal name' if req.with_name else ''}; sha256 {content_hash[:16]}")
            out.append(Generated(did, req.kind, req.case_id, version, p.data.lang, p.data.recipient, req.with_name,
                                 content_hash, r.pages, r.pdf))
        uow.commit()
    return out
