"""The case page (R-112): identity only behind an audited POST, and guardrail answers with the
rule, its explanation, the Guide section and an override box where the rule allows one."""
from sqlalchemy import select

from tests.conftest import COORDINATOR, adult_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.services import reflection, risk
from witness.services.intake import open_case
from witness.store.tables import audit_log, cases


def test_identity_is_shown_only_after_show_identity_is_pressed(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = client.get(f"/cases/{case_id}")
    assert "Aung Min Thein" not in page.text and "Show identity" in page.text
    # Looking at the page is not reading the identity (the risk and claim summary is its own read).
    assert _reads(app, case_id) == ["case.intake", "case.read", "case.summary"]
    shown = client.post(f"/cases/{case_id}/identity", data={"csrf": csrf_of(page.text)})
    assert shown.status_code == 200 and "Aung Min Thein" in shown.text
    assert _reads(app, case_id) == ["case.intake", "case.read", "case.summary", "identity.read", "case.summary"]


def _reads(app, case_id):
    with app.engine.connect() as c:
        reads = c.execute(select(audit_log.c.action).where(audit_log.c.record == case_id, audit_log.c.actor == "amara")
                          .order_by(audit_log.c.seq)).scalars().all()
        c.rollback()
    return reads


def test_a_guardrail_warning_is_explained_and_can_be_overridden_with_a_reason(app):
    case_id = open_case(app, COORDINATOR, adult_form(
        consents=[{"scope": "interview", "method": "written", "language": "my"}]))
    reflection.decide(app, COORDINATOR, case_id, "cooperate")
    risk.report(app, COORDINATOR, case_id, "settlement_pressure")
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get(f"/cases/{case_id}").text)
    stopped = client.post(f"/cases/{case_id}/stage", data={"csrf": token, "target": "decision", "reason": "decided"})
    assert stopped.status_code == 409
    text = stopped.text
    assert "DNH-12-settlement-pressure" in text and "advise the victim against informal settlement" in text
    assert "Guide: Criminal Justice §1" in text
    assert 'name="override:DNH-12-settlement-pressure"' in text
    moved = client.post(f"/cases/{case_id}/stage", data={
        "csrf": token, "target": "decision", "reason": "decided",
        "override:DNH-12-settlement-pressure": "victim advised in person; pressure reported to police"})
    assert moved.status_code == 303
    with app.engine.connect() as c:
        assert c.execute(select(cases.c.stage).where(cases.c.id == case_id)).scalar() == "decision"
        c.rollback()


def test_a_block_that_no_one_may_override_offers_no_override_box(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get(f"/cases/{case_id}").text)
    stopped = client.post(f"/cases/{case_id}/stage", data={"csrf": token, "target": "decision", "reason": "hurry"})
    assert stopped.status_code == 409 and "reflection period runs until" in stopped.text
    assert 'name="override:' not in stopped.text


def test_the_case_page_shows_the_latest_risk_and_the_claims_only_to_those_who_may_read_them(app):
    """Header badge and Safety (risk.read: coordinator, prosecutor), Restitution (claim.read:
    coordinator, prosecutor, lawyer); an auditor opens the case and sees neither part at all."""
    import yaml

    from tests.conftest import ADMIN, PROJECT_ROOT
    from witness.domain.access import Actor, Role
    from witness.services import accounts, claims

    case_id = open_case(app, COORDINATOR, adult_form())
    answers = yaml.safe_load((PROJECT_ROOT / "examples" / "risk-answers.yaml").read_text())
    level = risk.record(app, COORDINATOR, case_id, answers).level
    people = {login: make_person(app, login, role) for login, role in
              (("amara", "coordinator"), ("somchai", "prosecutor"), ("hana", "legal_aid"), ("audit-1", "auditor"))}
    for login in ("somchai", "hana"):
        accounts.assign(app, ADMIN, login, add_cases=[case_id])
    claim = claims.new(app, Actor("hana", Role.legal_aid), case_id)["claim"]
    claims.add_item(app, Actor("hana", Role.legal_aid), claim, "medical_costs", "12500")
    pages = {login: signed_in_client(app, p).get(f"/cases/{case_id}") for login, p in people.items()}
    assert all(p.status_code == 200 for p in pages.values())
    badge = f"Risk level: {level.value.replace('_', ' ')}"
    seen = {login: (badge in p.text and 'id="latest-risk"' in p.text, f'id="claim-{claim}"' in p.text)
            for login, p in pages.items()}
    assert seen == {"amara": (True, True), "somchai": (True, True), "hana": (False, True), "audit-1": (False, False)}
    coordinator = pages["amara"].text
    assert coordinator.index('id="safety-h"') < coordinator.index('id="restitution-h"') < coordinator.index('id="timeline-h"')
    assert "12,500.00" in coordinator or "12500.00" in coordinator  # the calculated amount, exact
    assert 'id="restitution-h"' not in pages["audit-1"].text and "no risk assessment yet" not in pages["audit-1"].text
