"""The follow-up sweep: set-based and idempotent (R-102), shared by workers (R-101b).

Each follow-up is a pair: a query that selects what is due (and not already handled), and a
chunk processor that handles a few hundred cases in one transaction. Each is registered in
witness/wiring.py. Running the sweep twice at the same instant changes nothing the second
time, because every selection excludes what a previous run already produced.

A sweep is planned once per instant (`plan`): what is due is written as chunks in the
`sweep_chunks` table. Workers then `claim` chunks one at a time under a lease (on PostgreSQL with
FOR UPDATE SKIP LOCKED, so two workers never get the same chunk) and process each in one
transaction that also marks it done, so a chunk is done exactly once. A worker that dies leaves a
lease that expires; the next claim takes the chunk up again. See docs/sweep.md.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import and_, case, exists, func, literal, null, or_, select, text, update
from sqlalchemy.exc import OperationalError

from witness import wiring
from witness.domain.access import Actor, Role
from witness.services.access import need_to_know
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.reflection import VictimDecision
from witness.domain.stage import Stage
from witness.errors import StoreBusy
from witness.domain.events import StageChanged
from witness.services.events import publish
from witness.store.engine import BOOKKEEPING, READ_ONLY, checkpoints_deferred
from witness.store.unit_of_work import translate_lock
from witness.services.worklist import add_items, item
from witness.store.sweep_tables import sweep_chunks
from witness.store.tables import UTC, cases, stage_history, worklist
from witness.store.dialects import among, insert_rows

SYSTEM = Actor("sweep", Role.system)
# Cases per chunk: one transaction, one fsync. Large enough that a 100,000-case sweep commits a few
# dozen times, small enough that SQLite's write lock is held well under a second per chunk.
CHUNK = 2000
LEASE = timedelta(minutes=10)  # a claimed chunk not done by then is taken up by another worker
PLANNING_LOCK = 0x5757_0001  # pg_advisory_xact_lock key: one planner at a time


def _not_yet(kind: str):
    # The worklist item for this occasion (case, kind, due instant) does not exist yet.
    return ~exists().where(worklist.c.case_id == cases.c.id, worklist.c.kind == kind,
                           worklist.c.due_at == cases.c.reflection_ends_at)


def _select_ending(conn, now: datetime, profiles) -> list[str]:
    windows = [and_(cases.c.jurisdiction == code, cases.c.reflection_ends_at <= now + timedelta(days=p.reflection.ending_soon_days))
               for code, p in profiles.items()]
    q = (select(cases.c.id).where(cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_(None),
                                  cases.c.reflection_ends_at > now, or_(*windows), _not_yet("reflection_ending"))
         .order_by(cases.c.reflection_ends_at, cases.c.id))
    return list(conn.execute(q).scalars())


def _select_ended(conn, now: datetime, profiles) -> list[str]:
    q = (select(cases.c.id).where(cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_(None),
                                  cases.c.reflection_ends_at <= now, _not_yet("reflection_ended"))
         .order_by(cases.c.reflection_ends_at, cases.c.id))
    return list(conn.execute(q).scalars())


def _select_decided(conn, now: datetime, profiles) -> list[str]:
    q = (select(cases.c.id).where(cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_not(None),
                                  cases.c.decided_at <= now).order_by(cases.c.decided_at, cases.c.id))
    return list(conn.execute(q).scalars())


def _rows(uow, ids):
    return uow.conn.execute(select(cases.c.id, cases.c.jurisdiction, cases.c.coordinator, cases.c.reflection_ends_at,
                                   cases.c.reflection_max_ends_at, cases.c.decision, cases.c.decided_at)
                            .where(cases.c.id.in_(ids))).all()


@ungated("adds worklist items only")
def _process_ending(uow, ids, profiles) -> int:
    now = uow.now
    items = []
    for r in _rows(uow, ids):
        day = r.reflection_ends_at.astimezone(profiles[r.jurisdiction].tz).date().isoformat()
        items.append(item(f"{r.id}:reflection_ending:{r.reflection_ends_at.isoformat()}", r.id, "reflection_ending",
                          r.coordinator, r.reflection_ends_at, now,
                          f"{r.id}: reflection period ends {day}. Check in on recovery and options without pressing "
                          "for a decision; extend if more time is needed (Guide: Recovery §1, 'be flexible')."))
    return add_items(uow.conn, items)


@ungated("adds worklist items only")
def _process_ended(uow, ids, profiles) -> int:
    now = uow.now
    items = []
    for r in _rows(uow, ids):
        tz = profiles[r.jurisdiction].tz
        items.append(item(f"{r.id}:reflection_ended:{r.reflection_ends_at.isoformat()}", r.id, "reflection_ended",
                          r.coordinator, r.reflection_ends_at, now,
                          f"{r.id}: reflection period ended {r.reflection_ends_at.astimezone(tz).date().isoformat()} "
                          "with no decision recorded. No interview or testimony without consent; do not pressure. "
                          f"The period can be extended up to {r.reflection_max_ends_at.astimezone(tz).date().isoformat()}. "
                          "Support continues whatever the victim decides (R-23)."))
    return add_items(uow.conn, items)


@gated(ActionKind.stage_change)
def _process_decided(uow, ids, profiles) -> int:
    """Move cases whose victim has decided; the conditional UPDATE makes a re-run a no-op.

    Each move passes the Do No Harm gate first (R-33). No person is making it, so nothing is
    overridden: a move a rule would stop stays undone and goes on the coordinator's worklist."""
    from witness.services.guardrails import automatic, case_facts_many

    conn, now = uow.conn, uow.now
    moved = 0
    targets = {VictimDecision.cooperate.value: Stage.decision, VictimDecision.not_cooperate.value: Stage.withdrawn}
    # The chunk's cases by their key, the stage and decision tested on each row: with them in the
    # query SQLite read every case in reflection through the stage index to find the chunk's.
    rows = [r for r in conn.execute(select(cases.c.id, cases.c.coordinator, cases.c.stage, cases.c.decision,
                                           cases.c.decided_at).where(among(conn, cases.c.id, ids)).order_by(cases.c.id))
            if r.stage == Stage.reflection.value and r.decision in targets]
    # The facts of the whole chunk read at once (case by case it was ~9 queries per case).
    facts = case_facts_many(conn, [r.id for r in rows], now)
    allowed, stopped = set(), 0
    for r in rows:
        target = targets[r.decision]
        verdict = automatic(uow, ActionKind.stage_change, r.id, r.coordinator, f"{target.value}:{r.decided_at.isoformat()}",
                            f"moving the case to {target.value} after the victim's decision ({r.decision})",
                            known=facts.get(r.id), target=target.value)
        if verdict.go:
            allowed.add(r.id)
        stopped += verdict.listed
    for decision, target in ((VictimDecision.cooperate, Stage.decision), (VictimDecision.not_cooperate, Stage.withdrawn)):
        done = list(conn.execute(update(cases).where(among(conn, cases.c.id, sorted(allowed)), cases.c.stage == Stage.reflection.value,
                                                     cases.c.decision == decision.value)
                                 .values(stage=target.value, updated_at=now).returning(cases.c.id, cases.c.coordinator)))
        if not done:
            continue
        reason = f"victim's recorded decision: {decision.value}"
        uow.cipher.preload(r.id for r in done)  # each victim's data key, a few hundred per query
        insert_rows(conn, stage_history, [
            dict(case_id=r.id, from_stage=Stage.reflection.value, to_stage=target.value, at=now, actor=SYSTEM.user,
                 role=SYSTEM.role.value, reason=uow.cipher.encrypt("stage_history", "reason", r.id, reason))
            for r in done])
        next_step = ("plan the next step with the victim; interviews need consent to interview"
                     if target is Stage.decision else
                     "the victim does not wish to take part; keep every support service going (R-23)")
        publish(uow, StageChanged(case_ids=[r.id for r in done], from_stage=Stage.reflection.value, to_stage=target.value))
        add_items(conn, [item(f"{r.id}:decided:{now.isoformat()}", r.id, "victim_decided", r.coordinator, now, now,
                              f"{r.id}: {reason}; moved to {target.value}: {next_step}.") for r in done])
        moved += len(done)
    return moved + stopped


