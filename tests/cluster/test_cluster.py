"""Several machines, for real (issue 15 §6, R-101a): a Prefect server on its own PostgreSQL
database, the process work pool and `prefect deploy --all` from this checkout, two workers, and the
sweep and relay deployments against a PostgreSQL store.

- One worker is killed (with its flow run) in the middle of a sweep; a second run of the same sweep
  on the other worker finishes it, and every chunk is done exactly once: every case got its one
  follow-up, none got two.
- Two relay runs at once on two workers send each notice once.

Every process here has its own home: the keyring comes from WITNESS_KEYRING, the audit heads go to
a database (WITNESS_AUDIT_HEAD_URL); nothing is shared through one machine's disk. The lease of the
killed worker's chunk is ended in the database instead of waiting its ten minutes out (time is
injected, never slept on). Marked `cluster`; it takes about two to four minutes.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text, update

from tests.conftest import COORDINATOR, PG_URL, adult_form, require_postgres
from witness.bootstrap import build_app
from witness.clock import FixedClock
from witness.outputs.transports.loopback import SmsSink, SmtpSink
from witness.services.custody import change_custody, find_accused
from witness.services.intake import open_case
from witness.settings import PROJECT_ROOT, Settings
from witness.store.engine import make_engine
from witness.store.notice_tables import notices
from witness.store.sweep_tables import sweep_chunks
from witness.store.tables import worklist

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]
BIN = Path(sys.executable).parent
CASES, CHUNK = 120, 20  # 6 chunks: a worker dies with some done, some not, and (nearly always) one in hand
WAIT = 240  # seconds any one step may take on a loaded machine before the test gives up


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _create_database(name: str, trgm: bool = False) -> str:
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    if trgm:
        eng = make_engine(url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        eng.dispose()
    return url


def _drop_database(name: str) -> None:
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _until(what: str, check, timeout: float = WAIT, every: float = 0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"gave up waiting: {what}")


class Cluster:
    def __init__(self, root: Path):
        self.root, self.procs, self.dbs = root, {}, []
        tag = uuid.uuid4().hex[:8]
        self.prefect_db, self.store_db, self.heads_db = (f"wc_prefect_{tag}", f"wc_store_{tag}", f"wc_heads_{tag}")
        self.port = _port()
        self.api = f"http://127.0.0.1:{self.port}/api"

    def base_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WITNESS_", "PREFECT_"))}
        env.update(PREFECT_API_URL=self.api, PREFECT_HOME=str(self.root / "prefect-client"),
                   PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
        return env

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "w")
        proc = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group: killed with its flow runs
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def prefect(self, *args: str, env: dict | None = None) -> str:
        done = subprocess.run([str(BIN / "prefect"), *args], env=env or self.base_env(), cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=WAIT)
        assert done.returncode == 0, f"prefect {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def worker_env(self, name: str, witness_env: dict) -> dict:
        env = self.base_env()
        env.update(witness_env, WITNESS_HOME=str(self.root / name), PREFECT_HOME=str(self.root / f"prefect-{name}"),
                   PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_WORKER_PREFETCH_SECONDS="5",
                   PREFECT_LOGGING_LEVEL="INFO")  # "Worker '...' submitting flow run '<id>'": who ran what
        return env

    def ran_on(self, run_id: str) -> list[str]:
        """The workers that took this run (a second worker may try one and be told it is taken)."""
        def took(log: str) -> bool:
            return f"submitting flow run '{run_id}'" in log and f"Aborted submission of flow run '{run_id}'" not in log
        return [name for name in ("worker-1", "worker-2", "worker-3")
                if (self.root / f"{name}.log").exists() and took((self.root / f"{name}.log").read_text())]

    def run_deployment(self, name: str, parameters: dict) -> str:
        with httpx.Client(base_url=self.api, timeout=30) as http:
            dep = http.get(f"/deployments/name/{name}")
            dep.raise_for_status()
            run = http.post(f"/deployments/{dep.json()['id']}/create_flow_run", json={"parameters": parameters})
            run.raise_for_status()
            return run.json()["id"]

    def state(self, run_id: str) -> str:
        with httpx.Client(base_url=self.api, timeout=30) as http:
            return http.get(f"/flow_runs/{run_id}").json()["state"]["type"]

    def finished(self, run_id: str) -> str:
        return _until(f"flow run {run_id} to finish",
                      lambda: (s := self.state(run_id)) in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and s)

    def close(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        for db in (self.prefect_db, self.store_db, self.heads_db):
            _drop_database(db)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_postgres()  # skips (or fails in CI) when PostgreSQL is not reachable
    root = tmp_path_factory.mktemp("cluster")
    c = Cluster(root)
    try:
        prefect_url = _create_database(c.prefect_db, trgm=True)
        store_url = _create_database(c.store_db)
        heads_url = _create_database(c.heads_db)
        server_env = c.base_env()
        server_env.update(PREFECT_HOME=str(root / "prefect-server"),
                          PREFECT_API_DATABASE_CONNECTION_URL=prefect_url.replace("+psycopg", "+asyncpg", 1),
                          PREFECT_UI_API_URL=c.api, PREFECT_SERVER_UI_API_URL=c.api,
                          # Runs start only when the test asks: no hourly sweep or per-minute relay of its own.
                          PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false", PREFECT_API_SERVICES_SCHEDULER_ENABLED="false")
        c.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(c.port)],
                server_env)

        def healthy():
            try:
                return httpx.get(f"{c.api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        _until("the Prefect server", healthy)
        c.prefect("work-pool", "create", "witness", "--type", "process")
        c.prefect("--no-prompt", "deploy", "--all")

        # The store, as an administrator sets it up once.
        admin_env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
        admin_home = root / "admin"
        admin_env.update(WITNESS_HOME=str(admin_home), WITNESS_DATABASE_URL=store_url, WITNESS_AUDIT_HEAD_URL=heads_url)
        subprocess.run([str(BIN / "witness"), "init"], env=admin_env, check=True, capture_output=True, timeout=WAIT)
        keyring = (admin_home / "keys" / "keyring.json").read_text()
        c.witness_env = dict(WITNESS_DATABASE_URL=store_url, WITNESS_AUDIT_HEAD_URL=heads_url, WITNESS_KEYRING=keyring)
        c.settings = Settings(home=root / "seeder", database_url=store_url, audit_head_url=heads_url, keyring=keyring)
        yield c
    finally:
        c.close()


def _seed(c: Cluster, start: datetime) -> tuple[list[str], str]:
    """CASES victims of one accused, opened at `start` (their reflection periods long over)."""
    app = build_app(c.settings, FixedClock(start))
    try:
        form = adult_form()
        ids = []
        for n in range(CASES):
            form["victim"] = dict(form["victim"], legal_name=f"Victim {n} Qwxz", safe_channels=["sms"],
                                  contact={"phone": f"+66 81 000 {n:04d}"})
            ids.append(open_case(app, COORDINATOR, form))
        return ids, find_accused(app, form["proceedings"][0]["docket"], "Accused A")
    finally:
        app.engine.dispose()
        app.heads.engine.dispose()


def _store(c: Cluster):
    return make_engine(c.settings.url)


def test_a_killed_worker_s_sweep_is_finished_by_another_each_chunk_once_and_two_relays_send_each_notice_once(cluster):
    c = cluster
    now = datetime.now(timezone.utc).replace(microsecond=0)
    ids, accused = _seed(c, now - timedelta(days=200))
    sweep_at = now - timedelta(days=100)  # every reflection period has ended by then
    sms, smtp = SmsSink().start(), SmtpSink().start()
    try:
        mail = dict(WITNESS_SMS_GATEWAY_URL=sms.url, WITNESS_SMTP_HOST="127.0.0.1", WITNESS_SMTP_PORT=str(smtp.port))
        for name in ("worker-1", "worker-2"):
            c.start(name, [str(BIN / "prefect"), "worker", "start", "--pool", "witness", "--name", name, "--limit", "1"],
                    c.worker_env(name, {**c.witness_env, **mail}))
        store = _store(c)
        params = {"now": sweep_at.isoformat(), "chunk_size": CHUNK}
        first = c.run_deployment("sweep/sweep", params)

        def some_done_some_not():
            with store.connect() as s:
                done = s.execute(select(func.count()).select_from(sweep_chunks).where(sweep_chunks.c.status == "done")).scalar()
                held = s.execute(select(sweep_chunks.c.lease_owner).where(
                    sweep_chunks.c.status == "pending", sweep_chunks.c.lease_owner.is_not(None))).scalars().first()
                return done >= 1 and held
        owner = _until("the first sweep to be under way", some_done_some_not, every=0.05)
        # Kill the worker whose flow run holds that lease (host:pid:...), and the flow run with it.
        flow_pid = int(owner.split(":")[1])
        victim_worker = next(n for n, p in c.procs.items() if n.startswith("worker") and _descends(flow_pid, p.pid))
        c.kill(victim_worker)
        try:
            os.kill(flow_pid, signal.SIGKILL)  # in case the worker started it in a session of its own
        except ProcessLookupError:
            pass
        with store.connect() as s:
            left = s.execute(select(func.count()).select_from(sweep_chunks).where(sweep_chunks.c.status == "pending")).scalar()
            in_hand = s.execute(select(func.count()).select_from(sweep_chunks).where(
                sweep_chunks.c.lease_owner == owner, sweep_chunks.c.status == "pending")).scalar()
        assert left >= 1, "the sweep finished before its worker could be killed: use more cases"
        # Its lease would run out in ten minutes; end it now instead of waiting.
        with store.begin() as s:
            s.execute(update(sweep_chunks).where(sweep_chunks.c.lease_owner == owner, sweep_chunks.c.status == "pending")
                      .values(lease_expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        second = c.run_deployment("sweep/sweep", params)
        assert c.finished(second) == "COMPLETED", (c.root / "worker-2.log").read_text()[-3000:]
        with store.connect() as s:
            chunks = s.execute(select(sweep_chunks)).all()
            per_case = Counter(s.execute(select(worklist.c.case_id).where(worklist.c.kind == "reflection_ended")).scalars())
        assert chunks and all(ch.status == "done" for ch in chunks)
        # The chunk the killed run had in hand was taken up again by the other worker; no other chunk
        # was claimed twice. (Unless its COMMIT was already on its way to the server when the run was
        # killed: then it ends done by the killed run, after `in_hand` was read — seen once in a full run.)
        again = [ch for ch in chunks if ch.claims == 2]
        assert len(again) <= in_hand and all(ch.claims in (1, 2) for ch in chunks)
        assert all(ch.lease_owner != owner for ch in again)
        assert len(again) == in_hand or any(ch.lease_owner == owner and ch.claims == 1 for ch in chunks)
        assert per_case == Counter({case: 1 for case in ids})  # every case once: no chunk done twice

        # Two relays on two workers send each notice once.
        c.start("worker-3", [str(BIN / "prefect"), "worker", "start", "--pool", "witness", "--name", "worker-3", "--limit", "1"],
                c.worker_env("worker-3", {**c.witness_env, **mail}))
        app = build_app(c.settings)
        try:
            change_custody(app, COORDINATOR, "EV-CLUSTER", accused, custody="released",
                           occurred_at=datetime.now(timezone.utc) - timedelta(minutes=1))
        finally:
            app.engine.dispose()
            app.heads.engine.dispose()
        with store.connect() as s:
            queued = s.execute(select(func.count()).select_from(notices)).scalar()
        assert queued >= CASES
        relays = [c.run_deployment("notices-relay/notices-relay", {"batch_size": 10}) for _ in range(2)]
        states = [c.finished(r) for r in relays]
        assert states == ["COMPLETED", "COMPLETED"], [(c.root / f"{n}.log").read_text()[-2000:] for n in ("worker-2", "worker-3")]
        ran = [w for r in relays for w in c.ran_on(r)]
        assert len(ran) == 2 and len(set(ran)) == 2 and victim_worker not in ran  # one relay on each live worker
        assert c.ran_on(first) == [victim_worker] and c.ran_on(second) != [victim_worker]
        with store.connect() as s:
            statuses = Counter(s.execute(select(notices.c.status)).scalars())
        sent = Counter(m.key for m in sms.messages + smtp.messages)
        assert statuses == Counter({"sent": queued})
        assert len(sent) == queued and set(sent.values()) == {1}, sent.most_common(3)
        store.dispose()
    finally:
        sms.stop()
        smtp.stop()
    # Nothing on any machine's disk carried shared state: no head file, no keyring file in a worker's home.
    for name in ("worker-1", "worker-2", "worker-3"):
        home = c.root / name
        assert not (home / "keys").exists()


def _descends(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return False
