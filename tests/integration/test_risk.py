"""Issue 3 acceptance: risk levels, configurable weights, release-triggered reassessment, audited overrides."""
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.conftest import AUDITOR, COORDINATOR, PROSECUTOR, adult_form, child_form, make_app
from witness.bootstrap import build_app
from witness.errors import ActionBlocked, ConfigError
from witness.services import appointments, consent
from witness.services import risk as risk_service
from witness.services.audit import verify
from witness.services.custody import change_custody, find_accused
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run
from witness.settings import PROJECT_ROOT, Settings
from witness.store.risk_tables import guardrail_overrides, risk_reviews_due
from witness.store.tables import audit_log, worklist


def answers(fear=2, **case):
    return {"trigger": "initial", "case": case, "victim": {"own_words": "I am scared he will find my mother.", "fear_scale": fear}}


def child_with_relative(app):
    form = child_form(proceedings=[{"court": "PN Indramayu", "docket": "ID-1", "accused": [
        {"label": "Accused C (aunt)", "custody": "arrested", "relationship": "family"}]}])
    return open_case(app, COORDINATOR, form)


def adult_with_accused_detained(app):
    return open_case(app, COORDINATOR, adult_form(victim={**adult_form()["victim"], "nationality": "TH"}))


def test_a_child_threatened_by_a_relative_is_severe_with_child_measures(app):
    case = child_with_relative(app)
    result = risk_service.record(app, COORDINATOR, case, answers(fear=3, threats_to_victim=True))
    assert result.level.value == "severe"
    recommended = {m.value for m in result.recommended}
    assert {"intermediary", "video_link", "no_defendant_cross_examination", "closed_hearing"} <= recommended
    factors = {f.factor: f.weight for f in result.factors}
    assert factors["child"] == 15 and factors["relationship to accused: family"] == 12 and factors["threats_to_victim"] == 20


def test_an_adult_with_the_accused_detained_and_no_threats_is_low_or_moderate(app):
    case = adult_with_accused_detained(app)
    result = risk_service.record(app, COORDINATOR, case, answers(fear=1))
    assert result.level.value in ("low", "moderate")
    assert not result.raised_by_victim


def test_the_victims_own_fear_raises_the_level_and_never_lowers_it(app):
    case = adult_with_accused_detained(app)
    calm = risk_service.record(app, COORDINATOR, case, answers(fear=1))
    afraid = risk_service.record(app, COORDINATOR, case, answers(fear=9))
    assert (calm.level.value, afraid.level.value) == ("low", "severe") and afraid.raised_by_victim
    child = child_with_relative(app)
    serene = risk_service.record(app, COORDINATOR, child, answers(fear=0, threats_to_victim=True))
    assert serene.level.value == "severe"  # a low fear score does not pull a severe case down


def test_history_keeps_every_assessment_with_who_and_why(app):
    case = adult_with_accused_detained(app)
    risk_service.record(app, COORDINATOR, case, answers(fear=1))
    risk_service.record(app, COORDINATOR, case, {**answers(fear=8), "trigger": "threat_reported"})
    data = risk_service.history(app, PROSECUTOR, case)
    assert data["latest"]["trigger"] == "threat_reported" and data["latest"]["level"] == "high"
    assert [h["trigger"] for h in data["history"]] == ["initial"]
    assert data["latest"]["assessor"] == "amara"


def _policy_copy(tmp_path: Path, edit) -> Path:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    data = yaml.safe_load((config / "risk.yaml").read_text())
    edit(data)
    (config / "risk.yaml").write_text(yaml.safe_dump(data))
    return config


def test_changing_a_weight_in_risk_yaml_changes_the_result_without_code_changes(tmp_path, sqlite_url):
    app = make_app(tmp_path, sqlite_url)
    case = adult_with_accused_detained(app)
    before = risk_service.record(app, COORDINATOR, case, answers(fear=1, media_exposure=True))
    config = _policy_copy(tmp_path, lambda d: d["factors"].update(media_exposure=60))
    from witness.risk_policy import load_risk_policy
    app.risk_policy = load_risk_policy(config / "risk.yaml")
    after = risk_service.record(app, COORDINATOR, case, answers(fear=1, media_exposure=True))
    assert (before.level.value, after.level.value) == ("low", "severe")


def test_a_malformed_risk_yaml_is_refused_at_start_naming_file_and_field(tmp_path, sqlite_url):
    app = make_app(tmp_path, sqlite_url)  # a keyring exists, so only the policy can stop the start
    config = _policy_copy(tmp_path, lambda d: d["factors"].update(child="lots"))
    with pytest.raises(ConfigError) as err:
        build_app(Settings(home=app.settings.home, database_url=sqlite_url, config_dir=config))
    assert str(config / "risk.yaml") in str(err.value) and "factors.child" in str(err.value)
    config2 = _policy_copy(tmp_path / "b", lambda d: d["levels"].pop("high"))
    with pytest.raises(ConfigError, match="levels.high"):
        build_app(Settings(home=app.settings.home, database_url=sqlite_url, config_dir=config2))