@dataclass(frozen=True)
class FollowUp:
    name: str
    select: Callable
    process: Callable
    # At most this many selected ids per chunk, when the follow-up's work per id is heavy enough
    # that the sweep's chunk size would hold the write lock too long (hearing preparation: an id
    # is a hearing with its witnesses, measures, bookings and calendar events).
    chunk: int | None = None


def by_jurisdiction(jurisdiction, instants: dict[str, datetime]):
    """An instant that differs by profile (now minus each state's period) as one CASE on the row's
    jurisdiction, NULL for a state with no profile: the query then compares once per row. One OR
    branch per profile made PostgreSQL run every branch's correlated subqueries for every row
    (2.8 s at 3,000 cases)."""
    return case(*[(jurisdiction == code, literal(at, UTC())) for code, at in sorted(instants.items())], else_=null())


def worklist_follow_up(name: str, due: Callable, rows: Callable, to_item: Callable) -> FollowUp:
    """The follow-up that only puts items on the worklist, built from three parts:

    - `due(now, profiles)`: the query of the case ids due (and not yet handled), ordered;
    - `rows(ids)`: the query of what the chunk's items are made of, for these case ids only;
    - `to_item(row, now, profiles)`: that row's worklist item, or None when nothing is due for it yet.
    """
    def select_due(conn, now: datetime, profiles) -> list[str]:
        return list(conn.execute(due(now, profiles)).scalars())

    @ungated("adds worklist items only")
    def process(uow, ids, profiles) -> int:
        made = (to_item(r, uow.now, profiles) for r in uow.conn.execute(rows(ids)))
        return add_items(uow.conn, [i for i in made if i is not None])

    return FollowUp(name, select_due, process)


