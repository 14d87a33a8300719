"""Through the real CLI, in fresh processes: every file witness writes is 0600, every folder 0700,
and no output goes through a symbolic link (issue 10, item 4). Modes are read with os.stat."""
import os
import sqlite3
import stat
from pathlib import Path

import pytest
import yaml

from tests.conftest import adult_form
from tests.e2e.runner import add_accounts, witness

NOW = "2026-11-03T10:00:00+07:00"
NAME = "Canaryname Zyxwvut"  # the legal name, and what a careless user may call an output file
SYMLINK_REFUSED = ("--out: is a symbolic link; refusing to write through it "
                   "(the file it points to is left as it is)")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _witness(env, *args):
    # The user's umask: the files must be private because witness asks, not because of it.
    return witness(env, *args, umask=0o022)


@pytest.fixture
def home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator", WITNESS_ALLOW_CLOCK="1")
    assert _witness(env, "init").returncode == 0
    add_accounts(env)
    form = tmp_path / "intake.yaml"
    form.write_text(yaml.safe_dump(adult_form(opened_at="2026-11-02T10:00:00+07:00")))
    form_data = yaml.safe_load(form.read_text())
    form_data["victim"]["legal_name"] = NAME
    form.write_text(yaml.safe_dump(form_data))
    intake = _witness(env, "--now", NOW, "intake", str(form))
    assert intake.returncode == 0, intake.stderr
    return env, intake.stdout.strip(), tmp_path


def _planted_link(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A symbolic link at the output path, to a world-writable file elsewhere."""
    target = tmp_path / "planted-target"
    target.write_bytes(b"untouched")
    os.chmod(target, 0o666)
    link = tmp_path / name
    link.symlink_to(target)
    return link, target


def test_everything_under_the_home_is_0700_folders_and_0600_files(home):
    env, case_id, tmp = home
    holder = sqlite3.connect(tmp / "home" / "witness.db")  # keeps -wal and -shm to be looked at
    holder.execute("select count(*) from cases").fetchall()
    try:
        assert _witness(env, "--now", NOW, "reflection", "decide", case_id, "cooperate").returncode == 0
        found = {}
        for folder, dirs, files in os.walk(tmp / "home"):
            found[folder] = mode(folder)
            found.update({os.path.join(folder, f): mode(os.path.join(folder, f)) for f in files})
    finally:
        holder.close()
    names = {os.path.relpath(p, tmp / "home") for p in found}
    assert {"witness.db", "witness.db-wal", "witness.db-shm", "keys/keyring.json", "keys/audit-head.json"} <= names
    assert {p: m for p, m in found.items() if m != (0o700 if os.path.isdir(p) else 0o600)} == {}


def test_a_calendar_through_a_symbolic_link_is_refused_and_its_target_untouched(home):
    env, _, tmp = home
    link, target = _planted_link(tmp, "amara.ics")
    proc = _witness(env, "calendar", "--audience", "coordinator", "--for", "amara", "--out", str(link))
    assert (proc.returncode, proc.stderr.strip(), proc.stdout) == (1, SYMLINK_REFUSED, "")
    assert link.is_symlink() and target.read_bytes() == b"untouched" and mode(target) == 0o666


def test_a_calendar_over_a_world_writable_file_becomes_0600(home):
    env, _, tmp = home
    out = tmp / "amara.ics"
    out.write_bytes(b"old")
    os.chmod(out, 0o666)
    proc = _witness(env, "calendar", "--audience", "coordinator", "--for", "amara", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert mode(out) == 0o600 and out.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_claims_report_csv_is_0600_and_refused_through_a_symbolic_link(home):
    env, _, tmp = home
    admin = dict(env, WITNESS_ACTOR="root:admin")
    out = tmp / "report.csv"
    out.write_text("old")
    os.chmod(out, 0o666)
    assert _witness(admin, "claims", "report", "--csv", str(out)).returncode == 0
    assert mode(out) == 0o600 and out.read_text().startswith("jurisdiction")
    link, target = _planted_link(tmp, "linked.csv")
    proc = _witness(admin, "claims", "report", "--csv", str(link))
    assert (proc.returncode, proc.stderr.strip()) == (1, SYMLINK_REFUSED.replace("--out", "--csv"))
    assert target.read_bytes() == b"untouched" and mode(target) == 0o666


def test_a_document_through_a_symbolic_link_is_refused_before_it_is_generated_or_registered(home):
    env, case_id, tmp = home
    link, target = _planted_link(tmp, f"{NAME}.pdf")
    proc = _witness(env, "--now", NOW, "doc", "victim_letter", "--case", case_id, "--out", str(link))
    assert (proc.returncode, proc.stderr.strip(), proc.stdout) == (1, SYMLINK_REFUSED, "")
    assert "Zyxwvut" not in proc.stderr  # the file name a user chose is not repeated
    assert target.read_bytes() == b"untouched" and mode(target) == 0o666
    assert _witness(env, "docs", "--case", case_id).stdout.strip() == f"{case_id}: no documents"


def test_a_document_over_a_world_writable_file_becomes_0600(home):
    env, case_id, tmp = home
    out = tmp / "letter.pdf"
    out.write_bytes(b"old")
    os.chmod(out, 0o666)
    proc = _witness(env, "--now", NOW, "doc", "victim_letter", "--case", case_id, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert mode(out) == 0o600 and out.read_bytes().startswith(b"%PDF-")
