"""`witness serve`: every deployment on its schedule, on one machine.

Prefect refuses schedules on its ephemeral server, so this starts a real one (`prefect server
start`, SQLite under WITNESS_HOME/prefect), serves the deployments from this process, and stops
the server again on Ctrl-C or SIGTERM (what `systemctl stop` sends): the schedules are paused, the
server stopped, "Stopped." printed, and the exit code is 0. Several machines use prefect.yaml and a
worker instead.
"""
from __future__ import annotations

import faulthandler
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

from witness.errors import WitnessError
from witness.settings import get_settings

RELAY_INTERVAL_SECONDS = 60  # urgent release alerts cannot wait an hour; prefect.yaml says the same
ANCHOR = datetime(2026, 1, 1, tzinfo=timezone.utc)  # hourly runs fall on the hour, UTC
START_TIMEOUT = 120  # a new server database takes ~17 s to migrate, much longer on a busy machine
STOP_TIMEOUT = 15


def serve() -> None:
    # Refuse to start without a key or with a bad profile, and bring the schema up to date first:
    # scheduled runs against a store missing a newer migration would fail every time.
    from witness.bootstrap import build_app
    from witness.store import schema

    # `kill -USR1 PID` prints every thread's stack to stderr: where a serve that does not stop is stuck.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # Ctrl-C stops serve even when it was started with SIGINT ignored (a shell's background job and
    # what it starts: Python then leaves SIGINT ignored) or blocked by its parent.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    settings = get_settings()
    app = build_app(settings)
    schema.upgrade(app.engine)
    app.engine.dispose()
    home = settings.home / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = server_environment(home, port)
    log_path = home / "server.log"
    server = None
    # Until the runner installs its own graceful handler, SIGTERM must still reach the finally below.
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"Starting the Prefect server (log: {log_path})", flush=True)
        with open(log_path, "ab") as log:
            # Its own session, so that Ctrl-C in the terminal reaches only this process: the serve
            # loop still needs the server while it shuts down (it pauses the schedules).
            server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                       "--port", str(port)], env={**os.environ, **env}, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        _wait_until_healthy(api, server, log_path)
        print(f"Prefect UI: {ui_link(port)}  (flow runs are named like `sweep 2026-12-01T10:00Z`)", flush=True)
        # Prefect reads its settings when first imported, and served flow runs (subprocesses)
        # inherit this environment: set it before the import.
        os.environ.update(env, PREFECT_API_URL=api)
        _serve_deployments(settings.sweep_interval_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            _stop(server)
        signal.signal(signal.SIGTERM, previous_sigterm)
        print("Stopped.", flush=True)


def server_environment(home, port: int) -> dict[str, str]:
    """What the Prefect server (and the flow runs served from here) run with. The UI asks the API
    at PREFECT_UI_API_URL, which defaults to port 4200: on any other port the page loads and then
    shows nothing but connection errors, so it is set to this server's own API."""
    api = f"http://127.0.0.1:{port}/api"
    return {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_API_URL": api, "PREFECT_SERVER_UI_API_URL": api}


def ui_link(port: int) -> str:
    return f"http://127.0.0.1:{port}/"


def _serve_deployments(every: int) -> None:
    from prefect import serve
    from prefect.schedules import Interval

    from flows.notices import relay
    from flows.sweep import sweep  # the one place witness/ reaches into flows/: this is the flows' launcher

    # Urgent alerts do not wait for the minute: a watcher runs a relay pass within a second of one
    # becoming due (witness/services/relay_wakeup.py); the minute's flow run stays the safety net.
    from witness.bootstrap import build_app
    from witness.services import relay_wakeup

    app = build_app(get_settings())
    relay_wakeup.start(app, lambda: relay_wakeup.relay_pass(app))
    serve(sweep.to_deployment(name="sweep", schedules=[Interval(every, anchor_date=ANCHOR, timezone="UTC")]),
          relay.to_deployment(name="notices-relay",
                              schedules=[Interval(RELAY_INTERVAL_SECONDS, anchor_date=ANCHOR, timezone="UTC")]))


def _wait_until_healthy(api: str, server: subprocess.Popen, log_path) -> None:
    started = time.monotonic()
    last_said = started
    while True:
        if server.poll() is not None:
            raise WitnessError(f"the Prefect server exited with code {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                if answer.status == 200:
                    print(f"Prefect server healthy after {time.monotonic() - started:.0f} s", flush=True)
                    return
        except OSError:
            pass  # not listening yet
        now = time.monotonic()
        if now - started > START_TIMEOUT:
            raise WitnessError(f"the Prefect server was not healthy after {START_TIMEOUT} s; see {log_path}")
        if now - last_said >= 5:
            print(f"  waiting for the Prefect server ({now - started:.0f} s)", flush=True)
            last_said = now
        time.sleep(0.5)


def _stop(server: subprocess.Popen) -> None:
    # A second Ctrl-C or SIGTERM (an impatient `kill`, systemd and a person both stopping it) must
    # not interrupt the stop: the server is in a session of its own, so it would be left running
    # unseen, holding its port and its database.
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print("Stopping the Prefect server", flush=True)
        _signal_group(server, signal.SIGTERM)
        try:
            server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(server, signal.SIGKILL)
            server.wait()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, previous[signal.SIGTERM])


def _signal_group(server: subprocess.Popen, sig: int) -> None:
    # The server leads its own process group; signalling the group also reaches anything it spawned.
    try:
        os.killpg(server.pid, sig)
    except ProcessLookupError:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