REFLECTION_DECIDED = FollowUp("reflection_decided", _select_decided, _process_decided)
REFLECTION_ENDED = FollowUp("reflection_ended", _select_ended, _process_ended)
REFLECTION_ENDING = FollowUp("reflection_ending", _select_ending, _process_ending)


def all_follow_ups() -> list[FollowUp]:
    """Every follow-up registered in witness/wiring.py (reflection above, risk reviews, claim
    deadlines, hearings...), in the order the sweep runs them."""
    return list(wiring.follow_ups())


# The selections only read, and each waits mostly on the database: run side by side on their own
# connections they use every core (SQLite reads in WAL alongside the planner's write lock, and
# sqlite3 and psycopg let go of the GIL while a statement runs). One after another they were
# ~1.3 s of the 100,000-case sweep on two cores; side by side ~0.7 s.
SELECT_THREADS = max(1, min(4, os.cpu_count() or 1))


def _selections(app, now: datetime, follow_ups: list[FollowUp]) -> dict[str, list[str]]:
    """Every follow-up's selection as of `now`, each in its own read-only transaction. Nothing
    commits between them that a single transaction would have kept out: on SQLite the caller
    (plan) holds the write lock, so no writer can; on PostgreSQL each statement of a single
    transaction would see what had committed by then (READ COMMITTED) just the same."""
    def one(f: FollowUp) -> list[str]:
        with app.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                return f.select(conn, now, app.profiles)

    url = app.engine.url
    if SELECT_THREADS < 2 or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")):
        # (an in-memory SQLite database is one per connection: the others would find it empty)
        return {f.name: one(f) for f in follow_ups}
    with ThreadPoolExecutor(min(SELECT_THREADS, len(follow_ups)), thread_name_prefix="witness-select") as pool:
        return dict(zip([f.name for f in follow_ups], pool.map(one, follow_ups)))


def select_due(app, now: datetime) -> dict[str, list[str]]:
    try:
        return _selections(app, now, all_follow_ups())
    except OperationalError as exc:
        raise translate_lock(exc) from None


# --- chunks shared by workers --------------------------------------------------------------

