"""Accounts, sign-in, second factor, lockout and sessions (R-110), through the service."""
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import ADMIN, COORDINATOR, adult_form
from tests.web.conftest import PASSWORD, make_person
from witness.domain.access import Actor, Role
from witness.errors import Forbidden, InputProblems, NotFound
from witness.services import accounts
from witness.services.intake import open_case
from witness.store.account_tables import accounts as accounts_table
from witness.store.tables import audit_log


def _audit(app):
    with app.engine.connect() as c:
        rows = [(r.actor, r.action, r.record, r.purpose) for r in c.execute(select(audit_log).order_by(audit_log.c.seq))]
        c.rollback()
    return rows


def test_the_password_is_stored_only_as_an_argon2id_hash(app):
    make_person(app, "amara", "coordinator")
    with app.engine.connect() as c:
        stored = c.execute(select(accounts_table.c.password_hash, accounts_table.c.totp_secret)).first()
        c.rollback()
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert stored.totp_secret.startswith("dk:")  # the second-factor secret is encrypted at rest (the shared data key)


def test_a_coordinator_signs_in_only_with_password_and_a_fresh_second_factor_code(app):
    amara = make_person(app, "amara", "coordinator")
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(app, "amara", PASSWORD, "")
    code = amara.code(app)
    raw, session = accounts.sign_in(app, "amara", PASSWORD, code)
    assert session.actor == Actor("amara", Role.coordinator)
    assert accounts.session(app, raw).actor == session.actor
    # The same code again (someone watching over a shoulder) is refused.
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(app, "amara", PASSWORD, code)


def test_an_escort_signs_in_with_a_password_alone(app):
    make_person(app, "TH-SSK-F01", "escort")
    raw, session = accounts.sign_in(app, "TH-SSK-F01", PASSWORD)
    assert session.actor == Actor("TH-SSK-F01", Role.escort)


def test_every_failure_gives_the_same_message_and_is_audited_without_the_typed_name(app):
    amara = make_person(app, "amara", "coordinator")
    messages = set()
    for login, password in (("amara", "wrong wrong wrong"), ("Aung Min Thein", PASSWORD)):
        with pytest.raises(accounts.SignInFailed) as err:
            accounts.sign_in(app, login, password, amara.code(app))
        messages.add(str(err.value))
    assert messages == {accounts.GENERIC_FAILURE}
    failures = [r for r in _audit(app) if r[1] == "account.sign_in_failed"]
    assert [(r[2], r[3]) for r in failures] == [("amara", "wrong password"), ("unknown account", "no such account")]
    assert not any("Aung" in " ".join(r) for r in _audit(app))


def test_five_failures_lock_the_account_for_fifteen_minutes_even_against_the_right_password(app):
    amara = make_person(app, "amara", "coordinator")
    for _ in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(app, "amara", "not the password", amara.code(app))
    with pytest.raises(accounts.SignInFailed) as err:
        accounts.sign_in(app, "amara", PASSWORD, amara.code(app))
    assert str(err.value) == accounts.GENERIC_FAILURE
    actions = [r[1] for r in _audit(app) if r[2] == "amara"]
    assert actions.count("account.locked") == 1 and actions[-1] == "account.sign_in_failed"
    app.clock.advance(minutes=15)
    accounts.sign_in(app, "amara", PASSWORD, amara.code(app))
    assert [r[1] for r in _audit(app)][-1] == "account.sign_in"


def test_a_session_ends_after_thirty_idle_minutes(app):
    escort = make_person(app, "officer-9", "escort")
    raw, _ = accounts.sign_in(app, escort.login, PASSWORD)
    app.clock.advance(minutes=29)
    assert accounts.session(app, raw) is not None
    app.clock.advance(minutes=29)  # active a minute ago: still fine
    assert accounts.session(app, raw) is not None
    app.clock.advance(minutes=30)
    assert accounts.session(app, raw) is None
    app.clock.advance(seconds=1)
    assert accounts.session(app, raw) is None  # ended stays ended


def test_a_session_ends_after_twelve_hours_however_active(app):
    escort = make_person(app, "officer-9", "escort")
    raw, _ = accounts.sign_in(app, escort.login, PASSWORD)
    signed_in_at = app.clock.now()
    while app.clock.now() - signed_in_at < timedelta(hours=12):
        assert accounts.session(app, raw) is not None
        app.clock.advance(minutes=25)
    assert accounts.session(app, raw) is None


def test_logout_password_change_role_change_and_disable_each_end_sessions(app):
    escort = make_person(app, "officer-9", "escort")
    raw, _ = accounts.sign_in(app, escort.login, PASSWORD)
    accounts.sign_out(app, raw)
    assert accounts.session(app, raw) is None

    raw, s = accounts.sign_in(app, escort.login, PASSWORD)
    other, _ = accounts.sign_in(app, escort.login, PASSWORD)
    accounts.change_password(app, s.actor, PASSWORD, "a brand new long phrase", "a brand new long phrase")
    assert accounts.session(app, raw) is None and accounts.session(app, other) is None
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(app, escort.login, PASSWORD)

    raw, _ = accounts.sign_in(app, escort.login, "a brand new long phrase")
    accounts.assign(app, ADMIN, escort.login, role="interpreter")
    assert accounts.session(app, raw) is None
    raw, s = accounts.sign_in(app, escort.login, "a brand new long phrase")
    assert s.actor.role is Role.interpreter
    accounts.disable(app, ADMIN, escort.login)
    assert accounts.session(app, raw) is None
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(app, escort.login, "a brand new long phrase")


