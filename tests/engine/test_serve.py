"""`witness serve` prints a Prefect UI link that works (issue 14, item 3): the UI asks its API at
PREFECT_UI_API_URL, which defaulted to port 4200 while the server ran on a free port, so the page
loaded and then showed only connection errors. The real command, a real server; stopped by its pid."""
from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.e2e.runner import cli_env, init_store, start

pytestmark = pytest.mark.engine


_UNREAD: dict[int, bytes] = {}  # what a process printed after the last matched line, by pid


def _line_matching(proc, pattern: re.Pattern, timeout: float = 240) -> re.Match:
    """Read the command's stdout until a line matches (the server takes ~20 s to start, more when
    the machine is busy); fail with what it said otherwise. The pipe is read here with os.read, and
    what follows a matched line is kept for the next call: a buffered readline() could hold the
    next lines where select() no longer sees them, and the next call would wait for nothing."""
    fd = proc.stdout.fileno()
    buffered, seen = _UNREAD.pop(proc.pid, b""), []
    deadline = time.monotonic() + timeout
    while True:
        while b"\n" in buffered:
            raw, buffered = buffered.split(b"\n", 1)
            line = raw.decode(errors="replace")
            seen.append(line)
            if m := pattern.search(line):
                _UNREAD[proc.pid] = buffered
                return m
        if time.monotonic() >= deadline:
            break
        if not select.select([fd], [], [], 1)[0]:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffered += chunk
    said = "\n".join(seen)
    raise AssertionError(f"no line like {pattern.pattern!r}; said: {said}"
                         f"{proc.stderr.read() if proc.poll() is not None else ''}")


def test_the_ui_link_serve_prints_points_the_ui_at_this_servers_own_api(tmp_path):
    env = cli_env(home=tmp_path / "home", actor=None, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    init_store(env)
    proc = start(env, "serve")
    try:
        link = _line_matching(proc, re.compile(r"^Prefect UI: (http://127\.0\.0\.1:(\d+)/)\s")).group(1)
        port = int(re.search(r":(\d+)/$", link).group(1))
        assert port != 4200  # a free port: the case the default got wrong
        with urllib.request.urlopen(link + "ui-settings", timeout=10) as answer:
            settings = json.load(answer)
        assert settings["api_url"] == f"http://127.0.0.1:{port}/api"
        with urllib.request.urlopen(settings["api_url"] + "/health", timeout=10) as answer:
            assert answer.status == 200  # the address the UI will ask answers
        with urllib.request.urlopen(link, timeout=10) as answer:
            assert answer.status == 200 and b"<html" in answer.read().lower()
        _line_matching(proc, re.compile(r"deployments are being served"))  # Ctrl-C once serving, as the SIGTERM test does
    finally:
        out, err = _ctrl_c(proc, port if "port" in locals() else None)
    assert proc.returncode == 0, f"exit {proc.returncode} after Ctrl-C; stdout: {out[-2000:]}; stderr: {err[-6000:]}"
    assert "Stopped." in out


def _ctrl_c(proc, port) -> tuple[str, str]:
    """Ctrl-C (serve pauses its schedules and stops its own server); then all it printed, both pipes
    read while waiting (an unread stderr that fills its pipe blocks the process on its next write).
    A serve still running after 120 s is asked for every thread's stack (faulthandler on SIGUSR1,
    witness/serve.py) before it is killed, so the failure says where it was."""
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        try:
            out, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    _stop_server_left_on(port)
    return _UNREAD.pop(proc.pid, b"").decode(errors="replace") + out, err  # with what the waits read ahead


def _stop_server_left_on(port) -> None:
    """If serve itself had to be killed, its server (its own session) would outlive the test: stop
    it by the pid found for its port, never by name."""
    import os
    from pathlib import Path

    if port is None:
        return
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            args = (proc_dir / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"server" in args and str(port).encode() in args and b"prefect" in args:
            try:
                os.killpg(int(proc_dir.name), signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass


def test_ctrl_c_stops_serve_even_when_it_was_started_with_sigint_ignored(tmp_path):
    """A shell's background job (and everything it starts) has SIGINT ignored, and Python keeps it so:
    serve restores Ctrl-C itself, or it would serve on after one."""
    from tests.e2e.runner import WITNESS

    env = cli_env(home=tmp_path / "home", actor=None, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    init_store(env)
    proc = subprocess.Popen([WITNESS, "serve"], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    port = None
    try:
        port = int(_line_matching(proc, re.compile(r"^Prefect UI: http://127\.0\.0\.1:(\d+)/")).group(1))
        _line_matching(proc, re.compile(r"deployments are being served"))
    finally:
        out, err = _ctrl_c(proc, port)
    assert proc.returncode == 0, f"exit {proc.returncode} after Ctrl-C; stderr: {err[-3000:]}"
    assert "Stopped." in out
