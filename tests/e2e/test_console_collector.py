"""The console script pauses the cyclic garbage collector for start-up only (witness/console.py, witness/collector.py):
it resumes once a command has its store, or after a timer for a command that never asks for one,
and a process that did not start through the console script is never paused."""
from __future__ import annotations

import gc
import subprocess
import sys
from importlib.metadata import entry_points

from tests.e2e.runner import cli_env, init_store, witness
from witness import collector


def test_the_installed_witness_command_starts_through_the_console_module():
    (script,) = entry_points(group="console_scripts", name="witness")
    assert script.value == "witness.console:main"


def _python(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_collection_is_paused_during_start_up_and_resumes_when_the_command_has_its_store(tmp_path):
    env = cli_env(home=tmp_path / "home")
    init_store(env)
    code = ("import gc\n"
            "from witness import collector\n"
            "collector.pause_collector(settle_after=3600)\n"
            "paused = not gc.isenabled()\n"
            "from witness.commands import context\n"
            "import witness.services.cases\n"
            "still = not gc.isenabled()\n"
            "context.app()\n"
            "print(paused, still, gc.isenabled(), gc.get_freeze_count() > 10000)\n")
    proc = _python(env, code)
    assert proc.returncode == 0, proc.stderr
    # Paused through the imports; collecting again (with the imports' objects frozen) once the store is built.
    assert proc.stdout.split() == ["True", "True", "True", "True"]


def test_a_command_that_never_builds_a_store_gets_its_collector_back_from_the_timer(tmp_path):
    proc = _python(cli_env(home=tmp_path / "home"),
                   "import gc\nfrom witness import collector\n"
                   "timer = collector.pause_collector(settle_after=0.05)\n"
                   "paused = not gc.isenabled()\ntimer.join(60)\n"
                   "print(paused, gc.isenabled())\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True"]


def test_settle_is_idempotent_and_never_pauses_a_process_that_was_not_paused():
    assert gc.isenabled()  # the test process did not start through the console script
    frozen = gc.get_freeze_count()
    collector.settle()
    assert gc.isenabled() and gc.get_freeze_count() == frozen  # nothing frozen: it was never paused


def test_a_plain_command_through_the_console_script_still_answers_and_exits_cleanly(tmp_path):
    env = cli_env(home=tmp_path / "home")
    init_store(env)
    proc = witness(env, "case", "list")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.strip() == "No cases."