def test_a_set_up_link_works_once_and_expires_after_72_hours(app):
    token = accounts.add(app, ADMIN, "officer-9", "escort")
    accounts.complete_setup(app, token, PASSWORD, PASSWORD)
    with pytest.raises(NotFound):
        accounts.enrolment(app, token)
    late = accounts.reset(app, ADMIN, "officer-9")
    app.clock.advance(hours=72)
    with pytest.raises(NotFound):
        accounts.complete_setup(app, late, PASSWORD, PASSWORD)


def test_set_up_refuses_a_short_password_a_mismatch_and_a_wrong_code_and_sets_nothing(app):
    token = accounts.add(app, ADMIN, "amara", "coordinator")
    with pytest.raises(InputProblems) as err:
        accounts.complete_setup(app, token, "short", "short", "000000")
    assert err.value.problems == [("password", "at least 12 characters"),
                                  ("code", "not the code your authenticator shows now; check its clock")]
    with pytest.raises(InputProblems) as err:
        accounts.complete_setup(app, token, PASSWORD, PASSWORD + "x", "1")
    assert [p for p, _ in err.value.problems] == ["repeat", "code"]
    secret = accounts.enrolment(app, token).totp_secret  # the link still works
    accounts.complete_setup(app, token, PASSWORD, PASSWORD, pyotp.TOTP(secret).at(app.clock.now()))


def test_a_reset_clears_the_lock_and_the_old_password(app):
    amara = make_person(app, "amara", "coordinator")
    for _ in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(app, "amara", "nope nope nope", amara.code(app))
    token = accounts.reset(app, ADMIN, "amara")
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(app, "amara", PASSWORD, amara.code(app))  # old password and old authenticator gone
    secret = accounts.enrolment(app, token).totp_secret
    assert secret != amara.secret
    accounts.complete_setup(app, token, "another long pass phrase", "another long pass phrase",
                            pyotp.TOTP(secret).at(app.clock.now()))
    app.clock.advance(seconds=30)
    accounts.sign_in(app, "amara", "another long pass phrase", pyotp.TOTP(secret).at(app.clock.now()))


def test_only_an_admin_manages_accounts_and_bad_names_and_roles_are_refused(app):
    with pytest.raises(Forbidden):
        accounts.add(app, COORDINATOR, "dewi", "coordinator")
    with pytest.raises(InputProblems) as err:
        accounts.add(app, ADMIN, "Aung Min", "boss")
    assert [p for p, _ in err.value.problems] == ["user", "role"]
    with pytest.raises(InputProblems) as err:
        accounts.add(app, ADMIN, "x-flow", "system")
    assert err.value.problems[0][0] == "role"


def test_assign_links_existing_cases_only(app):
    case_id = open_case(app, COORDINATOR, adult_form())  # prosecuted by somchai: preecha is on it only if assigned
    make_person(app, "preecha", "prosecutor")
    with pytest.raises(InputProblems) as err:
        accounts.assign(app, ADMIN, "preecha", add_cases=[case_id, "W-NOPE00"])
    assert err.value.problems == [("case.1", "no case 'W-NOPE00'")]
    assert accounts.assign(app, ADMIN, "preecha", add_cases=[case_id])["cases"] == [case_id]
    accounts.require_case(app, Actor("preecha", Role.prosecutor), case_id)
    assert accounts.assign(app, ADMIN, "preecha", remove_cases=[case_id])["cases"] == []
    with pytest.raises(NotFound):
        accounts.require_case(app, Actor("preecha", Role.prosecutor), case_id)


def test_require_account_names_an_enabled_account_with_that_role(app):
    make_person(app, "amara", "coordinator")
    accounts.require_account(app, Actor("amara", Role.coordinator))
    for actor in (Actor("amara", Role.admin), Actor("dewi", Role.coordinator)):
        with pytest.raises(Forbidden):
            accounts.require_account(app, actor)
    accounts.disable(app, ADMIN, "amara")
    with pytest.raises(Forbidden):
        accounts.require_account(app, Actor("amara", Role.coordinator))


# Who must give a second factor (R-110: every role that can see identity, and the admin who manages
# accounts), written out here rather than read from the code under test.
SECOND_FACTOR = {"coordinator": True, "prosecutor": True, "legal_aid": True, "admin": True,
                 "escort": False, "interpreter": False, "auditor": False}


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR))
def test_each_role_signs_in_with_a_second_factor_exactly_when_it_can_see_identity(app, role):
    person = make_person(app, f"person-{role.replace('_', '-')}", role)
    assert (person.secret is not None) is SECOND_FACTOR[role]  # enrolment asked for an authenticator or not
    if SECOND_FACTOR[role]:
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(app, person.login, PASSWORD, "")
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(app, person.login, PASSWORD, "000000" if person.code(app) != "000000" else "111111")
        app.clock.advance(seconds=30)  # a code is used once: the next window's
    _, session = accounts.sign_in(app, person.login, PASSWORD, person.code(app))
    assert session.actor == Actor(person.login, Role(role))
