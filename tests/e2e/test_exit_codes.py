"""Exit codes and one-line messages of the real command line, in fresh processes (issue 10, items
2, 3, 6 and 8): usage errors, refusals, database errors, internal errors, the clock, the system
role, audited refusals and `audit verify`. Store-backed cases run on SQLite and PostgreSQL."""
import os
from pathlib import Path

import pytest
import yaml
from sqlalchemy import delete, func, select, text

from tests.conftest import COORDINATOR, adult_form
from tests.audit_rows import audit_rows
from tests.e2e.runner import add_accounts, cli_env, witness
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.store.tables import audit_head, audit_log, cases

CANARY = "Canaryname Zyxwvut"
NO_STORE = Path("/nonexistent/witness-home")  # commands refused before they reach a store


def _lines(stream: str) -> list[str]:
    return stream.strip().splitlines()


@pytest.fixture
def case_app(app):
    add_accounts(app)
    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name=CANARY)
    return app, open_case(app, COORDINATOR, form)


# --- usage errors: exit 2, one line and the usage, never a traceback -------------------------------

@pytest.mark.parametrize("args, says", [
    ((), "error: a command is needed"),
    (("nosuch",), "error: No such command 'nosuch'."),
    (("case", "show"), "error: Missing argument 'case_id'."),
    (("case", "list", "--bogus"), "error: No such option: --bogus"),
    (("reflection", "extend", "W-AAAAAA", "ten", "--reason", "r"), "error: Invalid value for 'days'"),
])
def test_a_usage_error_is_one_line_and_the_usage_with_exit_code_2(args, says):
    proc = witness(cli_env(home=NO_STORE), *args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    first, usage = _lines(proc.stderr)
    assert first.startswith(says)
    assert usage.startswith("Usage: witness") and "--help" in usage


def test_an_integer_argument_of_5000_digits_is_a_usage_error_not_a_traceback():
    proc = witness(cli_env(home=NO_STORE), "reflection", "extend", "W-AAAAAA", "9" * 5000, "--reason", "r")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(_lines(proc.stderr)) == 2


def test_help_exits_0():
    proc = witness(cli_env(home=NO_STORE), "case", "--help")
    assert proc.returncode == 0 and "show" in proc.stdout and proc.stderr == ""


# --- the clock and the system role ------------------------------------------------------------------

def test_now_is_refused_for_a_command_that_writes_and_nothing_is_written(case_app):
    app, case_id = case_app
    before = len(audit_rows(app))
    proc = witness(cli_env(app), "--now", "2026-11-03T10:00:00+07:00", "reflection", "decide", case_id, "cooperate")
    assert proc.returncode == 1
    assert _lines(proc.stderr) == ["--now: setting the clock is only for tests and the demonstration "
                                   "(WITNESS_ALLOW_CLOCK=1): every command records the real time"]
    assert proc.stdout == ""
    assert len(audit_rows(app)) == before


def test_now_is_refused_for_a_read_too_because_its_audit_row_would_be_backdated(case_app):
    app, case_id = case_app
    before = len(audit_rows(app))
    proc = witness(cli_env(app), "--now", "2026-11-03T10:00:00+07:00", "case", "show", case_id)
    assert proc.returncode == 1 and _lines(proc.stderr)[0].startswith("--now: ")
    assert len(audit_rows(app)) == before


def test_the_relay_commands_own_now_is_refused_as_well(case_app):
    app, _ = case_app
    proc = witness(cli_env(app), "relay", "--now", "2026-11-03T10:00:00+07:00")
    assert proc.returncode == 1 and _lines(proc.stderr)[0].startswith("--now: setting the clock")


def test_now_is_accepted_where_the_clock_may_be_set(case_app):
    app, case_id = case_app
    proc = witness(cli_env(app, WITNESS_ALLOW_CLOCK="1"), "--now", "2026-11-03T10:00:00+07:00", "case", "show", case_id)
    assert proc.returncode == 0, proc.stderr
    assert audit_rows(app)[-1].at.isoformat() == "2026-11-03T03:00:00+00:00"


def test_the_system_role_cannot_be_claimed_on_the_command_line(case_app):
    app, _ = case_app
    proc = witness(cli_env(app, actor="relay-1:system"), "relay")
    assert proc.returncode == 1
    assert _lines(proc.stderr) == ["actor: the system role belongs to the scheduled flows and cannot be claimed; roles "
                                   "are coordinator, prosecutor, legal_aid, escort, interpreter, auditor, admin"]


# --- refusals are audited ---------------------------------------------------------------------------

def test_every_refused_attempt_writes_one_audit_row_without_personal_data(case_app):
    app, case_id = case_app
    before = len(audit_rows(app))
    attempts = [("officer-9:escort", ("case", "show", case_id), "escort may not case.read"),
                ("somchai:prosecutor", ("reflection", "extend", case_id, "10", "--reason", "hospital"),
                 "prosecutor may not case.reflection"),
                ("dewi:coordinator", ("ack", "--case", case_id),
                 f"{case_id}: not one of your cases; a coordinator may notice.ack only on the cases they are on "
                 "(need to know)")]
    for actor, args, message in attempts:
        proc = witness(cli_env(app, actor=actor), *args)
        assert proc.returncode == 1
        assert _lines(proc.stderr) == [message]
    rows = audit_rows(app)[before:]
    assert [(r.actor, r.role, r.action, r.record) for r in rows] == [
        ("officer-9", "escort", "access.denied", case_id),
        ("somchai", "prosecutor", "access.denied", case_id),
        ("dewi", "coordinator", "access.denied", case_id)]
    assert rows[0].purpose == "escort may not case.read"  # audited once, by the service that refused
    assert rows[2].purpose.startswith(f"{case_id}: not one of your cases")
    assert not any(CANARY in " ".join(map(str, r)) for r in rows)
    verified = witness(cli_env(app, actor="audit-1:auditor"), "audit", "verify")
    assert verified.returncode == 0, verified.stderr


# --- audit verify: a failure is exit 1 on stderr ----------------------------------------------------

def test_audit_verify_exits_0_on_an_intact_log(case_app):
    app, _ = case_app
    proc = witness(cli_env(app, actor="audit-1:auditor"), "audit", "verify")
    assert proc.returncode == 0 and proc.stderr == ""
    assert _lines(proc.stdout) == [f"audit log verified: {len(audit_rows(app))} rows, chain intact"]


def test_audit_verify_exits_1_with_the_problems_on_stderr_when_rows_were_cut_off_the_end(case_app):
    app, case_id = case_app
    case_service.show(app, COORDINATOR, case_id)
    rows = audit_rows(app)
    with app.engine.connect() as c:
        c.begin()
        if app.engine.dialect.name == "postgresql":
            c.execute(text("SET LOCAL session_replication_role = replica"))  # a superuser past the trigger
        c.execute(delete(audit_log).where(audit_log.c.seq == rows[-1].seq))
        c.execute(audit_head.update().values(seq=rows[-2].seq, mac=rows[-2].mac))
        c.commit()
    proc = witness(cli_env(app, actor="audit-1:auditor"), "audit", "verify")
    assert proc.returncode == 1 and proc.stdout == ""
    problems = _lines(proc.stderr)
    assert problems[-1] == f"audit log FAILED verification (1 problems in {len(rows) - 1} rows)"
    assert "log truncated" in problems[0]


def test_audit_verify_exits_1_when_the_head_file_was_deleted(case_app):
    app, _ = case_app
    app.settings.audit_head_path.unlink()
    proc = witness(cli_env(app, actor="audit-1:auditor"), "audit", "verify")
    assert proc.returncode == 1
    first, last = _lines(proc.stderr)
    assert first.startswith("head: the head file is missing but the log has")
    assert last.startswith("audit log FAILED verification (1 problems")


# --- database errors: exit 74, one line, never the statement's parameters --------------------------

def _refuse_new_cases(app) -> None:
    """A database that refuses the insert: the statement's parameters would carry the form's values."""
    with app.engine.begin() as c:
        if app.engine.dialect.name == "postgresql":
            c.execute(text("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ "
                           "LANGUAGE plpgsql"))
            c.execute(text("CREATE TRIGGER refuse_cases BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION refuse()"))
        else:
            c.execute(text("CREATE TRIGGER refuse_cases BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'refused'); END"))


def test_a_database_error_is_one_line_without_parameters_and_exit_74(app, tmp_path):
    add_accounts(app)
    _refuse_new_cases(app)
    form = adult_form(coordinator="zqxcanarycoord")
    form["victim"] = dict(form["victim"], preferred_language="my", legal_name=CANARY)
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(form))
    proc = witness(cli_env(app), "intake", str(path))
    assert proc.returncode == 74
    [line] = _lines(proc.stderr)
    assert line.startswith("database error: ") and line.endswith("; the failing transaction was rolled back")
    assert "zqxcanarycoord" not in proc.stderr + proc.stdout and "Traceback" not in proc.stderr
    with app.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(cases)).scalar() == 0


