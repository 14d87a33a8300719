"""Benchmark: an accused linked to 500 victims is released.

    .venv/bin/python benchmarks/notices.py                      # fresh SQLite file, 500 victims, 3 runs
    .venv/bin/python benchmarks/notices.py --victims 2000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Each run builds a fresh store (keyring, migrations): one victim through the intake service, the
others bulk-loaded into the same proceeding with their identity (legal name, email) really
encrypted, every one with email as their only safe channel. Then it times, with perf_counter:

1. queueing: the whole custody-change transaction (`change_custody`): the custody event, the risk
   reassessments and worklist items for every victim, and every notice (one per victim and one for
   the coordinator), committed;
2. the relay: one `relay` pass delivering every notice into a real SMTP server (aiosmtpd, in its
   own process) on loopback, checking the Do No Harm rules, decrypting each address and rendering each text.
   Its anchor, in the same run: the very messages the relay handed over, sent again bare (no
   database, no rules, no decryption, no rendering) through the same pool of SMTP connections into
   a fresh server of the same kind: what the server and the transport allow on this machine now,
   the ceiling of the relay. The ratio says how much of it the relay's own work takes.

3. as deployed (SQLite only, `--deployed-trials`, ~1 minute each): a real `witness serve` (its own
   Prefect server, the minute schedule and the urgent watcher) against a fresh store of 50 victims;
   this process records each release as the custody feed would, and the time from its commit to
   the first message in the SMTP server is taken from the server's own arrival stamps.

It prints the median of the runs beside each target (issue 16: 500 release notices queued in
<= 200 ms; >= 200 messages/s into a local SMTP server; first message <= 5 s after a release, as
deployed), `uptime` before and after (figures on a loaded machine are not an idle machine's), and
exits 1 when a correctness check fails: a notice lost, sent twice or left unmarked. On PostgreSQL
a fresh schema bench_<random> per run is created and dropped. No real personal data is generated.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from witness.bootstrap import App  # noqa: E402
from witness.clock import FixedClock  # noqa: E402
from witness.domain.access import Actor, Role  # noqa: E402
from witness.outputs.transports.channels import SMTP_CONNECTIONS  # noqa: E402
from witness.outputs.transports.pool import TransportPool  # noqa: E402
from witness.outputs.transports.smtp import SmtpTransport  # noqa: E402
from witness.outputs.transports.worklist import WorklistTransport  # noqa: E402
from witness.profiles import load_profiles  # noqa: E402
from witness.services.custody import change_custody, find_accused  # noqa: E402
from witness.services.intake import open_case  # noqa: E402
from witness.services.relay import relay  # noqa: E402
from witness.settings import PROJECT_ROOT, Settings  # noqa: E402
from witness.store import schema  # noqa: E402
from witness.store.crypto import Keyring, save_keyring  # noqa: E402
from witness.store.engine import make_engine  # noqa: E402
from witness.store.notice_tables import notices  # noqa: E402
from witness.store.tables import case_proceedings, cases, identities, proceedings, relationships  # noqa: E402

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
AMARA = Actor("amara", Role.coordinator)
FEED = Actor("prison-feed", Role.system)
DOCKET = "TH-SSK-2026-0141"


def _form() -> dict:
    return {"jurisdiction": "TH", "coordinator": "amara", "opened_at": "2026-11-02T10:00:00+07:00",
            "victim": {"legal_name": "Synthetic Victim 0", "gender": "male", "nationality": "MM",
                       "date_of_birth": "1990-01-01", "preferred_language": "my",
                       "contact": {"email": "victim0@bench.example"}, "safe_channels": ["email"]},
            "proceedings": [{"court": "Samut Sakhon Provincial Court", "docket": DOCKET,
                             "accused": [{"label": "Accused A", "custody": "detained", "relationship": "employer"}]}],
            "services": ["shelter"]}


def fresh_app(workdir: Path, db: str | None) -> tuple[App, str | None]:
    schema_name = None
    if db and db.startswith("postgresql"):
        schema_name = "bench_" + uuid.uuid4().hex[:10]
        eng = create_engine(db)
        with eng.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema_name}"))
        eng.dispose()
        url = f"{db}{'&' if '?' in db else '?'}options=-csearch_path%3D{schema_name}"
    else:
        url = f"sqlite:///{workdir / 'home' / 'witness.db'}"
    settings = Settings(home=workdir / "home", database_url=url, key_file=workdir / "home" / "keys" / "keyring.json")
    ring = Keyring.generate()
    save_keyring(settings.keyring_path, ring)
    engine = make_engine(url)
    schema.upgrade(engine)
    return App(settings, engine, ring, load_profiles(PROJECT_ROOT / "config" / "jurisdictions"), FixedClock(NOW)), \
        schema_name


def load_victims(app: App, n: int) -> None:
    first = open_case(app, AMARA, _form())
    cipher = app.cipher
    ids = [f"W-B{i:05d}" for i in range(1, n)]
    # Encrypted before the bulk transaction: each victim's data key is written in a transaction of its own.
    idents = [dict(case_id=cid, legal_name=cipher.encrypt("identities", "legal_name", cid, f"Synthetic Victim {cid}"),
                   email=cipher.encrypt("identities", "email", cid, f"{cid.lower()}@bench.example")) for cid in ids]
    with app.engine.begin() as c:
        pid = c.execute(select(proceedings.c.id).where(proceedings.c.docket == DOCKET)).scalar()
        base = dict(c.execute(select(cases).where(cases.c.id == first)).first()._mapping)
        rel = dict(c.execute(select(relationships).where(relationships.c.case_id == first)).first()._mapping)
        c.execute(insert(cases), [{**base, "id": cid} for cid in ids])
        c.execute(insert(identities), idents)
        c.execute(insert(case_proceedings), [dict(case_id=cid, proceeding_id=pid) for cid in ids])
        c.execute(insert(relationships), [{**rel, "case_id": cid} for cid in ids])


SINK = """
import json, sys
from witness.outputs.transports.loopback import SmtpSink
with SmtpSink() as sink:
    print(sink.port, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    print(json.dumps([m.key for m in sink.messages]), flush=True)
"""


class Recording:
    """The relay's email transport, keeping each message it accepted (for the anchor)."""

    def __init__(self, inner):
        self.inner, self.concurrency, self.sent = inner, inner.concurrency, []

    def send(self, message) -> None:
        self.inner.send(message)
        self.sent.append(message)

    def close(self) -> None:
        self.inner.close()


def bare_smtp_rate(messages: list) -> float:
    """The anchor: these messages through the same SMTP pool into a fresh server, nothing else."""
    from concurrent.futures import ThreadPoolExecutor

    with SinkProcess() as sink:
        pool = TransportPool(lambda: SmtpTransport("127.0.0.1", sink.port, "notices@witness.invalid"), SMTP_CONNECTIONS)
        with ThreadPoolExecutor(SMTP_CONNECTIONS) as threads:
            started = time.perf_counter()
            list(threads.map(pool.send, messages))
            took = time.perf_counter() - started
        pool.close()
    if sorted(sink.keys) != sorted(m.key for m in messages):
        raise CheckFailed("the anchor's server lost or doubled messages")
    return len(messages) / took


class SinkProcess:
    """The SMTP server in its own process, as a real one would be: in the relay's process its
    thread would compete with the relay for the interpreter lock and slow both."""

    def __enter__(self) -> "SinkProcess":
        self.proc = subprocess.Popen([sys.executable, "-c", SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=PROJECT_ROOT)
        self.port = int(self.proc.stdout.readline())
        return self

    def __exit__(self, *exc) -> None:
        out, _ = self.proc.communicate(timeout=60)
        self.keys = json.loads(out.strip().splitlines()[-1])


class CheckFailed(Exception):
    """A correctness check failed (raised, not asserted: `python -O` must not remove it)."""


def one_run(workdir: Path, args) -> dict:
    app, schema_name = fresh_app(workdir, args.db)
    try:
        load_victims(app, args.victims)
        aid = find_accused(app, DOCKET, "Accused A")
        started = time.perf_counter()
        change_custody(app, FEED, "bench-release-1", aid, "released", NOW, source="bench")
        queue_s = time.perf_counter() - started
        with app.engine.connect() as c:
            queued = len(c.execute(select(notices.c.id)).all())
        with SinkProcess() as sink:
            # As deployed (witness.outputs.transports.channels): a pool of SMTP connections.
            transports = {"email": Recording(TransportPool(lambda: SmtpTransport("127.0.0.1", sink.port,
                                                                                 "notices@witness.invalid"),
                                                           SMTP_CONNECTIONS)),
                          "worklist": WorklistTransport(app.engine)}
            started, cpu = time.perf_counter(), time.process_time()
            report = relay(app, transports, NOW, batch_size=args.batch)
            relay_s, relay_cpu = time.perf_counter() - started, time.process_time() - cpu
            transports["email"].close()
        received, distinct = len(sink.keys), len(set(sink.keys))
        with app.engine.connect() as c:  # what the store says, not only the relay's own count
            marked = c.execute(select(func.count()).select_from(notices).where(notices.c.status == "sent")).scalar()
        if not report.sent == queued == received == distinct == marked:
            raise CheckFailed(f"relay counted {report.sent} sent; {queued} queued, {received} received by the "
                              f"SMTP server ({distinct} distinct), {marked} marked sent in the store")
        anchor = bare_smtp_rate(transports["email"].sent)
        # CPU seconds of this process per message: what a loaded machine does not inflate as much
        # as the wall clock (the SMTP server's own CPU is in its process, not counted here).
        return {"queued": queued, "queue_s": queue_s, "relay_s": relay_s, "rate": received / relay_s,
                "cpu_ms": relay_cpu * 1000 / received, "anchor": anchor}
    finally:
        app.engine.dispose()
        if schema_name:
            eng = create_engine(args.db)
            with eng.begin() as c:
                c.execute(text(f"DROP SCHEMA IF EXISTS {schema_name} CASCADE"))
            eng.dispose()


STAMPING_SINK = """
import sys, time
from witness.outputs.transports.loopback import SmtpSink

class Stamping(SmtpSink):
    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        print(self.messages[-1].key, time.time(), flush=True)
        return reply

with Stamping() as sink:
    print(sink.port, flush=True)
    sys.stdin.read()
"""


def deployed_latency(workdir: Path, victims: int, trials: int) -> list[dict]:
    """Event -> first message in the SMTP server, as deployed: the real `witness serve` (its own
    Prefect server, the minute schedule, the urgent watcher) against a fresh store; this process
    records each release as the custody feed would. Each release is placed 20 s after a minute
    boundary, so the minute schedule is not what delivers it."""
    import threading

    from witness.clock import SystemClock

    app, _ = fresh_app(workdir, None)
    app = App(app.settings, app.engine, app.keyring, app.profiles, SystemClock())
    load_victims(app, victims)
    aid = find_accused(app, DOCKET, "Accused A")
    sink = subprocess.Popen([sys.executable, "-c", STAMPING_SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=PROJECT_ROOT)
    port = int(sink.stdout.readline())
    arrivals: dict[str, float] = {}
    threading.Thread(target=lambda: [arrivals.setdefault(*(lambda k, t: (k, float(t)))(*line.split()))
                                     for line in sink.stdout], daemon=True).start()
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("WITNESS_", "PREFECT_"))}
    env.update(WITNESS_HOME=str(app.settings.home), WITNESS_DATABASE_URL=app.settings.database_url,
               WITNESS_KEY_FILE=str(app.settings.keyring_path), WITNESS_SMTP_HOST="127.0.0.1",
               WITNESS_SMTP_PORT=str(port), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING")
    serve = subprocess.Popen([str(Path(sys.executable).parent / "witness"), "serve"], env=env, cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = []
    try:
        for line in serve.stdout:
            if line.startswith("Prefect UI:"):
                break
        else:
            raise SystemExit("witness serve did not start")
        threading.Thread(target=lambda: [None for _ in serve.stdout], daemon=True).start()  # keep its pipe drained
        time.sleep(10)  # the runner and the watcher come up after the UI line
        for trial in range(trials + 1):  # the first one warms the serving process up; not counted
            time.sleep((80 - time.time() % 60) % 60)  # 20 s after the next minute boundary
            change_custody(app, FEED, f"bench-hold-{trial}", aid, "detained", app.clock.now(), source="bench")
            started = time.time()
            change_custody(app, FEED, f"bench-free-{trial}", aid, "released", app.clock.now(), source="bench")
            committed = time.time()
            with app.engine.connect() as c:
                keys = set(c.execute(select(notices.c.idempotency_key)
                                     .where(notices.c.event_ref == f"bench-free-{trial}")).scalars())
            deadline = time.time() + 90
            while time.time() < deadline and not keys <= set(arrivals):
                time.sleep(0.05)
            got = [arrivals[k] for k in keys if k in arrivals]
            if trial:
                results.append({"queue_s": committed - started, "first_s": (min(got) - committed) if got else None,
                                "all_s": (max(got) - committed) if len(got) == len(keys) else None,
                                "notices": len(keys), "arrived": len(got)})
                r = results[-1]
                print(f"  release {trial}: {r['arrived']}/{r['notices']} arrived; first "
                      f"{r['first_s'] if r['first_s'] is None else round(r['first_s'], 2)} s, all "
                      f"{r['all_s'] if r['all_s'] is None else round(r['all_s'], 2)} s after the commit", flush=True)
    finally:
        serve.send_signal(__import__("signal").SIGINT)
        try:
            serve.wait(timeout=120)
        except subprocess.TimeoutExpired:
            serve.kill()
        sink.stdin.close()
        sink.wait(timeout=30)
        app.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--victims", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100, help="notices claimed per relay batch")
    parser.add_argument("--db", default=None, help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--deployed-trials", type=int, default=3,
                        help="releases timed through a real `witness serve` (0: skip; ~1 minute each)")
    args = parser.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"uptime before: {load}", flush=True)
    results, failures = [], []
    for i in range(args.runs):
        workdir = Path(tempfile.mkdtemp(prefix="witness-bench-notices-"))
        try:
            results.append(one_run(workdir, args))
        except CheckFailed as exc:  # a correctness check: lost, doubled or unmarked notices
            failures.append(f"run {i + 1}: {exc}")
            continue
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        r = results[-1]
        print(f"run {i + 1}: {r['queued']} notices queued in {r['queue_s'] * 1000:.0f} ms; relay "
              f"{r['relay_s']:.2f} s = {r['rate']:.0f} messages/s ({r['cpu_ms']:.2f} ms of relay CPU a message); "
              f"the same messages bare through the same SMTP pool: {r['anchor']:.0f}/s", flush=True)
    deployed = []
    if args.deployed_trials and not args.db:
        print("as deployed (witness serve, 50 victims):", flush=True)
        workdir = Path(tempfile.mkdtemp(prefix="witness-bench-deployed-"))
        try:
            deployed = deployed_latency(workdir, 50, args.deployed_trials)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        failures += [f"deployed release {n + 1}: {r['arrived']} of {r['notices']} notices arrived within 90 s"
                     for n, r in enumerate(deployed) if r["all_s"] is None]
    print(f"\n{'PostgreSQL' if args.db else 'SQLite'}, {args.victims} victims of one accused released, "
          f"median of {len(results)} (uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}):")
    if results:
        q = statistics.median(r["queue_s"] for r in results)
        rate = statistics.median(r["rate"] for r in results)
        anchor = statistics.median(r["anchor"] for r in results)
        ratio = statistics.median(r["rate"] / r["anchor"] for r in results)
        print(f"  {args.victims} release notices queued (whole custody-change transaction): {q * 1000:.0f} ms  "
              f"target <= 200 ms: {'met' if q <= 0.2 else 'MISSED'}")
        print(f"  relay into a local SMTP server (aiosmtpd, own process): {rate:.0f} messages/s  "
              f"target >= 200/s: {'met' if rate >= 200 else 'MISSED'}; anchor (the same messages bare "
              f"through the same {SMTP_CONNECTIONS} connections): {anchor:.0f}/s, relay/anchor {ratio:.2f}; "
              f"relay CPU {statistics.median(r['cpu_ms'] for r in results):.2f} ms a message")
    firsts = [r["first_s"] for r in deployed if r["first_s"] is not None]
    if firsts:
        first = statistics.median(firsts)
        print(f"  release -> first message in the SMTP server, as deployed: median {first:.2f} s, worst "
              f"{max(firsts):.2f} s  target <= 5 s: {'met' if max(firsts) <= 5 else 'MISSED'}")
    for f in failures:
        print(f"CORRECTNESS FAILURE: {f}")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