@dataclass(frozen=True)
class Chunk:
    """A claimed unit of one sweep: `owner` holds it until `lease_expires_at`."""
    id: int
    sweep_at: datetime
    follow_up: str
    seq: int
    ids: list[str]
    owner: str
    lease_expires_at: datetime
    claims: int = 1  # times claimed so far, this one included (by any worker)


_HOLDING: ContextVar[Chunk | None] = ContextVar("witness_sweep_chunk", default=None)


@contextmanager
def holding(chunk: Chunk):
    """process_chunk inside this block completes `chunk` in its own transaction (the flow's task
    passes the chunk this way, so process_chunk keeps its (app, name, ids, now) signature)."""
    token = _HOLDING.set(chunk)
    try:
        yield chunk
    finally:
        _HOLDING.reset(token)


def worker_name(tag: str = "worker") -> str:
    """Who holds a lease: host, process and a random tail (two workers in one process differ)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{tag}:{uuid.uuid4().hex[:6]}"


def _wall(clock) -> datetime:
    # Leases run on the wall clock, not on the sweep's as-of instant (a sweep `--now` in the past
    # must still time out a dead worker). Tests inject `clock` (a datetime or a callable).
    return clock() if callable(clock) else (clock or datetime.now(timezone.utc))


@contextmanager
def _bookkeeping(app):
    """A transaction that writes only the plan or a lease (witness/store/engine.py BOOKKEEPING):
    lost in a power cut, it is simply made again; the chunk's processing commits durably."""
    with app.engine.connect() as conn:
        conn = conn.execution_options(**{BOOKKEEPING: True})
        with conn.begin():
            yield conn


@dataclass
class Plan:
    sweep_at: datetime
    selected: dict[str, int]  # cases still to do per follow-up (0 where the instant's plan is done)
    chunks: int  # chunks still pending
    new: bool  # this call made the plan (False: joined the plan another run made for this instant)


def plan(app, now: datetime, chunk_size: int = CHUNK) -> Plan:
    """Select what is due as of `now` and write it as chunks, once per instant: a second call for
    the same instant (another worker, a re-run) joins the existing plan instead of selecting again."""
    order = [f.name for f in all_follow_ups()]
    try:
        with _bookkeeping(app) as conn:
            if conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises planners
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PLANNING_LOCK})
            existing = conn.execute(select(sweep_chunks.c.follow_up, sweep_chunks.c.status, sweep_chunks.c.case_ids)
                                    .where(sweep_chunks.c.sweep_at == now)).all()
            if existing:
                selected = dict.fromkeys(order, 0)
                for r in existing:
                    if r.status == "pending":
                        selected[r.follow_up] = selected.get(r.follow_up, 0) + len(json.loads(r.case_ids))
                return Plan(now, selected, sum(r.status == "pending" for r in existing), False)
            follow_ups = all_follow_ups()
            due = _selections(app, now, follow_ups)
            rows, seq = [], 0
            for f in follow_ups:
                name = f.name
                for part in chunks(due[name], min(chunk_size, f.chunk or chunk_size)):
                    seq += 1
                    rows.append(dict(sweep_at=now, follow_up=name, seq=seq, case_ids=json.dumps(part),
                                     status="pending", claims=0))
            if rows:
                insert_rows(conn, sweep_chunks, rows)
    except OperationalError as exc:
        raise translate_lock(exc) from None
    return Plan(now, {name: len(due[name]) for name in order}, len(rows), True)


def claim(app, sweep_at: datetime, worker: str, clock=None, lease: timedelta = LEASE) -> Chunk | None:
    """The next chunk of this sweep nobody holds (never claimed, released, or its lease expired),
    leased to `worker`; None when nothing is left to claim. On PostgreSQL the row is picked with
    FOR UPDATE SKIP LOCKED: concurrent claimers each get a different chunk, without waiting."""
    at = _wall(clock)
    free = (select(sweep_chunks.c.id)
            .where(sweep_chunks.c.sweep_at == sweep_at, sweep_chunks.c.status == "pending",
                   or_(sweep_chunks.c.lease_owner.is_(None), sweep_chunks.c.lease_expires_at <= at))
            .order_by(sweep_chunks.c.seq).limit(1).with_for_update(skip_locked=True))
    try:
        with _bookkeeping(app) as conn:
            row = conn.execute(update(sweep_chunks).where(sweep_chunks.c.id == free.scalar_subquery())
                               .values(lease_owner=worker, lease_expires_at=at + lease,
                                       claims=sweep_chunks.c.claims + 1)
                               .returning(sweep_chunks.c.id, sweep_chunks.c.follow_up, sweep_chunks.c.seq,
                                          sweep_chunks.c.case_ids, sweep_chunks.c.claims)).first()
    except OperationalError as exc:
        raise translate_lock(exc) from None
    if row is None:
        return None
    return Chunk(row.id, sweep_at, row.follow_up, row.seq, json.loads(row.case_ids), worker, at + lease, row.claims)


