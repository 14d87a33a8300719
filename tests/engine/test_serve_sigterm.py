"""`witness serve` stops on SIGTERM, which is how systemd stops a service (`systemctl stop`): it
pauses its schedules, stops the Prefect server it started, says "Stopped." and exits 0 — and a second
SIGTERM while it is stopping does not leave that server running (it is in a session of its own, so
nothing else would stop it). The real command, a real server."""
from __future__ import annotations

import os
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.runner import cli_env, start, witness
from tests.engine.test_serve import _UNREAD, _line_matching, _stop_server_left_on

pytestmark = pytest.mark.engine

STOP_BOUND = 120  # seconds: generous on a loaded machine; it takes a few


def _children(pid: int) -> list[tuple[int, bytes]]:
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append((int(proc_dir.name), (proc_dir / "cmdline").read_bytes()))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition, bound: float) -> bool:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_sigterm_stops_serve_and_its_server_with_exit_code_0_even_when_sent_twice(tmp_path):
    env = cli_env(home=tmp_path / "home", actor=None, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    witness(env, "init", check=True)
    proc = start(env, "serve")
    port = server = None
    try:
        port = int(_line_matching(proc, re.compile(r"^Prefect UI: http://127\.0\.0\.1:(\d+)/")).group(1))
        servers = [pid for pid, cmd in _children(proc.pid) if b"server" in cmd.split(b"\0")]
        assert len(servers) == 1, _children(proc.pid)
        server = servers[0]
        _line_matching(proc, re.compile(r"deployments are being served"))

        proc.send_signal(signal.SIGTERM)
        _line_matching(proc, re.compile(r"^Stopping the Prefect server"), timeout=STOP_BOUND)
        proc.send_signal(signal.SIGTERM)  # again, while it stops its server
        assert _until(lambda: proc.poll() is not None, STOP_BOUND), f"still running {STOP_BOUND} s after SIGTERM"
        rest = _UNREAD.pop(proc.pid, b"").decode(errors="replace") + proc.stdout.read()  # what the waits read ahead, too
        assert proc.returncode == 0, rest + proc.stderr.read()
        assert "Stopped." in rest
        assert _until(lambda: not _alive(server), 10), "the Prefect server outlived witness serve"
        with pytest.raises(OSError):  # and nothing answers on its port
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if server is not None and _alive(server):
            try:
                os.killpg(server, signal.SIGKILL)  # the group of the server this test's serve started
            except ProcessLookupError:
                pass
        _stop_server_left_on(port)
