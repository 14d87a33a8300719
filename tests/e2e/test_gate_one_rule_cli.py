"""No Do No Harm rule written twice (issue 11 follow-up), on the real command line: `witness check`
names the rule that then stops the action, for the claims' close veto (DNH-14: check used to say
"passes" while `witness stage … closed` refused) and for consent to a channel the victim has not
marked safe (DNH-09). Exit codes and the lines shown; nothing is changed. On SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, adult_form
from tests.e2e.runner import add_accounts, cli_env, witness
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.services import claims, reflection
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run as sweep
from witness.store.tables import cases, consents

LAWYER = Actor("hana", Role.legal_aid)


@pytest.fixture
def case_env(app):
    """A Thai victim's withdrawn case (a case may close from there) with a claim still being drafted."""
    add_accounts(app)
    form = adult_form(consents=[{"scope": "shelter_stay", "method": "written", "language": "th"}])
    form["victim"] = dict(form["victim"], nationality="TH", preferred_language="th")
    case = open_case(app, COORDINATOR, form)
    reflection.decide(app, COORDINATOR, case, "not_cooperate")
    sweep(app, SYSTEM, app.clock.now())
    put_on_case(app, LAWYER, case)
    claim = claims.new(app, LAWYER, case)["claim"]
    return app, cli_env(app, WITNESS_ALLOW_CLOCK="1"), case, claim


def test_check_names_the_unresolved_claim_that_then_stops_closing_the_case(case_env):
    app, env, case, claim = case_env
    check = witness(env, "check", case, "stage_change", "--detail", "target=closed")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith(f"[block] DNH-14-claims-unresolved: {case} cannot close while its restitution "
                                   f"claim(s) {claim} (drafting) are unresolved")
    stage = witness(env, "stage", case, "closed", "--reason", "support plan completed")
    assert stage.returncode == 1
    lines = stage.stderr.strip().splitlines()
    assert lines[0] == f"stage_change on {case} stopped by Do No Harm rules:"
    assert lines[1] == check.stdout.splitlines()[0]  # the same rule, the same words
    assert len(lines) == 2 and "Traceback" not in stage.stderr
    with app.engine.connect() as c:
        assert c.execute(select(cases.c.stage).where(cases.c.id == case)).scalar() == "withdrawn"


def test_check_names_the_unsafe_channel_that_then_stops_recording_the_consent(case_env):
    app, env, case, _ = case_env
    check = witness(env, "check", case, "give_consent", "--detail", "scope=notification:email")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("[block] DNH-09-unsafe-channel: the victim has not marked email as a safe channel")
    give = witness(env, "consent", "give", case, "notification:email", "--method", "written", "--language", "th")
    assert give.returncode == 1
    assert give.stderr.strip().splitlines() == [f"give_consent on {case} stopped by Do No Harm rules:",
                                                check.stdout.splitlines()[0]]
    with app.engine.connect() as c:
        assert c.execute(select(consents.c.scope).where(consents.c.case_id == case)).scalars().all() == ["shelter_stay"]