def release(app, chunk: Chunk) -> None:
    """Give a chunk back at once (the worker failed but is alive): another worker may take it."""
    with _bookkeeping(app) as conn:
        conn.execute(update(sweep_chunks).where(sweep_chunks.c.id == chunk.id, sweep_chunks.c.status == "pending",
                                                sweep_chunks.c.lease_owner == chunk.owner)
                     .values(lease_owner=None, lease_expires_at=None))


def progress_of(app, sweep_at: datetime) -> dict:
    """How the sweep of this instant stands: chunks by status, and done chunks per worker."""
    with app.engine.connect() as conn:
        rows = conn.execute(select(sweep_chunks.c.status, sweep_chunks.c.lease_owner, func.count())
                            .where(sweep_chunks.c.sweep_at == sweep_at)
                            .group_by(sweep_chunks.c.status, sweep_chunks.c.lease_owner)).all()
    out: dict = {"pending": 0, "done": 0, "by_worker": {}}
    for status, owner, n in rows:
        out[status] = out.get(status, 0) + n
        if status == "done":
            out["by_worker"][owner] = out["by_worker"].get(owner, 0) + n
    return out


def process_chunk(app, name: str, ids: list[str], now: datetime, actor: Actor = SYSTEM) -> int:
    """One chunk, one transaction, one audit row (only when something changed).

    Inside `holding(chunk)` the chunk is checked and marked done in the same transaction: if the
    lease was lost (it expired and another worker took the chunk) nothing is done here."""
    held = _HOLDING.get()
    with app.uow(actor, now) as uow:
        if held is not None:
            row = uow.conn.execute(select(sweep_chunks.c.status, sweep_chunks.c.lease_owner)
                                   .where(sweep_chunks.c.id == held.id).with_for_update()).first()
            if row is None or row.status != "pending" or row.lease_owner != held.owner:
                return 0  # someone else has it, or has done it: roll back, change nothing
        n = {f.name: f for f in all_follow_ups()}[name].process(uow, ids, app.profiles)
        if held is not None:
            uow.conn.execute(update(sweep_chunks).where(sweep_chunks.c.id == held.id)
                             .values(status="done", changed=n, done_at=_wall(None)))
        if n:
            uow.audit(f"sweep.{name}", f"{n} of {len(ids)} cases", f"follow-up as of {now.isoformat()}")
        uow.commit()
    return n


def work(app, sweep_at: datetime, worker: str | None = None, actor: Actor = SYSTEM, clock=None,
         lease: timedelta = LEASE, progress=None, stop: threading.Event | None = None) -> dict[str, int]:
    """Claim and process chunks of the sweep of `sweep_at` until none is left (or `stop` is set: a
    worker beside this one failed): {follow-up: changed}.
    A chunk that fails is released at once for another worker, and the error raised — except when
    PostgreSQL chose its transaction as the victim of a deadlock or a serialization failure with
    another worker's: then it is claimed and done again, up to RETRIES times. `progress`, if given,
    is called as (follow-up, cases in the chunk) after each chunk."""
    me = worker or worker_name()
    changed: dict[str, int] = {}
    with checkpoints_deferred(app.engine):  # one SQLite checkpoint for the whole sweep (store/engine.py)
        while not (stop is not None and stop.is_set()) and (c := claim(app, sweep_at, me, clock, lease)) is not None:
            try:
                with holding(c):
                    n = process_chunk(app, c.follow_up, c.ids, sweep_at, actor)
            except BaseException as exc:
                again = to_be_redone(c, exc)
                if not again and stop is not None:
                    stop.set()  # before the chunk is free again: a worker beside this one leaves it be
                release(app, c)
                if again:
                    continue  # rolled back whole: the chunk is free again, and this worker takes it up
                raise
            changed[c.follow_up] = changed.get(c.follow_up, 0) + n
            if progress is not None:
                progress(c.follow_up, len(c.ids))
    return changed