# --- refusals of bad settings -------------------------------------------------------------------------

def test_a_bad_setting_is_named_without_its_value_and_exit_1():
    env = cli_env(home=NO_STORE, WITNESS_DATABASE_URL="postgresql://user:changeme-Secret123@db/witness")
    proc = witness(env, "case", "list")
    assert proc.returncode == 1
    assert _lines(proc.stderr) == ["database_url: WITNESS_DATABASE_URL still holds a placeholder"]
    assert "Secret123" not in proc.stderr


# --- internal errors and interruptions, in process (the fault is planted in a service) ---------------

@pytest.fixture
def cli_in_process(sqlite_app, monkeypatch):
    from witness import cli
    from witness.settings import get_settings

    add_accounts(sqlite_app)
    for key in [k for k in os.environ if k.startswith("WITNESS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("WITNESS_HOME", str(sqlite_app.settings.home))
    monkeypatch.setenv("WITNESS_DATABASE_URL", sqlite_app.settings.database_url)
    monkeypatch.setenv("WITNESS_ACTOR", "amara:coordinator")
    get_settings.cache_clear()
    yield cli
    get_settings.cache_clear()


def _fail_with(monkeypatch, exc):
    def broken(*_a, **_k):
        raise exc

    monkeypatch.setattr("witness.services.cases.list_cases", broken)


def test_an_internal_error_is_one_line_naming_its_type_without_personal_data_and_exit_70(cli_in_process, monkeypatch, capsys):
    _fail_with(monkeypatch, KeyError(CANARY))
    assert cli_in_process.run(["case", "list"]) == 70
    out, err = capsys.readouterr()
    assert _lines(err) == ["internal error: KeyError; details are not shown because they may hold personal data "
                           "(WITNESS_DEBUG=1 prints the traceback)"]
    assert CANARY not in out + err


def test_with_debug_set_the_traceback_of_an_internal_error_is_printed(cli_in_process, monkeypatch, capsys):
    monkeypatch.setenv("WITNESS_DEBUG", "1")
    _fail_with(monkeypatch, KeyError("planted"))
    assert cli_in_process.run(["case", "list"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "planted" in err


def test_ctrl_c_during_a_command_exits_130(cli_in_process, monkeypatch, capsys):
    _fail_with(monkeypatch, KeyboardInterrupt())
    assert cli_in_process.run(["case", "list"]) == 130
    assert _lines(capsys.readouterr().err) == ["interrupted"]
