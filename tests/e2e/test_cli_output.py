"""What the command line prints (issue 14, items 1 and 7), through the real console script in fresh
processes: the worklist (an empty one says so; done and snooze with reasons, refusals in one line
with exit 1; an urgent alert first and never put off), global options after the sub-command, header
rows, --json on the lists, `schedule` saying what it made, times to the minute, sweep progress on
stderr, and help in plain words."""
import json
import re

import pytest
from sqlalchemy import select

from tests.e2e.runner import _app, cli_env, init_store, witness
from witness.settings import PROJECT_ROOT
from witness.store.tables import worklist as worklist_table

NOW = "2026-12-01T10:00:00+07:00"
INTAKE = str(PROJECT_ROOT / "examples" / "intake-thailand-adult.yaml")
MICROSECONDS = re.compile(r"\d:\d\d\.\d{3,6}")


def _ok(env, *args):
    proc = witness(env, *args)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def store(tmp_path):
    """A store made on the command line as of NOW (the audit chain's time must run forward)."""
    env = cli_env(home=tmp_path / "home", WITNESS_ALLOW_CLOCK="1")
    _ok(env, "init", "--admin", "root-1", "--now", NOW)  # --now after the sub-command
    for login, role in (("amara", "coordinator"), ("audit-1", "auditor")):
        _ok({**env, "WITNESS_ACTOR": "root-1:admin"}, "user", "add", login, "--role", role, "--now", NOW)
    case = _ok(env, "intake", INTAKE, "--now", NOW).stdout.strip()
    return env, case


def _add_items(env, case, *items):
    """Items as the relay and the sweep leave them (the producers are tested elsewhere)."""
    from datetime import datetime

    from witness.services.worklist import add_items, item

    app = _app(env)
    at = datetime.fromisoformat(NOW)
    with app.engine.begin() as conn:
        add_items(conn, [item(key, case, kind, "amara", at.replace(day=day), at, detail) for key, kind, day, detail in items])
        ids = {r.key: r.id for r in conn.execute(select(worklist_table.c.key, worklist_table.c.id))}
    app.engine.dispose()
    return ids


def test_an_empty_worklist_says_so_and_json_is_an_empty_list(tmp_path):
    env = cli_env(home=tmp_path / "home", WITNESS_ALLOW_CLOCK="1")
    init_store(env)
    assert _ok(env, "worklist").stdout == "Nothing is due for you.\n"
    assert json.loads(_ok(env, "worklist", "--json").stdout) == []


def test_the_worklist_puts_the_urgent_call_first_in_local_time_with_the_next_command(store):
    env, case = store
    ids = _add_items(env, case,
                     ("old", "translation_missing", 1, f"{case}: routine, due long ago"),
                     ("call", "notice_call", 1, f"{case}: URGENT: call or visit the victim (language my): released"))
    out = _ok(env, "worklist", "--now", NOW).stdout
    assert not MICROSECONDS.search(out)
    lines = out.splitlines()
    assert lines[0] == "2 open items, 1 URGENT (times are local to each case's jurisdiction)"
    first = lines.index(f"#{ids['call']}  URGENT  2026-12-01 10:00 +07:00  {case}  notice_call")
    assert lines[first + 2] == f"    next: call or visit now, then: witness ack --case {case}"
    assert first < lines.index(f"#{ids['old']}  due  2026-12-01 10:00 +07:00  {case}  translation_missing")
    listed = json.loads(_ok(env, "worklist", "--json", "--now", NOW).stdout)
    assert [(i["id"], i["urgent"], i["due"]) for i in listed] == [
        (ids["call"], True, "2026-12-01T10:00:00+07:00"), (ids["old"], False, "2026-12-01T10:00:00+07:00")]

    refused = witness(env, "worklist", "snooze", str(ids["call"]), "--for", "1d", "--reason", "planned_later")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "item: an urgent release alert cannot be snoozed; record contact or escalate"
    refused = witness(env, "worklist", "snooze", str(ids["old"]), "--for", "2w", "--reason", "planned_later")
    assert (refused.returncode, refused.stderr.strip()) == (1, "period: use one of 1h, 4h, 1d, 3d")
    refused = witness(env, "worklist", "done", str(ids["old"]), "--reason", "told her brother")
    assert (refused.returncode, refused.stderr.strip()) == (
        1, "reason: use one of done, contacted, not_needed, handled_elsewhere")
    refused = witness(env, "worklist", "done", "999")
    assert (refused.returncode, refused.stderr.strip()) == (1, "item: no open item 999")
    refused = witness(env, "worklist", "done", "twelve")
    assert refused.returncode == 2 and refused.stderr.startswith("error: ")

    said = _ok(env, "worklist", "snooze", str(ids["old"]), "--for", "1d", "--reason", "waiting_for_victim", "--now", NOW)
    assert said.stdout == f"item {ids['old']} put off until 2026-12-02 10:00 +07:00 (waiting_for_victim)\n"
    assert _ok(env, "worklist", "done", str(ids["call"]), "--reason", "contacted").stdout == f"item {ids['call']} closed (contacted)\n"
    out = _ok(env, "worklist", "--now", NOW).stdout
    assert out.splitlines()[0] == "1 open item (times are local to each case's jurisdiction)"
    assert f"#{ids['old']}  later  2026-12-02 10:00 +07:00" in out