def test_an_accused_release_makes_every_linked_victims_reassessment_due_at_once(app):
    ids = []
    for i in range(4):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Crew member {i}")
        ids.append(open_case(app, COORDINATOR, form))
    for case in ids:
        risk_service.record(app, COORDINATOR, case, answers(fear=2))
    accused_id = find_accused(app, "TH-SSK-2026-0141", "Accused A")
    released_at = app.clock.now() + timedelta(hours=2)
    app.clock.advance(hours=2)
    result = change_custody(app, COORDINATOR, "court-feed-981", accused_id, "released", released_at, source="court")
    assert sorted(result.case_ids) == sorted(ids)
    with app.engine.connect() as c:
        due = {r.case_id: r.trigger for r in c.execute(select(risk_reviews_due))}
        items = {r.case_id for r in c.execute(select(worklist).where(worklist.c.kind == "reassess_risk"))}
    assert due == {i: "accused_released" for i in ids}
    assert items == set(ids)
    assert risk_service.history(app, COORDINATOR, ids[0])["reassessment_due"]["trigger"] == "accused_released"
    # A new assessment clears it for that victim only.
    risk_service.record(app, COORDINATOR, ids[0], {**answers(fear=7), "trigger": "accused_released"})
    with app.engine.connect() as c:
        assert {r.case_id for r in c.execute(select(risk_reviews_due))} == set(ids[1:])
    # The same custody event seen again changes nothing.
    assert change_custody(app, COORDINATOR, "court-feed-981", accused_id, "released", released_at).duplicate


def test_reviews_fall_due_by_level_and_the_sweep_lists_them_once(app):
    case = adult_with_accused_detained(app)
    result = risk_service.record(app, COORDINATOR, case, answers(fear=8))  # high: review in 14 days
    assert result.review_days == 14
    early = run(app, SYSTEM, app.clock.now() + timedelta(days=13))
    assert early.changed["risk_review_due"] == 0
    later = app.clock.now() + timedelta(days=14)
    assert run(app, SYSTEM, later).changed["risk_review_due"] == 1
    assert run(app, SYSTEM, later).changed["risk_review_due"] == 0


def test_an_overridden_gender_preference_is_audited_with_actor_and_reason_and_the_chain_verifies(app):
    form = adult_form()
    form["victim"] = dict(form["victim"], gender="female", escort_gender_preference="female")
    case = open_case(app, COORDINATOR, form)
    consent.give(app, COORDINATOR, case, "interview", "written", "my")
    at = app.clock.now() + timedelta(days=2)
    with pytest.raises(ActionBlocked, match="DNH-05-gender-preference"):
        appointments.schedule(app, PROSECUTOR, case, "interview", at, interviewer_gender="male")
    reason = "no female investigator this week; the victim agreed after a private conversation"
    appointments.schedule(app, PROSECUTOR, case, "interview", at, {"DNH-05-gender-preference": reason},
                          interviewer_gender="male")
    with app.engine.connect() as c:
        override = c.execute(select(guardrail_overrides)).one()
        audit = c.execute(select(audit_log).where(audit_log.c.action == "guardrail.override")).one()
    assert (audit.actor, audit.role, audit.record) == ("somchai", "prosecutor", case)
    assert override.id in audit.purpose and "DNH-05-gender-preference" in audit.purpose
    assert app.cipher.decrypt("guardrail_overrides", "reason", override.id, override.reason) == reason
    assert verify(app, AUDITOR).ok


def test_a_release_left_unattended_past_the_deadline_escalates_to_the_coordinator_once(app):
    case = adult_with_accused_detained(app)
    accused_id = find_accused(app, "TH-SSK-2026-0141", "Accused A")
    freed_at = app.clock.now()
    change_custody(app, COORDINATOR, "feed-1", accused_id, "escaped", freed_at)
    assert run(app, SYSTEM, freed_at + timedelta(minutes=10)).changed["release_escalation"] == 0  # within 15 min
    late = freed_at + timedelta(minutes=20)
    assert run(app, SYSTEM, late).changed["release_escalation"] == 1
    assert run(app, SYSTEM, late).changed["release_escalation"] == 0
    with app.engine.connect() as c:
        [esc] = c.execute(select(worklist).where(worklist.c.kind == "release_escalation")).all()
    assert esc.case_id == case and esc.assignee == "amara" and "escaped" in esc.detail


def test_the_sweep_lists_an_initial_assessment_once_for_each_case_with_none(app):
    """The initial-risk follow-up selects the open cases with no assessment and no such item yet
    (on SQLite through NOT IN): once each, never an assessed case, and an item about no case on the
    worklist (a NULL in the list) does not make it select nothing."""
    from witness.services.worklist import add_items, item

    unassessed, assessed = adult_with_accused_detained(app), child_with_relative(app)
    risk_service.record(app, COORDINATOR, assessed, answers())
    with app.engine.begin() as conn:
        add_items(conn, [item("feed:TH:stale", None, "custody_feed_stale", "amara", app.clock.now(), app.clock.now(),
                              "TH: no custody update")])
    now = app.clock.now() + timedelta(hours=1)
    first = run(app, SYSTEM, now)
    assert first.changed["risk_initial_due"] == 1
    with app.engine.connect() as conn:
        listed = conn.execute(select(worklist.c.case_id).where(worklist.c.kind == "initial_risk")).scalars().all()
    assert listed == [unassessed]
    assert run(app, SYSTEM, now + timedelta(days=1)).selected["risk_initial_due"] == 0
