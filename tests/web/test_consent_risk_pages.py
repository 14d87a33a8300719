"""The coordinator's consent and risk pages and ending a service from the case page (R-22, R-40,
R-112): forms post to the same services, problems come back beside their fields as
`field.path: message` with nothing written, and Do No Harm answers show the rule, its explanation,
the Guide section and, for a warning, an override box that needs a reason."""
import re

from sqlalchemy import func, select

from tests.conftest import COORDINATOR, adult_form, child_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.services import risk
from witness.services.intake import open_case
from witness.store.risk_tables import guardrail_overrides, risk_assessments
from witness.store.tables import consents, services


def _count(app, table, **where):
    with app.engine.connect() as c:
        q = select(func.count()).select_from(table)
        for k, v in where.items():
            q = q.where(table.c[k] == v)
        n = c.execute(q).scalar()
        c.rollback()
    return n


def _amara(app):
    return signed_in_client(app, make_person(app, "amara", "coordinator"))


def test_a_consent_is_given_with_its_method_language_and_interpreter_and_a_mistake_writes_nothing(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = _amara(app)
    page = client.get(f"/cases/{case_id}/consent")
    assert page.status_code == 200 and "No consent recorded." in page.text
    token = csrf_of(page.text)
    wrong = client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "interview", "method": "oral",
                                                           "language": "not a tag!", "interpreter": "interp-07"})
    assert wrong.status_code == 422
    assert re.search(r'id="give-language-error">language: ', wrong.text)
    assert 'value="interp-07"' in wrong.text  # what was typed is kept
    assert _count(app, consents, case_id=case_id) == 0
    done = client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "interview", "method": "oral",
                                                          "language": "my", "interpreter": "interp-07"})
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{case_id}/consent"
    shown = client.get(f"/cases/{case_id}/consent").text
    assert "oral, in my, interpreter interp-07" in shown
    with app.engine.connect() as c:
        row = c.execute(select(consents).where(consents.c.case_id == case_id)).one()
        c.rollback()
    assert (row.scope, row.method, row.language, row.interpreter) == ("interview", "oral", "my", "interp-07")


def test_data_sharing_needs_its_recipient_beside_the_field(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = _amara(app)
    token = csrf_of(client.get(f"/cases/{case_id}/consent").text)
    wrong = client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "data_sharing", "method": "written",
                                                           "language": "my"})
    assert wrong.status_code == 422 and 'id="give-recipient-error">recipient: required' in wrong.text
    assert _count(app, consents, case_id=case_id) == 0
    ok = client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "data_sharing", "method": "written",
                                                        "language": "my", "recipient": "ngo.shelter-north"})
    assert ok.status_code == 303 and _count(app, consents, scope="data_sharing:ngo.shelter-north") == 1


def test_consent_to_an_unsafe_channel_is_a_do_no_harm_block_with_its_rule_and_guide_section(app):
    case_id = open_case(app, COORDINATOR, adult_form())  # safe channels: sms and call
    client = _amara(app)
    token = csrf_of(client.get(f"/cases/{case_id}/consent").text)
    blocked = client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "notification:email",
                                                             "method": "written", "language": "my"})
    assert blocked.status_code == 409
    assert "DNH-09-unsafe-channel" in blocked.text and "has not marked email as a safe channel" in blocked.text
    assert "Guide: Recovery §4" in blocked.text and "This rule cannot be overridden." in blocked.text
    assert 'name="override:' not in blocked.text
    assert _count(app, consents, case_id=case_id) == 0


def test_a_child_consent_without_the_guardian_is_refused_and_the_box_is_offered(app):
    case_id = open_case(app, COORDINATOR, child_form())
    client = _amara(app)
    page = client.get(f"/cases/{case_id}/consent").text
    assert 'name="guardian_agreed"' in page
    refused = client.post(f"/cases/{case_id}/consent", data={"csrf": csrf_of(page), "scope": "interview",
                                                             "method": "written", "language": "id"})
    assert refused.status_code == 409 and "guardian_agreed: the victim is (presumed) a child" in refused.text
    assert _count(app, consents, case_id=case_id) == 0


def test_withdrawing_says_what_it_cancels_before_it_is_confirmed(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = _amara(app)
    token = csrf_of(client.get(f"/cases/{case_id}/consent").text)
    # interview: a scope that needs no information sheet explained first (DNH-31)
    assert client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "interview", "method": "written",
                                                          "language": "my"}).status_code == 303
    ask = client.post(f"/cases/{case_id}/consent/withdraw", data={"csrf": token, "scope": "interview"})
    assert ask.status_code == 200 and 'id="confirm"' in ask.text
    assert "interviews still to come" in ask.text and "Support continues unchanged" in ask.text
    assert _count(app, consents, case_id=case_id, withdrawn_at=None) == 1  # asking withdrew nothing
    done = client.post(f"/cases/{case_id}/consent/withdraw", data={"csrf": token, "scope": "interview", "confirm": "1"})
    assert done.status_code == 200 and "Consent to interview was withdrawn" in done.text
    assert _count(app, consents, case_id=case_id, withdrawn_at=None) == 0
    again = client.post(f"/cases/{case_id}/consent/withdraw", data={"csrf": token, "scope": "interview"})
    assert again.status_code == 404  # nothing active to withdraw


