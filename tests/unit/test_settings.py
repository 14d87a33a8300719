"""Configuration is read only from app.settings (issue 11, item 5): one Settings class, no module
reading os.environ on its own, and every WITNESS_* variable is a field that is checked by name."""
import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from witness.settings import PROJECT_ROOT, Settings

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
    assert sorted(n.removeprefix("WITNESS_").lower() for n in names) == sorted(Settings.model_fields)


def test_the_sweep_interval_of_witness_serve_is_a_checked_setting(monkeypatch):
    monkeypatch.setenv("WITNESS_SWEEP_INTERVAL_SECONDS", "600")
    assert Settings().sweep_interval_seconds == 600
    monkeypatch.setenv("WITNESS_SWEEP_INTERVAL_SECONDS", "ten minutes")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert [e["loc"] for e in refused.value.errors()] == [("sweep_interval_seconds",)]


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
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert [e["loc"] for e in refused.value.errors()] == [("database_url",)]
