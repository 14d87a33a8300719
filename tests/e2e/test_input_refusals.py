"""Bad input files through the real CLI, in fresh processes: exit code 1, one `field: message` line
on stderr, no traceback, the value never echoed, nothing written (issue 10, items 3, 7 and 9)."""
import os

import pytest
import yaml

from tests.e2e.runner import add_accounts, witness

NAME = "Canaryname Zyxwvut"
FORM = {
    "jurisdiction": "TH", "coordinator": "amara", "opened_at": "2026-11-02T10:00:00+07:00",
    "victim": {"legal_name": NAME, "date_of_birth": "1990-01-01", "gender": "female", "preferred_language": "km",
               "safe_channels": ["call"]},
    "proceedings": [{"court": "Bangkok Criminal Court", "docket": "TH-BKK-1",
                     "accused": [{"label": "Accused Q", "custody": "detained", "relationship": "family"}]}],
}


def _witness(env, *args):
    return witness(env, *args)


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator")
    assert _witness(env, "init").returncode == 0
    add_accounts(env)
    return env


def _refused(env, *args) -> str:
    proc = _witness(env, *args)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and NAME not in proc.stdout + proc.stderr
    assert "Zyxwvut" not in proc.stdout + proc.stderr
    assert _witness(env, "case", "list").stdout == "No cases.\n"  # nothing written
    return proc.stderr.strip()


def test_a_utf16_intake_file_is_one_line_and_exit_1(env, tmp_path):
    path = tmp_path / "intake.yaml"
    path.write_bytes(yaml.safe_dump(FORM).encode("utf-16"))
    assert _refused(env, "intake", str(path)) == "file: intake.yaml is UTF-16 or UTF-32 text; save it as UTF-8"


def test_a_deeply_nested_json_file_is_one_line_and_exit_1(env, tmp_path):
    path = tmp_path / "intake.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert _refused(env, "intake", str(path)) == "file: intake.json: nested more than 16 levels deep"


def test_an_escape_sequence_in_an_accused_label_is_refused_and_not_echoed(env, tmp_path):
    form = dict(FORM, proceedings=[dict(FORM["proceedings"][0], accused=[
        {"label": "Zyxwvut\x1b[2K\rW-FAKE1", "custody": "detained", "relationship": "family"}])])
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(form))
    assert _refused(env, "intake", str(path)) == (
        "proceedings.0.accused.0.label: contains a control or invisible character (U+001B at position 8); remove it")


def test_a_duplicate_key_and_an_epoch_timestamp_are_refused(env, tmp_path):
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(FORM) + "coordinator: dewi\n")
    assert _refused(env, "intake", str(path)).startswith("file: intake.yaml line ")
    path.write_text(yaml.safe_dump(dict(FORM, opened_at=1762052400)))
    assert _refused(env, "intake", str(path)).startswith("opened_at: write a date and time as ISO-8601 text")


def test_a_legal_name_of_zero_width_characters_is_refused(env, tmp_path):
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(dict(FORM, victim=dict(FORM["victim"], legal_name="\u200b\u200b"))))
    assert _refused(env, "intake", str(path)) == (
        "victim.legal_name: contains a control or invisible character (U+200B at position 1); remove it")


def test_a_calendar_for_an_interpreter_id_with_crlf_is_one_line_and_exit_1(env, tmp_path):
    out = tmp_path / "feed.ics"
    assert _refused(env, "calendar", "--audience", "interpreter", "--for", "interp\r\n07", "--out", str(out)) == (
        "for: a user, officer or interpreter id: letters a-z, digits, '.', '_', '-'")
    assert not out.exists()
