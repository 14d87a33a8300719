"""A relay killed (SIGKILL, a real separate process) after sending and before recording loses
nothing: once its lease runs out another relay sends every notice again under the same key, and
each ends up recorded as sent. Delivery is at-least-once; the key lets receivers drop the copy."""
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.services.custody import change_custody
from witness.services.relay import LEASE, relay
from witness.settings import PROJECT_ROOT
from witness.store.notice_tables import notice_attempts

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from witness.bootstrap import App
    from witness.clock import FixedClock, parse_instant
    from witness.outputs.transports.smtp import SmtpTransport
    from witness.profiles import load_profiles
    from witness.services.relay import relay
    from witness.settings import PROJECT_ROOT, Settings
    from witness.store.crypto import load_keyring
    from witness.store.engine import make_engine

    home, url, port, now, expected = sys.argv[1:6]
    settings = Settings(home=Path(home), database_url=url)
    app = App(settings, make_engine(url), load_keyring(settings.keyring_path),
              load_profiles(PROJECT_ROOT / "config" / "jurisdictions"), FixedClock(parse_instant(now)))
    sent = []

    def after_send(notice_id):
        sent.append(notice_id)
        print("SENT", notice_id, flush=True)
        if len(sent) == int(expected):
            print("ALL SENT, NOT RECORDED", flush=True)
            time.sleep(600)  # waits here for SIGKILL: every message is out, nothing is recorded

    relay(app, {"email": SmtpTransport("127.0.0.1", int(port), "notices@witness.invalid")}, owner="doomed-relay",
          batch_size=50, on_sent=after_send)
""")


def _lines(proc) -> queue.Queue:
    """The child's stdout, line by line, read by a thread so that waiting has a timeout."""
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line.strip()) for line in proc.stdout], daemon=True).start()
    return out


def test_a_relay_killed_between_sending_and_recording_loses_nothing_and_resends_under_the_same_key(
        app, tmp_path, transports, smtp_sink):
    for n in range(3):
        victim(app, n, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    notices_ = rows(app)
    assert len(notices_) == 4  # three victims and their coordinator, all by email

    script = tmp_path / "doomed_relay.py"
    script.write_text(CHILD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    proc = subprocess.Popen([sys.executable, str(script), str(app.settings.home), app.settings.database_url,
                             str(smtp_sink.port), T0.isoformat(), str(len(notices_))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT)
    try:
        said = _lines(proc)
        lines = [said.get(timeout=60) for _ in range(len(notices_) + 1)]
        assert lines[-1] == "ALL SENT, NOT RECORDED", proc.stderr.read() if proc.poll() is not None else lines
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()

    assert len(smtp_sink.messages) == 4
    assert {r.status for r in rows(app)} == {"sending"}  # it died before recording anything

    # While its lease holds, nobody touches its notices...
    assert relay(app, transports, T0 + LEASE - timedelta(seconds=1)).claimed == 0
    # ...once it has run out, another relay finishes the work.
    report = relay(app, transports, T0 + LEASE, owner="rescue-relay")
    assert report.sent == 4

    keys = Counter(m.key for m in smtp_sink.messages)
    assert set(keys) == {r.idempotency_key for r in notices_}  # every notice delivered: none lost
    assert set(keys.values()) == {2}  # each re-sent once, under its own unchanged key
    assert {r.status for r in rows(app)} == {"sent"}
    with app.engine.connect() as c:
        history = Counter((a.relay, a.outcome) for a in c.execute(select(notice_attempts)))
    assert history == {("doomed-relay", "unknown"): 4, ("rescue-relay", "sent"): 4}
    # A receiver keeping the first copy per key sees each notice exactly once.
    assert len({m.key: m for m in smtp_sink.messages}) == 4
