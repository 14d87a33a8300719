"""Configuration is read only from app.settings (issue 11, item 5): one Settings class, no module
reading os.environ on its own, and every WITNESS_* variable is a field that is checked by name."""
import ast
from pathlib import Path

import pytest
from witness.settings import PROJECT_ROOT, InvalidSettings, Settings

SETTINGS_MODULE = PROJECT_ROOT / "witness" / "settings.py"


def _sources():
    for folder in ("witness", "flows"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if path != SETTINGS_MODULE:
                yield path, ast.parse(path.read_text(), str(path))


def _environment_reads(tree) -> list[int]:
    """Lines that read the environment: os.environ[...] / .get(...), os.getenv(...). Writing it
    (for a child process, or Prefect before its import) is not a read of our configuration."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if f.attr == "getenv" or (f.attr in ("get", "__getitem__") and _is_environ(f.value)):
                lines.append(node.lineno)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            lines.append(node.lineno)
    return lines


def _is_environ(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def test_no_module_reads_the_environment_but_settings():
    found = {str(p.relative_to(PROJECT_ROOT)): lines for p, tree in _sources() if (lines := _environment_reads(tree))}
    assert found == {}


def test_settings_is_the_one_settings_class():
    found = [f"{p.relative_to(PROJECT_ROOT)}:{n.name}" for p, tree in _sources() for n in ast.walk(tree)
             if isinstance(n, ast.ClassDef) and any(getattr(b, "id", getattr(b, "attr", "")) == "BaseSettings"
                                                    for b in n.bases)]
    assert found == []


def test_every_variable_in_the_example_environment_is_a_settings_field():
    names = [line.split("=")[0] for line in (PROJECT_ROOT / "config" / ".env.example").read_text().splitlines()
             if line.startswith("WITNESS_")]
    assert sorted(n.removeprefix("WITNESS_").lower() for n in names) == sorted(Settings.fields())


def test_the_sweep_interval_of_witness_serve_is_a_checked_setting(monkeypatch):
    monkeypatch.setenv("WITNESS_SWEEP_INTERVAL_SECONDS", "600")
    assert Settings().sweep_interval_seconds == 600
    monkeypatch.setenv("WITNESS_SWEEP_INTERVAL_SECONDS", "ten minutes")
    with pytest.raises(InvalidSettings) as refused:
        Settings()
    assert refused.value.problems == [("sweep_interval_seconds", "must be a whole number")]


def test_mail_and_sms_settings_are_read_from_the_environment_into_the_one_settings(monkeypatch):
    monkeypatch.setenv("WITNESS_SMTP_PORT", "2525")
    monkeypatch.setenv("WITNESS_SMS_GATEWAY_TOKEN", "gateway-secret")
    s = Settings()
    assert s.smtp_port == 2525
    assert s.sms_gateway_token.get_secret_value() == "gateway-secret" and "gateway-secret" not in repr(s)


def test_values_given_explicitly_win_over_the_environment_and_names_match_in_any_case(monkeypatch, tmp_path):
    monkeypatch.setenv("WITNESS_HOME", "/from/the/environment")
    monkeypatch.setenv("witness_smtp_host", "mail.example.org")  # as pydantic-settings read it: any case
    monkeypatch.setenv("WITNESS_NOT_A_SETTING", "ignored")
    monkeypatch.setenv("OTHER_SMTP_PORT", "1")
    s = Settings(home=tmp_path, database_url=None)
    assert (s.home, s.database_url, s.smtp_host, s.smtp_port) == (tmp_path, None, "mail.example.org", 25)
    assert not hasattr(s, "not_a_setting")
    assert Settings().home == Path("/from/the/environment")


def test_a_placeholder_left_in_the_environment_is_refused_by_its_field(monkeypatch):
    monkeypatch.setenv("WITNESS_DATABASE_URL", "postgresql://witness:changeme@db/witness")
    with pytest.raises(InvalidSettings) as refused:
        Settings()
    assert refused.value.problems == [("database_url", "WITNESS_DATABASE_URL still holds a placeholder")]
    assert "changeme" not in str(refused.value)


# --- each value checked by its field (witness.settings converts without pydantic: issue 16, item 7) --

@pytest.mark.parametrize("text, expected", [("1", True), ("true", True), ("Yes", True), (" on ", True),
                                            ("0", False), ("FALSE", False), ("no", False), ("off", False)])
def test_a_flag_is_read_in_any_case_and_with_spaces_around_it(monkeypatch, text, expected):
    monkeypatch.setenv("WITNESS_ALLOW_CLOCK", text)
    assert Settings().allow_clock is expected


@pytest.mark.parametrize("name, text, problem", [
    ("WITNESS_DEBUG", "maybe", "must be true or false (1/0, yes/no, on/off)"),
    ("WITNESS_DEBUG", "", "must be true or false (1/0, yes/no, on/off)"),
    ("WITNESS_SMTP_PORT", "0", "must be between 1 and 65535"),
    ("WITNESS_SMTP_PORT", "65536", "must be between 1 and 65535"),
    ("WITNESS_SMTP_PORT", "25.0", "must be a whole number"),
    ("WITNESS_SMTP_PORT", "1_000", "must be a whole number"),
    ("WITNESS_SMTP_PORT", "２５", "must be a whole number"),
    ("WITNESS_SWEEP_INTERVAL_SECONDS", "-5", "must be at least 1"),
    ("WITNESS_SMTP_TIMEOUT_SECONDS", "soon", "must be a number of seconds above 0"),
    ("WITNESS_SMS_TIMEOUT_SECONDS", "nan", "must be a number of seconds above 0"),
    ("WITNESS_SMS_TIMEOUT_SECONDS", "0", "must be a number of seconds above 0"),
    ("WITNESS_SMS_TIMEOUT_SECONDS", "１５", "must be a number of seconds above 0"),
    ("WITNESS_SMS_TIMEOUT_SECONDS", "1_0", "must be a number of seconds above 0"),
    ("WITNESS_HOME", "", "must be a path"),
])
def test_a_bad_value_is_refused_naming_its_field_and_not_its_value(monkeypatch, name, text, problem):
    monkeypatch.setenv(name, text)
    with pytest.raises(InvalidSettings) as refused:
        Settings()
    field = name.removeprefix("WITNESS_").lower()
    assert refused.value.problems == [(field, problem)]
    assert str(refused.value) == f"{field}: {problem}"


def test_every_bad_value_is_reported_at_once_and_values_in_code_are_checked_too(monkeypatch):
    monkeypatch.setenv("WITNESS_SMTP_PORT", "mail")
    with pytest.raises(InvalidSettings) as refused:
        Settings(debug="perhaps", smtp_timeout_seconds=-1)
    assert [name for name, _ in refused.value.problems] == ["debug", "smtp_port", "smtp_timeout_seconds"]


def test_numbers_and_paths_are_converted_and_secrets_never_shown(monkeypatch, tmp_path):
    monkeypatch.setenv("WITNESS_SMTP_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("WITNESS_SMTP_PASSWORD", "hunter2-canary")
    monkeypatch.setenv("WITNESS_KEYRING", '{"canary": 1}')
    s = Settings(home=str(tmp_path), smtp_port="+2525")
    assert (s.home, s.smtp_port, s.smtp_timeout_seconds) == (tmp_path, 2525, 2.5)
    assert s.smtp_password.get_secret_value() == "hunter2-canary"
    assert "hunter2" not in repr(s) + str(s.smtp_password) and "canary" not in repr(s)


def test_the_audit_head_defaults_beside_the_keyring(tmp_path):
    s = Settings(home=tmp_path, key_file=tmp_path / "keys" / "ring.json", database_url=None)
    assert s.audit_head_path == tmp_path / "keys" / "audit-head.json"
    assert Settings(home=tmp_path, database_url=None, audit_head_path=str(tmp_path / "h.json")).audit_head_path == tmp_path / "h.json"


def test_replace_changes_only_what_it_names_and_reads_no_environment(monkeypatch, tmp_path):
    s = Settings(home=tmp_path, database_url=None)
    monkeypatch.setenv("WITNESS_SMTP_HOST", "changed.example")
    changed = s.replace(smtp_port=2525)
    assert (changed.smtp_port, changed.smtp_host, changed.home) == (2525, s.smtp_host, tmp_path)
    assert changed != s and changed.replace(smtp_port=s.smtp_port) == s
    with pytest.raises(InvalidSettings):
        s.replace(smtp_port=0)


def test_a_refusal_pickles_and_copies_and_a_url_s_password_is_never_shown(monkeypatch):
    """A flow builds its Settings inside Prefect, which may pickle the exception it fails with."""
    import copy
    import pickle

    monkeypatch.setenv("WITNESS_SMTP_PORT", "none")
    with pytest.raises(InvalidSettings) as refused:
        Settings()
    for again in (pickle.loads(pickle.dumps(refused.value)), copy.copy(refused.value)):
        assert again.problems == [("smtp_port", "must be a whole number")] and str(again) == str(refused.value)
    monkeypatch.delenv("WITNESS_SMTP_PORT")
    s = Settings(database_url="postgresql://witness:pw-canary@db/witness", audit_head_url="postgresql://h:pw2-canary@x/h")
    assert "canary" not in repr(s) and "postgresql://***@db/witness" in repr(s)
    assert s.database_url == "postgresql://witness:pw-canary@db/witness"  # only its display is masked
    assert not Settings(smtp_password="").smtp_password and Settings(smtp_password="x").smtp_password