def test_global_options_after_the_sub_command_and_a_refused_clock(store, tmp_path):
    env, case = store
    sweep = _ok(env, "sweep", "--now", NOW)
    assert sweep.stdout.splitlines()[0].startswith("Sweep as of 2026-12-01 10:00 +07:00: ")
    assert sweep.stdout.splitlines()[1].split() == ["FOLLOW-UP", "DUE", "CHANGED"]
    assert sweep.stderr.splitlines()[0] == "sweep as of 2026-12-01 10:00 +07:00: selecting what is due"
    assert re.fullmatch(r"sweep: done, \d+ changed", sweep.stderr.splitlines()[-1])
    no_actor = cli_env(home=tmp_path / "home", actor=None)
    assert _ok(no_actor, "case", "list", "--actor", "amara:coordinator").stdout.splitlines()[1].startswith(case)
    refused = witness(no_actor, "case", "list", "--actor", "amara:coordinator", "--now", NOW)  # no WITNESS_ALLOW_CLOCK
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("--now: setting the clock is only for tests and the demonstration")
    unknown = witness(env, "case", "list", "--bogus")
    assert (unknown.returncode, unknown.stderr.splitlines()[0]) == (2, "error: No such option: --bogus")


def test_lists_have_header_rows_and_json(store):
    env, case = store

    def at(*args, actor="amara:coordinator"):  # every command as of NOW: the audit chain's time runs forward
        return _ok({**env, "WITNESS_ACTOR": actor}, *args, "--now", NOW).stdout

    rows = at("case", "list").splitlines()
    assert rows[0].split() == ["CASE", "STATE", "STAGE", "AGE", "COORDINATOR"] and rows[1].split()[0] == case
    assert [c["id"] for c in json.loads(at("case", "list", "--json"))] == [case]
    swept = json.loads(at("sweep", "--json"))
    assert swept["as_of"] == "2026-12-01T10:00:00+07:00" and swept["follow_ups"]["reflection_decided"] == {"due": 0, "changed": 0}
    assert json.loads(at("docs", "--case", case, "--json")) == []
    assert at("hearing", "list") == "No hearings to come.\n"
    assert json.loads(at("hearing", "list", "--json")) == []
    verified = json.loads(at("audit", "verify", "--json", actor="audit-1:auditor"))
    assert verified["ok"] is True and verified["problems"] == [] and verified["rows"] > 0


def test_schedule_says_what_it_created(store):
    env, case = store
    _ok(env, "consent", "explain", case, "interview", "--language", "my", "--interpreter", "interp-07", "--now", NOW)
    _ok(env, "consent", "give", case, "interview", "--method", "oral", "--language", "my", "--interpreter", "interp-07",
        "--now", NOW)
    said = _ok(env, "schedule", case, "interview", "--at", "2026-12-08T09:00:00+07:00", "--now", NOW).stdout.strip()
    assert re.fullmatch(rf"{case}: interview scheduled for 2026-12-08 09:00 \+07:00 \(appointment [0-9a-f-]{{36}}\)", said)


def test_help_is_in_plain_words():
    from typer._click import Context

    from witness.cli import _command

    def every(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from every(sub, f"{path} {name}")

    for path, command in every(_command(), "witness"):
        text = command.get_help(Context(command, info_name=path))
        assert not re.search(r"<(bool|str|int|float|path)>", text), path
        assert not re.search(r"\bR-\d", text), path


def test_the_root_help_lists_every_command_even_with_a_command_word_after_it(tmp_path):
    """Only the branch a line names is built (start-up speed, issue 16 item 7); help and errors
    about the command itself still see all of them."""
    env = cli_env(home=tmp_path / "home")
    everything = _ok(env, "--help").stdout
    listed = re.findall(r"^  ([a-z][a-z-]*) ", everything, re.M)
    assert {"case", "worklist", "sweep", "hearing", "claim", "intake"} <= set(listed)
    assert _ok(env, "--help", "case").stdout == everything
    wrong = witness(env, "nosuch", "show")
    assert wrong.returncode == 2 and wrong.stderr.startswith("error: No such command 'nosuch'.")
    case_help = _ok(env, "case", "--help").stdout
    assert re.findall(r"^  ([a-z][a-z-]*) ", case_help.split("Commands:")[1], re.M)[:2] == ["show", "list"]
