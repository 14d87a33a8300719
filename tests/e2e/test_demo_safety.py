"""`witness demo --out DIR` and scripts/demo.sh (issue 10, item 10): never delete a folder that is
not a previous demo's, take DIR from where the user stands, and say in one line what to do when
Prefect's temporary server starts too slowly. None of these runs the whole demonstration."""
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.e2e.runner import WITNESS, witness
from witness.demo import MARKER, DemoRefused, demo_locations, prepare_output
from witness.settings import PROJECT_ROOT



def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WITNESS_", "PREFECT_"))}
    env.update(extra)
    return env


def _users_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "thesis.docx").write_bytes(b"years of work")
    (path / "photos").mkdir()
    (path / "photos" / "1.jpg").write_bytes(b"jpg")
    return path


def _contents(path: Path) -> dict:
    return {str(p.relative_to(path)): p.read_bytes() if p.is_file() else None for p in sorted(path.rglob("*"))}


# Where DIR is ------------------------------------------------------------------------------------

def test_a_relative_out_is_taken_from_the_current_folder_with_the_prefect_home_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert demo_locations(Path("runs/demo")) == (tmp_path / "runs" / "demo", tmp_path / "runs" / "demo.prefect")
    assert demo_locations(Path("../x")) == (tmp_path.parent / "x", tmp_path.parent / "x.prefect")


def test_an_absolute_out_is_kept_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    assert demo_locations(tmp_path / "demo") == (tmp_path / "demo", tmp_path / "demo.prefect")


def test_the_root_folder_is_refused(tmp_path):
    with pytest.raises(DemoRefused, match=r"^--out: / is the root folder; give a folder of its own$"):
        prepare_output(Path("/"))


# What may be deleted -----------------------------------------------------------------------------

def test_a_new_folder_is_created_private_and_marked(tmp_path):
    out = prepare_output(tmp_path / "new" / "demo")
    assert out == tmp_path / "new" / "demo"
    assert [p.name for p in out.iterdir()] == [MARKER]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "empty").mkdir()
    out = prepare_output(tmp_path / "empty")
    assert [p.name for p in out.iterdir()] == [MARKER]


def test_a_previous_demo_output_is_emptied_and_marked_again(tmp_path):
    out = prepare_output(tmp_path / "demo")
    (out / "report.md").write_text("old report")
    (out / "store").mkdir()
    (out / "store" / "witness.db").write_bytes(b"old")
    prepare_output(tmp_path / "demo")
    assert [p.name for p in out.iterdir()] == [MARKER]


def test_a_marker_that_is_a_symbolic_link_does_not_make_a_folder_deletable(tmp_path):
    folder = _users_folder(tmp_path / "mine")
    real_marker = prepare_output(tmp_path / "demo") / MARKER
    (folder / MARKER).symlink_to(real_marker)
    before = _contents(folder)
    with pytest.raises(DemoRefused):
        prepare_output(folder)
    assert _contents(folder) == before


def test_the_cli_refuses_a_non_empty_folder_that_is_no_demo_output_and_deletes_nothing(tmp_path):
    folder = _users_folder(tmp_path / "Documents")
    before = _contents(folder)
    proc = witness(_env(), "demo", "--out", str(folder))
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"--out: {folder} is not empty and holds no previous demonstration; "
                                   "give a new or empty folder (the demo deletes what is in it)")
    assert proc.stdout == ""
    assert _contents(folder) == before
    assert not (tmp_path / "Documents.prefect").exists()


def test_the_cli_refuses_a_file_as_out(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    proc = witness(_env(), "demo", "--out", str(file))
    assert (proc.returncode, proc.stderr.strip()) == (1, f"--out: {file} is a file, not a folder")
    assert file.read_text() == "mine"


def test_demo_sh_takes_a_relative_path_from_where_the_user_stands(tmp_path):
    # The real script in a copy of the repository whose installation step does nothing: what is
    # tested is how the script passes DIR on, and the refusal shows which folder it resolved to.
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "scripts" / "demo.sh", repo / "scripts" / "demo.sh")
    (repo / "scripts" / "setup.sh").write_text("exit 0\n")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "witness").symlink_to(WITNESS)
    folder = _users_folder(tmp_path / "work" / "mine")
    before = _contents(folder)
    for given in ("mine", str(folder)):  # relative to where the user stands, then absolute
        proc = subprocess.run(["bash", str(repo / "scripts" / "demo.sh"), given], cwd=tmp_path / "work",
                              env=_env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stderr.strip().startswith(f"--out: {folder} is not empty"), given
    assert _contents(folder) == before


# Prefect's temporary server ----------------------------------------------------------------------

def test_a_prefect_server_too_slow_to_start_is_one_line_saying_what_to_do(tmp_path):
    # A fresh Prefect home needs its migrations (~20 s): it cannot answer within 1 s.
    env = _env(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1")
    proc = witness(env, "demo", "--out", str(tmp_path / "demo"), timeout=300)
    assert (proc.returncode, proc.stderr.strip()) == (1, (
        "Prefect's temporary server did not start within 1 s (a busy machine is slow): run again with "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=300"))