# A chunk rolled back by PostgreSQL because of another worker's transaction is done again this many
# times (claims by any worker counted) before the sweep gives up on it.
RETRIES = 3


def to_be_redone(chunk: Chunk, exc: BaseException) -> bool:
    """Whether a chunk that failed with `exc` is to be claimed and done again (by `work` and by the
    flow's own loop alike): PostgreSQL rolled it back over another worker's transaction (a deadlock
    victim or a serialization failure: nothing of it was committed), and it has been claimed no
    more than RETRIES + 1 times. Which errors those are is translate_lock's to say (the unit of work
    has already made them a contended StoreBusy; a driver error raised elsewhere is read the same)."""
    if isinstance(exc, OperationalError):
        exc = translate_lock(exc)
    return isinstance(exc, StoreBusy) and exc.contended and chunk.claims <= RETRIES


def chunks(ids: list[str], size: int = CHUNK) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


# Workers one `run` starts on PostgreSQL, each a thread claiming chunks as a worker process would
# (FOR UPDATE SKIP LOCKED): while one waits on the server, another's Python runs. One after another,
# client and server each sat idle half of the time: a 100,000-case sweep's chunks took ~2.3 s in
# one thread. SQLite runs one: it lets one writer in at a time.
RUN_WORKERS = max(1, min(2, os.cpu_count() or 1))


def _work_side_by_side(app, now: datetime, me: str, actor: Actor, tick) -> dict[str, int]:
    n = RUN_WORKERS if app.engine.dialect.name == "postgresql" else 1
    if n == 1:
        return work(app, now, me, actor, progress=tick)
    done: dict[str, int] = {}
    failed = threading.Event()

    def one(name: str) -> dict[str, int]:
        try:
            return work(app, now, name, actor, progress=tick, stop=failed)
        except BaseException:
            failed.set()  # the others finish the chunk in hand and claim no more: the sweep stops, as in one worker
            raise

    with ThreadPoolExecutor(n, thread_name_prefix="witness-sweep") as pool:
        futures = [pool.submit(one, f"{me}/{i}") for i in range(n)]
        for f in futures:  # every worker ends (none is abandoned mid-chunk) before an error is raised
            f.exception()
        for f in futures:
            for name, k in f.result().items():
                done[name] = done.get(name, 0) + k
    return done


@dataclass
class SweepReport:
    now: datetime
    selected: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)


@ungated("each follow-up declares itself: a change to a case passes `automatic`, the rest add worklist items")
def run(app, actor: Actor, now: datetime, chunk_size: int = CHUNK, progress=None, worker: str | None = None) -> SweepReport:
    """The whole sweep in this process: plan (or join the plan of this instant), then claim and
    process chunks until none is left — what `witness sweep` and the flow both do. `progress`, if
    given, is called as (follow-up, cases done, cases due) after each chunk (the command line
    shows it on stderr)."""
    need_to_know(app, actor, "sweep.run")
    with checkpoints_deferred(app.engine):
        p = plan(app, now, chunk_size)
        done_so_far: dict[str, int] = {}
        ticking = threading.Lock()

        def tick(name: str, n: int) -> None:
            with ticking:  # the workers below may be threads
                done_so_far[name] = done_so_far.get(name, 0) + n
                if progress is not None:
                    progress(name, done_so_far[name], p.selected.get(name, 0))

        done = _work_side_by_side(app, now, worker or worker_name("run"), actor, tick)
    return SweepReport(now, dict(p.selected), {name: done.get(name, 0) for name in p.selected})
