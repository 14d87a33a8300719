"""`witness doc` and `witness docs` through the real CLI, in fresh processes."""
import os
import stat
import subprocess
import sys

import yaml

from tests.conftest import adult_form
from tests.e2e.runner import init_store, witness


def _witness(env, *args):
    return witness(env, *args, check=True).stdout


def test_the_cli_writes_a_private_pdf_and_lists_it_in_the_register(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator", WITNESS_ALLOW_CLOCK="1")
    init_store(env)
    form = tmp_path / "intake.yaml"
    form.write_text(yaml.safe_dump(adult_form(opened_at="2026-11-02T10:00:00+07:00")))
    case_id = _witness(env, "--now", "2026-11-03T10:00:00+07:00", "intake", str(form)).strip()
    out = tmp_path / "out" / "letter.pdf"
    said = _witness(env, "--now", "2026-11-03T10:00:00+07:00", "doc", "victim_letter", "--case", case_id, "--out", str(out))
    assert "victim_letter v1 (my, to victim" in said
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    listed = _witness(env, "docs", "--case", case_id)
    header, row = listed.strip().splitlines()
    assert header.split() == ["GENERATED", "KIND", "VERSION", "LANGUAGE", "TO", "ABOUT", "NAME", "BY", "SHA256"]
    assert row.split()[3:9] == ["victim_letter", "v1", "my", "victim", "-", "no"]  # after the date, time, offset
    assert row.split()[9] == "amara:coordinator"


def test_cli_start_up_does_not_import_weasyprint():
    code = "import sys, witness.cli; print(sorted(m for m in ('weasyprint', 'icu', 'babel') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
