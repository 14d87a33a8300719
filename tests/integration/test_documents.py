"""Documents from real cases (SQLite and PostgreSQL): data from the tables, the guardrail on the
legal name (canary), languages by recipient, the register and its versions."""
from __future__ import annotations

import io
import json
import subprocess
import uuid
from datetime import timedelta

import pytest
import yaml
from pypdf import PdfReader
from sqlalchemy import insert, select

from tests.conftest import COORDINATOR, PROSECUTOR, T0, adult_form, child_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.errors import ActionBlocked, Forbidden, InputProblems
from witness.outputs.documents.catalogue import KINDS
from witness.outputs.documents.render import TEMPLATES
from witness.services import consent
from witness.services.documents import Request, generate, generate_many, register
from witness.services.intake import open_case
from witness.store.claim_tables import claim_items, claims
from witness.store.hearing_tables import appearances, hearings, measures
from witness.store.risk_tables import risk_assessments
from witness.store.tables import audit_log, proceedings

NAME = "Aung Min Thein"
HEARING_AT = T0 + timedelta(days=30)
LEGAL_AID = Actor("narin", Role.legal_aid)
ESCORT = Actor("officer-9", Role.escort)


def _assess(app, case_id: str) -> None:
    with app.engine.begin() as c:
        c.execute(insert(risk_assessments).values(
            id=str(uuid.uuid4()), case_id=case_id, at=T0, assessor="amara", trigger="intake", level="high", score=44,
            victim_scale=8, answers="(encrypted)", next_review_at=T0 + timedelta(days=14),
            factors=json.dumps([{"factor": "accused custody: at_large", "weight": 15},
                                {"factor": "threats_to_family", "weight": 15},
                                {"factor": "relationship to accused: employer", "weight": 6},
                                {"factor": "context: corruption", "weight": 8}]),
            recommended=json.dumps(["escort", "screen", "pseudonym", "closed_hearing", "video_link",
                                    "separate_waiting_room", "intermediary"])))