def test_a_risk_assessment_with_mistakes_writes_nothing_and_the_corrected_one_shows_level_reasons_and_measures(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = _amara(app)
    page = client.get(f"/cases/{case_id}/risk")
    assert page.status_code == 200 and "No risk assessment yet." in page.text
    assert "Organised crime controls the area or the trade" in page.text  # the policy's questions, in words
    token = csrf_of(page.text)
    form = {"csrf": token, "trigger": "initial", "context.reprisals_planned_or_carried_out": "1",
            "case.threats_to_victim": "1", "case.accused_knows_residence": "1", "victim.fear_scale": "11"}
    wrong = client.post(f"/cases/{case_id}/risk", data=form)
    assert wrong.status_code == 422
    assert 'id="risk-victim-own_words-error">victim.own_words: ' in wrong.text
    assert 'id="risk-victim-fear_scale-error">victim.fear_scale: ' in wrong.text
    assert 'name="case.threats_to_victim" value="1" checked' in wrong.text  # kept
    assert _count(app, risk_assessments, case_id=case_id) == 0
    form.update({"victim.fear_scale": "8", "victim.own_words": "He knows the shelter; I am afraid at night."})
    done = client.post(f"/cases/{case_id}/risk", data=form)
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{case_id}/risk"
    shown = client.get(f"/cases/{case_id}/risk").text
    latest = risk.history(app, COORDINATOR, case_id)["latest"]
    assert f"Risk level: {latest['level']}" in shown
    assert "The victim has been threatened (weight 20)" in shown
    assert "Reprisals have been planned or carried out against victims or witnesses (weight 15)" in shown
    assert "Relationship to the accused: employer (weight 6)" in shown
    recommended = re.search(r'<ul id="recommended">(.*?)</ul>', shown, re.S).group(1)
    assert latest["recommended"] and all(m.replace("_", " ") in recommended for m in latest["recommended"])
    assert "He knows the shelter" not in shown  # the victim's words are kept encrypted, not shown back


def test_ending_a_service_under_settlement_pressure_is_a_warning_that_an_override_with_a_reason_lets_through(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    risk.report(app, COORDINATOR, case_id, "settlement_pressure")
    client = _amara(app)
    page = client.get(f"/cases/{case_id}").text
    assert "declined cooperation" not in page  # cooperation reasons are not offered
    token = csrf_of(page)
    warned = client.post(f"/cases/{case_id}/services/end", data={"csrf": token, "kind": "medical",
                                                                 "reason": "completed"})
    assert warned.status_code == 409
    assert "DNH-12-settlement-pressure" in warned.text and "Guide: Criminal Justice §1" in warned.text
    assert 'name="override:DNH-12-settlement-pressure"' in warned.text
    assert _count(app, services, case_id=case_id, kind="medical", status="active") == 1
    done = client.post(f"/cases/{case_id}/services/end", data={
        "csrf": token, "kind": "medical", "reason": "completed",
        "override:DNH-12-settlement-pressure": "treatment finished; pressure followed up by phone"})
    assert done.status_code == 303
    assert _count(app, services, case_id=case_id, kind="medical", status="ended") == 1
    assert _count(app, guardrail_overrides, case_id=case_id, rule="DNH-12-settlement-pressure") == 1
    wrong = client.post(f"/cases/{case_id}/services/end", data={"csrf": token, "kind": "legal", "reason": "bored"})
    assert wrong.status_code == 422 and 'id="end-reason-error">reason: use one of' in wrong.text
    assert _count(app, services, case_id=case_id, kind="legal", status="active") == 1


def test_consent_to_testify_needs_the_information_sheet_explained_first(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = _amara(app)
    token = csrf_of(client.get(f"/cases/{case_id}/consent").text)
    form = {"csrf": token, "scope": "testimony", "method": "written", "language": "my"}
    refused = client.post(f"/cases/{case_id}/consent", data=form)
    assert refused.status_code == 409 and "DNH-31-informed-consent" in refused.text
    assert _count(app, consents, case_id=case_id) == 0
    done = client.post(f"/cases/{case_id}/consent", data={**form, "explained": "1"})
    assert done.status_code == 303 and _count(app, consents, case_id=case_id, scope="testimony") == 1


def test_ending_an_unknown_service_names_the_field_and_changes_nothing(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = _amara(app)
    token = csrf_of(client.get(f"/cases/{case_id}").text)
    wrong = client.post(f"/cases/{case_id}/services/end", data={"csrf": token, "kind": "spa", "reason": "completed"})
    assert wrong.status_code == 422 and "<li>kind: " in wrong.text
    assert _count(app, services, case_id=case_id, status="ended") == 0
