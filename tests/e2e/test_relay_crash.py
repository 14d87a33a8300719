"""A relay killed (SIGKILL, a real `witness relay` process) at random points of a 200-notice batch
sends at most the notices in flight twice per kill: each notice is marked sent as soon as the SMTP
server accepts it, so only those in flight are unrecorded — one per SMTP connection the relay keeps
(SMTP_CONNECTIONS, the price of its throughput). Once the dead relay's lease has run out (the
clock is passed with --now, nothing sleeps), the next relay delivers everything that is left.

Where the kill lands is random: after a random number of messages, either inside the server's
DATA handler (the message is in, its 250 never reaches the relay: the in-flight notice is sent
again for certain) or just after it (the relay may be marking, rendering or sending the next one).
Set WITNESS_TEST_SEED to replay a seed named in a failure."""
import os
import random
import signal
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import COORDINATOR, T0
from tests.e2e.runner import add_accounts, cli_env, start
from tests.notice_fixtures import accused_a, rows, victim
from witness.outputs.transports.channels import SMTP_CONNECTIONS
from witness.outputs.transports.loopback import SmtpSink
from witness.services.custody import change_custody
from witness.services.relay import BATCH, LEASE
from witness.store.notice_tables import notice_attempts

NOTICES = 200  # 199 victims and their coordinator, all by email
# Each restart comes one lease later; a third would reach the 15-minute escalation deadline and
# queue escalation notices, which are not what this test counts.
KILLS = 2


class KillingSink(SmtpSink):
    """The SMTP server that kills the relay once `after` more messages have arrived."""

    def __init__(self):
        super().__init__()
        self.reached = threading.Event()
        self._target: tuple[int, int, bool] | None = None

    def arm(self, pid: int, after: int, inside: bool) -> None:
        with self._lock:
            self._target = (pid, len(self.messages) + after, inside)
            self.reached.clear()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        with self._lock:
            if self._target and len(self.messages) >= self._target[1]:
                pid, _, inside = self._target
                self._target = None
                if inside:  # before the relay hears "250": it cannot have recorded this one
                    os.kill(pid, signal.SIGKILL)
                self.reached.set()
        return reply


def _relay_process(app, sink, at):
    env = cli_env(app, actor=f"{COORDINATOR.user}:coordinator", WITNESS_SMTP_HOST="127.0.0.1",
                  WITNESS_SMTP_PORT=str(sink.port), WITNESS_ALLOW_CLOCK="1")
    return start(env, "relay", "--now", at.isoformat(), "--batch", str(BATCH))


def _sent_keys(app) -> set[str]:
    return {r.idempotency_key for r in rows(app, status="sent")}


def test_a_relay_killed_at_random_points_of_a_batch_sends_at_most_the_notices_in_flight_twice_per_kill(app):
    add_accounts(app)
    seed = int(os.environ.get("WITNESS_TEST_SEED") or random.randrange(2 ** 32))
    rng = random.Random(seed)
    for n in range(NOTICES - 1):
        victim(app, n, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    queued = {r.idempotency_key for r in rows(app)}
    assert len(queued) == NOTICES

    kills, story = 0, [f"seed {seed}"]
    with KillingSink() as sink:
        for run in range(KILLS + 1):
            at = T0 + run * LEASE  # the previous relay's lease has just run out
            proc = _relay_process(app, sink, at)
            remaining = NOTICES - len({m.key for m in sink.messages})
            if run < KILLS and remaining > 1:
                after, inside = rng.randint(1, remaining - 1), rng.random() < 0.5
                sink.arm(proc.pid, after, inside)
                story.append(f"run {run}: kill after {after} more messages, {'inside' if inside else 'after'} DATA")
                # The sink, or the relay ending on its own, wakes us: no polling.
                threading.Thread(target=lambda p=proc: (p.wait(), sink.reached.set()), daemon=True).start()
                assert sink.reached.wait(timeout=120), story
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=120)
            if proc.returncode == -signal.SIGKILL:
                kills += 1
                # The heart of it: everything the server accepted is recorded, but those in flight.
                received, recorded = {m.key for m in sink.messages}, _sent_keys(app)
                assert recorded <= received, story
                assert len(received - recorded) <= SMTP_CONNECTIONS, (
                    story, f"{len(received - recorded)} accepted but unrecorded")
            else:
                assert proc.returncode == 0, (story, err)
                story.append(f"run {run}: {out.strip()}")
            if run == KILLS:
                assert proc.returncode == 0 and "sent" in out, (story, err)

    keys = Counter(m.key for m in sink.messages)
    assert set(keys) == queued, story  # every notice delivered, none lost, nothing else sent
    assert kills >= 1, story
    duplicates = sum(n - 1 for n in keys.values())
    assert duplicates <= kills * SMTP_CONNECTIONS, (story, duplicates, kills)
    assert _sent_keys(app) == queued
    with app.engine.connect() as c:
        outcomes = Counter((a.notice_id, a.outcome) for a in c.execute(select(notice_attempts)))
    # Exactly one attempt per notice ends "sent": nothing was marked twice or left unmarked.
    assert Counter(nid for nid, outcome in outcomes if outcome == "sent") == {r.id: 1 for r in rows(app)}