@pytest.fixture
def fisher(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    put_on_case(app, LEGAL_AID, case_id)  # the lawyer who drafts the restitution claim (need to know)
    _assess(app, case_id)
    consent.give(app, COORDINATOR, case_id, "testimony", "written", "my", interpreter="interp-07", explained=True)
    return case_id


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _metadata(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    return json.dumps({k: str(v) for k, v in reader.metadata.items()}, ensure_ascii=False) + xmp


HEARING = {"hearing": {"at": HEARING_AT.isoformat()}}
REQUESTS = {
    "protective_measures": (PROSECUTOR, HEARING),
    "video_link": (PROSECUTOR, HEARING),
    "closed_hearing": (PROSECUTOR, HEARING),
    "escort_request": (COORDINATOR, HEARING),
    "restitution_claim": (LEGAL_AID, {"items": [{"category": "unpaid_wages", "description": "14 months unpaid",
                                                  "amount": "151200.00", "evidence": "crew list"},
                                                 {"category": "emotional_suffering", "amount": "100000"}]}),
    "victim_letter": (COORDINATOR, {}),
    "information_sheet": (COORDINATOR, {}),
    "consent_record": (COORDINATOR, {}),
}


def test_every_document_renders_from_a_real_case_and_never_names_the_victim_without_consent(app, fisher, tmp_path):
    made = {}
    for kind, (actor, data) in REQUESTS.items():
        made[kind] = generate(app, actor, Request(kind, fisher, supplement=data))
    assert set(made) == set(KINDS)
    for kind, g in made.items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(g.pdf)
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0, kind
        text, meta = _text(g.pdf), _metadata(g.pdf)
        # the canary: no legal name (nor part of it) in the text or the metadata
        for part in (NAME, "Aung Min", "Thein", "Mahachai"):
            assert part not in text and part not in meta, (kind, part)
        assert fisher in "".join(text.split()), kind
        if KINDS[kind].filing:  # the court as the court's language writes it (the profile's legal_texts)
            assert "ศาลจังหวัดสมุทรสาคร" in text and "TH-SSK-2026-0141" in text, kind
            assert "Samut Sakhon" not in text, kind
        elif kind == "consent_record":  # Burmese: the profile names no Thai court in Burmese
            assert "Samut Sakhon Provincial Court" in text and "TH-SSK-2026-0141" in text, kind
    # filings in the court's language (Thai), the victim's documents in Burmese
    assert {made[k].language for k in made if KINDS[k].filing} == {"th"}
    assert {made[k].language for k in ("victim_letter", "information_sheet", "consent_record")} == {"my"}
    pm = _text(made["protective_measures"].pdf)
    thai = yaml.safe_load((TEMPLATES / "strings" / "th.yaml").read_text(encoding="utf-8"))["measure"]
    flat = "".join(pm.split())
    for m in ("escort", "screen", "pseudonym", "closed_hearing", "video_link", "separate_waiting_room"):
        # the requested measures from the risk assessment, in Thai, extracted exactly
        assert "".join(thai[m].split()) in flat, m
    assert "ผู้ประสานการถาม" not in pm  # the intermediary is a child-witness measure: not asked for an adult
    assert "฿251,200.00" in _text(made["restitution_claim"].pdf)
    claim = "".join(_text(made["restitution_claim"].pdf).split())
    assert "พระราชบัญญัติป้องกันและปราบปรามการค้ามนุษย์พ.ศ.2551" in claim and "Anti-TIP" not in claim


def test_the_legal_name_appears_only_when_name_disclosure_consent_covers_document_and_recipient(app, fisher):
    ask = Request("protective_measures", fisher, with_name=True, supplement=HEARING)
    with pytest.raises(ActionBlocked, match="DNH-03"):
        generate(app, PROSECUTOR, ask)
    consent.give(app, COORDINATOR, fisher, "name_disclosure", "written", "my", interpreter="interp-07", explained=True)
    named = generate(app, PROSECUTOR, ask)
    assert NAME in _text(named.pdf) and named.includes_identity
    assert NAME not in _metadata(named.pdf)
    plain = generate(app, PROSECUTOR, Request("protective_measures", fisher, supplement=HEARING))
    assert NAME not in _text(plain.pdf)
    # the police and the victim's own letters never carry it, consent or not
    for kind in ("escort_request", "victim_letter", "information_sheet"):
        with pytest.raises(ActionBlocked):
            generate(app, COORDINATOR, Request(kind, fisher, with_name=True, supplement=HEARING if kind == "escort_request" else {}))
    # a recipient without need-to-know is refused by the guardrail
    with pytest.raises(ActionBlocked, match="DNH-03"):
        generate(app, COORDINATOR, Request("consent_record", fisher, with_name=True, recipient="victim"))
    # consent withdrawn: the name is gone from the next document
    consent.withdraw(app, COORDINATOR, fisher, "name_disclosure")
    with pytest.raises(ActionBlocked):
        generate(app, PROSECUTOR, ask)
    with app.engine.connect() as c:
        reads = c.execute(select(audit_log.c.purpose).where(audit_log.c.action == "identity.read")).scalars().all()
    assert any("document" in r for r in reads)


def test_only_roles_that_prepare_documents_generate_them(app, fisher):
    with pytest.raises(Forbidden):
        generate(app, ESCORT, Request("victim_letter", fisher))
    with pytest.raises(Forbidden):
        register(app, ESCORT, fisher)


def test_regenerating_after_a_change_makes_a_new_version_and_every_issue_is_registered(app, fisher):
    first = generate(app, COORDINATOR, Request("consent_record", fisher))
    again = generate(app, COORDINATOR, Request("consent_record", fisher))
    assert (first.version, again.version) == (1, 1)
    consent.give(app, COORDINATOR, fisher, "interview", "oral", "my", interpreter="interp-07")
    changed = generate(app, COORDINATOR, Request("consent_record", fisher))
    assert changed.version == 2 and changed.content_hash != first.content_hash
    english = generate(app, COORDINATOR, Request("consent_record", fisher, lang="en"))
    assert english.version == 1 and english.language == "en"
    rows = register(app, COORDINATOR, fisher)
    assert [(r["kind"], r["version"], r["language"]) for r in rows].count(("consent_record", 1, "my")) == 2
    assert all(len(r["content_hash"]) == 64 and r["generated_by"] == "amara" for r in rows)
    with app.engine.connect() as c:
        audited = c.execute(select(audit_log.c.purpose).where(audit_log.c.action == "document.generate")).scalars().all()
    assert len(audited) == 4


def test_a_late_application_says_so_and_needs_a_reason(app, fisher):
    soon = {"hearing": {"at": (T0 + timedelta(days=3)).isoformat()}}
    with pytest.raises(InputProblems, match="late_reason"):
        generate(app, PROSECUTOR, Request("protective_measures", fisher, supplement=soon))
    late = generate(app, PROSECUTOR, Request("protective_measures", fisher, lang="en",
                                             supplement={**soon, "late_reason": "The hearing was set on 1 November."}))
    text = _text(late.pdf)
    assert "filed late: 4 days after the deadline" in " ".join(text.split())
    assert "The hearing was set on 1 November." in text


def test_documents_draw_on_hearings_measures_and_claims_of_the_other_areas(app, fisher):
    with app.engine.begin() as c:
        pid = c.execute(select(proceedings.c.id)).scalar()
        c.execute(insert(hearings).values(id="H-TEST0001", proceeding_id=pid, kind="trial", starts_at=HEARING_AT,
                                          ends_at=HEARING_AT + timedelta(hours=3), status="scheduled", version=1,
                                          created_at=T0, created_by="somchai", updated_at=T0))
        c.execute(insert(appearances).values(id=str(uuid.uuid4()), hearing_id="H-TEST0001", case_id=fisher,
                                             mode="in_person", status="planned", travel_minutes=60, pickup_ref="PU-77AB",
                                             escort_pins="", created_at=T0, updated_at=T0))
        for i, kind in enumerate(("screen", "separate_waiting_room", "escort")):
            c.execute(insert(measures).values(id=f"M-TEST000{i}", case_id=fisher, hearing_id="H-TEST0001", kind=kind,
                                              status="recommended", source="risk", eligibility="eligible",
                                              recommended_at=T0, request_by=HEARING_AT - timedelta(days=7),
                                              updated_at=T0))
        c.execute(insert(claims).values(id="CL-TEST0001", case_id=fisher, jurisdiction="TH", currency="THB",
                                        minor_units=2, lawyer="narin", status="drafting", created_at=T0,
                                        created_by="narin", updated_at=T0))
        c.execute(insert(claim_items).values(id=str(uuid.uuid4()), claim_id="CL-TEST0001", seq=1, category="medical_costs",
                                             amount_minor=1845050, working='["6 receipts"]', added_at=T0, added_by="narin"))
    pm = generate(app, PROSECUTOR, Request("protective_measures", fisher, hearing_id="H-TEST0001", lang="en"))
    text = " ".join(_text(pm.pdf).split())
    assert "A screen between the witness and the accused" in text and "Police escort" in text
    assert "Use of a pseudonym" not in text  # what the hearing's measures say, not the risk list
    escort = generate(app, COORDINATOR, Request("escort_request", fisher, hearing_id="H-TEST0001", lang="en"))
    assert "PU-77AB" in _text(escort.pdf)
    claim = generate(app, LEGAL_AID, Request("restitution_claim", fisher, claim_id="CL-TEST0001", lang="en"))
    assert "THB18,450.50" in _text(claim.pdf) and "6 receipts" in _text(claim.pdf)
    rows = {r["kind"]: r for r in register(app, COORDINATOR, fisher)}
    assert rows["protective_measures"]["hearing_id"] == "H-TEST0001" and rows["restitution_claim"]["claim_id"] == "CL-TEST0001"


def test_a_childs_documents_go_in_her_language_and_indonesia_keeps_video_links_for_children(app):
    girl = open_case(app, COORDINATOR, child_form(proceedings=[
        {"court": "Pengadilan Negeri Indramayu", "docket": "ID-IDM-2026-077",
         "accused": [{"label": "Accused C", "custody": "arrested", "relationship": "family"}]}]))
    consent.give(app, COORDINATOR, girl, "testimony", "written", "id", guardian_agreed=True, explained=True)
    made = generate_many(app, COORDINATOR, [Request("victim_letter", girl), Request("information_sheet", girl),
                                            Request("video_link", girl, supplement=HEARING)])
    assert [g.language for g in made] == ["id", "id", "id"]
    assert "Anda" in _text(made[0].pdf) and "Pengadilan Negeri Indramayu" in _text(made[2].pdf)
    adult = open_case(app, COORDINATOR, adult_form(jurisdiction="ID", proceedings=[
        {"court": "Pengadilan Negeri Jakarta Utara", "docket": "ID-JKU-1", "prosecutor": "somchai",
         "accused": [{"label": "Accused D", "custody": "detained", "relationship": "employer"}]}]))
    consent.give(app, COORDINATOR, adult, "testimony", "written", "my", explained=True)
    with pytest.raises(InputProblems, match="only for"):
        generate(app, PROSECUTOR, Request("video_link", adult, supplement={**HEARING, "reasons": ["fear_of_accused"]}))


def test_a_data_file_cannot_replace_what_the_case_says(app, fisher):
    with pytest.raises(InputProblems, match="data.subject"):
        generate(app, COORDINATOR, Request("victim_letter", fisher, supplement={"subject": {"pseudonym": "W-AAAA"}}))


def test_no_request_is_made_for_an_appearance_the_victim_withdrew_from(app, fisher):
    consent.withdraw(app, COORDINATOR, fisher, "testimony")
    for kind in ("protective_measures", "video_link", "closed_hearing", "escort_request"):
        with pytest.raises(ActionBlocked, match="no active consent to testimony"):
            generate(app, PROSECUTOR, Request(kind, fisher, supplement=HEARING))
    assert generate(app, COORDINATOR, Request("victim_letter", fisher)).language == "my"  # support and information go on
