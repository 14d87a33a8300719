"""Several Prefect API servers (issue 15 §7): two `prefect server start` processes on one PostgreSQL
database, sharing events, caches, ordering, leases and background work through one redis-server
(prefect-redis). The witness deployments are deployed through server A; the sweep is started
through server A; a worker that only knows server B takes it and runs it to completion, and both
servers report it Completed.

Debian's redis-server on a free port, no persistence, stopped with the test. Marked `cluster`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from tests.cluster.test_cluster import BIN, WAIT, _create_database, _drop_database, _port, _until
from tests.conftest import require_postgres
from witness.settings import PROJECT_ROOT

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

# What every API server needs to share its state with the others (prefect-redis; Prefect's
# "scale self-hosted Prefect" guide).
REDIS_SETTINGS = {
    "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
    "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
    "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
    "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
}


class Servers:
    def __init__(self, root: Path):
        self.root, self.procs = root, {}
        tag = uuid.uuid4().hex[:8]
        self.prefect_db, self.store_db, self.heads_db = f"wr_prefect_{tag}", f"wr_store_{tag}", f"wr_heads_{tag}"
        self.redis_port, self.ports = _port(), {"a": _port(), "b": _port()}

    def api(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/api"

    def env(self, api: str, home: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WITNESS_", "PREFECT_"))}
        env.update(PREFECT_API_URL=api, PREFECT_HOME=str(self.root / home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_LOGGING_LEVEL="INFO")
        return env

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "w")
        proc = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def healthy(self, name: str) -> bool:
        if self.procs[f"server-{name}"].poll() is not None:
            raise AssertionError(f"server {name} exited: {(self.root / f'server-{name}.log').read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.api(name)}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def prefect(self, api: str, *args: str) -> str:
        done = subprocess.run([str(BIN / "prefect"), *args], env=self.env(api, "prefect-client"), cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=WAIT)
        assert done.returncode == 0, f"prefect {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def close(self) -> None:
        for proc in reversed(list(self.procs.values())):  # the worker, the servers, then Redis they use
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
            proc.wait()
        for db in (self.prefect_db, self.store_db, self.heads_db):
            _drop_database(db)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require_postgres()  # skips (or fails in CI) when PostgreSQL is not reachable
    redis = shutil.which("redis-server")
    assert redis, "redis-server is not installed (scripts/setup.sh installs Debian's redis-server)"
    s = Servers(tmp_path_factory.mktemp("redis-servers"))
    try:
        s.start("redis", [redis, "--port", str(s.redis_port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no"], dict(os.environ))
        prefect_url = _create_database(s.prefect_db, trgm=True).replace("+psycopg", "+asyncpg", 1)
        for name in ("a", "b"):
            env = s.env(s.api(name), f"prefect-server-{name}")
            env.update(REDIS_SETTINGS, PREFECT_API_DATABASE_CONNECTION_URL=prefect_url,
                       PREFECT_REDIS_MESSAGING_HOST="127.0.0.1", PREFECT_REDIS_MESSAGING_PORT=str(s.redis_port),
                       PREFECT_SERVER_DOCKET_URL=f"redis://127.0.0.1:{s.redis_port}/1",
                       PREFECT_UI_API_URL=s.api(name), PREFECT_SERVER_UI_API_URL=s.api(name),
                       # Runs start only when the test asks.
                       PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false")
            if name == "b":  # A brought the schema up to date; two servers migrating at once would race
                env["PREFECT_API_DATABASE_MIGRATE_ON_START"] = "false"
            s.start(f"server-{name}", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                       "--port", str(s.ports[name])], env)
            _until(f"Prefect server {name}", lambda: s.healthy(name))
        s.store_url = _create_database(s.store_db)
        s.heads_url = _create_database(s.heads_db)
        yield s
    finally:
        s.close()


def test_a_flow_run_started_through_one_server_is_run_by_a_worker_polling_the_other(servers):
    s = servers
    a, b = s.api("a"), s.api("b")
    s.prefect(a, "work-pool", "create", "witness", "--type", "process")
    s.prefect(a, "--no-prompt", "deploy", "--all")
    admin = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    admin.update(WITNESS_HOME=str(s.root / "admin"), WITNESS_DATABASE_URL=s.store_url, WITNESS_AUDIT_HEAD_URL=s.heads_url)
    subprocess.run([str(BIN / "witness"), "init"], env=admin, check=True, capture_output=True, timeout=WAIT)
    worker = s.env(b, "prefect-worker")
    worker.update(WITNESS_HOME=str(s.root / "worker"), WITNESS_DATABASE_URL=s.store_url,
                  WITNESS_AUDIT_HEAD_URL=s.heads_url,
                  WITNESS_KEYRING=(s.root / "admin" / "keys" / "keyring.json").read_text(),
                  PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_WORKER_PREFETCH_SECONDS="5")
    s.start("worker", [str(BIN / "prefect"), "worker", "start", "--pool", "witness", "--name", "worker-b",
                       "--limit", "1"], worker)

    with httpx.Client(base_url=a, timeout=30) as http:
        dep = http.get("/deployments/name/sweep/sweep")
        dep.raise_for_status()
        run = http.post(f"/deployments/{dep.json()['id']}/create_flow_run", json={})
        run.raise_for_status()
        run_id = run.json()["id"]

    def state(api: str) -> str:
        return httpx.get(f"{api}/flow_runs/{run_id}", timeout=30).json()["state"]["type"]

    final = _until("the sweep to finish", lambda: (st := state(b)) in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and st)
    log = (s.root / "worker.log").read_text()
    assert final == "COMPLETED", log[-4000:]
    assert f"submitting flow run '{run_id}'" in log  # the worker that knows only server B ran it
    assert state(a) == "COMPLETED"  # and server A, through which it started, sees it finished
    for name in ("a", "b"):  # each server really is on Redis: its messaging broker is prefect-redis
        assert s.procs[f"server-{name}"].poll() is None
    keys = subprocess.run(["redis-cli", "-p", str(s.redis_port), "--scan"], capture_output=True, text=True,
                          timeout=30).stdout.split()
    assert keys, "nothing in Redis: the servers did not use it"
