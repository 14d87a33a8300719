"""The command line acts only as an account (issue 13, item 2): `--actor USER:ROLE` must name an
existing, enabled account with that role; `witness init --admin NAME` makes the first one. Through
the real command line, in fresh processes; store-backed cases on SQLite and PostgreSQL."""
import json

import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, adult_form
from tests.audit_rows import audit_rows
from tests.e2e.runner import add_accounts, cli_env, witness
from tests.helpers import row_counts
from witness.bootstrap import build_app
from witness.domain.access import Role
from witness.services import accounts
from witness.services.intake import open_case
from witness.settings import Settings
from witness.store.account_tables import accounts as account_table

REFUSED = "actor: no enabled account {user!r} with the role {role}"


@pytest.fixture
def case_app(app):
    add_accounts(app, {"amara": "coordinator", "dewi": "coordinator", "root-1": "admin"})
    return app, open_case(app, COORDINATOR, adult_form())


def _disable_dewi(app) -> None:
    from tests.conftest import ADMIN

    accounts.disable(app, ADMIN, "dewi")


@pytest.mark.parametrize("actor, before", [
    ("zed:coordinator", None),          # no such account
    ("dewi:coordinator", _disable_dewi),  # an account, disabled
    ("amara:prosecutor", None),          # an account, with another role
], ids=["unknown", "disabled", "other-role"])
def test_an_actor_without_an_enabled_account_in_that_role_is_refused_in_one_line_audited_and_nothing_done(
        case_app, actor, before):
    app, case_id = case_app
    if before:
        before(app)
    counts, rows = row_counts(app.engine), len(audit_rows(app))
    proc = witness(cli_env(app, actor=actor), "reflection", "extend", case_id, "10", "--reason", "still in hospital")
    user, role = actor.split(":")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [REFUSED.format(user=user, role=role)]
    new = audit_rows(app)[rows:]
    assert [(r.actor, r.role, r.action, r.record) for r in new] == [(user, role, "access.denied", case_id)]
    assert new[0].purpose == f"reflection extend: {REFUSED.format(user=user, role=role)}"
    assert row_counts(app.engine) == dict(counts, audit_log=counts["audit_log"] + 1)


def test_an_enabled_account_in_its_role_acts(case_app):
    app, case_id = case_app
    proc = witness(cli_env(app, actor="amara:coordinator"), "case", "list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[0] == "CASE"  # the header row, then the one case
    assert lines[1].split()[0] == case_id


def test_a_command_that_names_no_actor_needs_no_account(tmp_path):
    proc = witness(cli_env(home=tmp_path / "home", actor=None), "schema", "intake")
    assert proc.returncode == 0 and json.loads(proc.stdout)["title"] == "IntakeForm"


# --- the first admin ----------------------------------------------------------------------------------

def _store(tmp_path):
    return build_app(Settings(home=tmp_path / "home", database_url=None, key_file=None))


def test_init_with_admin_makes_the_first_admin_whose_link_enrols_them_and_who_then_adds_accounts(tmp_path):
    env = cli_env(home=tmp_path / "home", actor=None)
    proc = witness(env, "init", "--admin", "root-1", "--base-url", "https://witness.example/")
    assert proc.returncode == 0, proc.stderr
    said = json.loads(proc.stdout)
    assert said["admin"] == "root-1" and said["setup_link"].startswith("https://witness.example/setup/")
    app = _store(tmp_path)
    enrolment = accounts.enrolment(app, said["setup_link"].rsplit("/", 1)[1])
    assert (enrolment.login, enrolment.role) == ("root-1", Role.admin)
    added = witness(dict(env, WITNESS_ACTOR="root-1:admin"), "user", "add", "amara", "--role", "coordinator")
    assert added.returncode == 0, added.stderr
    with app.engine.connect() as c:
        assert sorted(c.execute(select(account_table.c.login, account_table.c.role))) == [
            ("amara", "coordinator"), ("root-1", "admin")]


def test_init_without_admin_leaves_nobody_who_can_act(tmp_path):
    env = cli_env(home=tmp_path / "home", actor="root-1:admin")
    assert witness(env, "init").returncode == 0
    proc = witness(env, "user", "add", "amara", "--role", "coordinator")
    assert (proc.returncode, proc.stderr.splitlines()) == (1, [REFUSED.format(user="root-1", role="admin")])


@pytest.mark.parametrize("first, name, says", [
    ("root-1", "root-2", "--admin: an admin account exists already; an admin adds another with "
                         "`witness user add NAME --role admin`"),
    (None, "Root One", "--admin: 2 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit"),
    (None, "Root-1", "--admin: use 1-64 characters a-z, 0-9, '.', '_', '-' (lower case, starting with a letter or digit)"),
], ids=["second-admin", "space", "upper-case"])
def test_init_admin_is_refused_in_one_line_and_makes_no_account(tmp_path, first, name, says):
    env = cli_env(home=tmp_path / "home", actor=None)
    assert witness(env, "init", *(("--admin", first) if first else ())).returncode == 0
    app = _store(tmp_path)
    before = row_counts(app.engine)["accounts"]
    proc = witness(env, "init", "--admin", name)
    assert (proc.returncode, proc.stdout, proc.stderr.splitlines()) == (1, "", [says])
    assert row_counts(app.engine)["accounts"] == before


# --- one context, however the command line is started --------------------------------------------------

def test_under_python_m_an_area_command_sees_the_actor_and_the_clock_given_on_the_command_line(case_app):
    # `python -m witness.cli` runs the module as __main__: the area commands once read another
    # copy of its state and refused ("say who is acting") although --actor was given.
    app, case_id = case_app
    env = cli_env(app, actor=None, WITNESS_ALLOW_CLOCK="1")
    proc = witness(env, "--actor", "amara:coordinator", "--now", "2026-11-03T10:00:00+07:00", "hearing", "list",
                   "--case", case_id, module=True)
    assert proc.returncode == 0, proc.stderr
    assert audit_rows(app)[-1].at.isoformat() == "2026-11-03T03:00:00+00:00"


def test_an_override_without_a_reason_is_refused_alike_by_every_command(case_app, tmp_path):
    app, case_id = case_app
    env = cli_env(app, actor="amara:coordinator")
    says = ["--override: write RULE=REASON, e.g. DNH-05-gender-preference=only officer on duty"]
    for args in (("stage", case_id, "trial", "--reason", "r"),
                 ("doc", "victim_letter", "--case", case_id, "--out", str(tmp_path / "x.pdf")),
                 ("plan", "H-AAAAAAAA")):
        proc = witness(env, *args, "--override", "DNH-05-gender-preference")
        assert (proc.returncode, proc.stderr.splitlines()) == (1, says), args


def test_the_actor_option_wins_over_the_witness_actor_setting_and_without_either_nobody_acts(case_app):
    app, case_id = case_app
    env = cli_env(app, actor="zed:coordinator")  # WITNESS_ACTOR names no account
    assert witness(env, "--actor", "amara:coordinator", "case", "list").returncode == 0
    rows = len(audit_rows(app))
    proc = witness(cli_env(app, actor=None), "case", "list")
    assert (proc.returncode, proc.stdout, proc.stderr.splitlines()) == (
        1, "", ["actor: say who is acting with --actor USER:ROLE or WITNESS_ACTOR"])
    assert len(audit_rows(app)) == rows  # nobody to record
