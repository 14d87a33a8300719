"""Benchmark: one follow-up sweep (witness.services.sweep.run) over a large synthetic caseload.

    .venv/bin/python benchmarks/sweep.py                                  # 100,000 cases, fresh SQLite file
    .venv/bin/python benchmarks/sweep.py --cases 300000 --no-traced-run   # linear growth: target 10 s
    .venv/bin/python benchmarks/sweep.py --postgres                       # same, PostgreSQL 127.0.0.1:5432/test
    .venv/bin/python benchmarks/sweep.py --postgres --workers 1,2,4       # one plan, N worker processes each
    .venv/bin/python benchmarks/sweep.py --steady-state                   # a real daily delta (see below)
    .venv/bin/python benchmarks/sweep.py --cases 20000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Targets (issue 16 item 2): <= 3 s at 100,000 open cases, growing linearly to <= 10 s at 300,000; each
figure is printed beside its target with `uptime` (figures under load are noisy: never read one
without the load beside it). Exit status 1 when a correctness check fails.

What it does:
1. Builds a fresh store (keyring, Alembic migrations) and bulk-loads N synthetic cases with
   executemany `insert(...)` in batches, one transaction per batch (the intake service would take
   one transaction per case). Identity fields are really encrypted, each victim's under her own
   data key as intake does. The caseload gives every follow-up real work: reflection periods
   ending and decided, claims with instalments and payments, proceedings with accused, custody
   events (two states' feeds gone quiet), hearings with witnesses, prior risk assessments and
   their done review items, accommodations, detentions, children with no guardian recorded yet.
2. Runs ONE sweep at a fixed `now` in a fresh Python process, timed with perf_counter (tracemalloc
   off, imports and set-up outside the timed region and reported), with the time of each
   follow-up's chunks, and that process's high-water mark (ru_maxrss); then runs the sweep again at
   the same `now` (it joins the done plan), and every follow-up's selection and processing once more
   at that instant outside the plan, to show nothing changes (idempotency).
3. Measures Python peak allocations (tracemalloc) by running the same first sweep once more on a
   copy of the store taken before step 2 (skip with --no-traced-run).

Correctness checks (any failing one: exit 1): every follow-up the generator makes work for selects
some (not required in --steady-state, where a day may hold nothing for one); the reflection
follow-ups change exactly what was generated as due; a second sweep changes nothing; the traced
run changes the same; with --workers, every chunk is done once and none was claimed twice.

--steady-state: a sweep is first run (untimed) 24 hours before `now`, so the measured sweep is one
day's delta on a store the daily sweep keeps current — hearings already prepared, items already
listed — rather than the first sweep ever.

--workers 1,2,4: for each N, one plan then N worker processes claiming chunks at once (on PostgreSQL
FOR UPDATE SKIP LOCKED; each N on its own copy of the generated store): wall time from the plan's
start to the last worker's end, and chunks per worker.

On PostgreSQL a fresh schema bench_<random> is created (plus one per copy) and dropped at the end
unless --keep. With the default SQLite URL everything lives in a temp directory that is removed
unless --keep. No real personal data is ever generated.
"""
from __future__ import annotations

import time

_T_MODULE = time.perf_counter()  # before the imports below: a measured child reports them separately

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import tracemalloc
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

from witness.bootstrap import App
from witness.clock import FixedClock, parse_instant
from witness.domain.consent import Method
from witness.domain.proceeding import Custody, Relationship
from witness.domain.stage import Stage
from witness.domain.victim import PSEUDONYM_ALPHABET, PSEUDONYM_LENGTH
from witness.profiles import load_profiles
from witness.services import sweep
from witness.settings import PROJECT_ROOT, Settings
from witness.store import schema
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from witness.domain.care import DetentionKind, period_due
from witness.domain.support import ACCOMMODATION_KINDS
from witness.store.care_tables import detentions, placements
from witness.store.crypto import FieldCipher, Keyring, load_keyring, save_keyring, wrap
from witness.store.key_tables import SHARED, data_keys
from witness.store.engine import make_engine
from witness.store.claim_tables import claim_instalments, claim_items, claim_payments, claims
from witness.store.hearing_tables import appearances, hearings
from witness.store.risk_tables import custody_events, risk_assessments
from witness.store.sweep_tables import sweep_chunks
from witness.store.tables import (accused, audit_log, case_proceedings, cases, consents, identities, metadata,
                                  proceeding_accused, proceedings, relationships, services, stage_history, worklist)

DEFAULT_NOW = "2026-11-30T02:00:00+00:00"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The follow-ups this generator makes real work for (each must select something on a first sweep).
GENERATED_FOR = ("reflection_decided", "reflection_ended", "reflection_ending", "claim_filing_deadline",
                 "claim_instalment_overdue", "claim_award_unpaid", "custody_feed_stale", "hearing_prep",
                 "risk_review_due", "risk_initial_due", "release_escalation", "shelter_stay_check", "detention_limit",
                 "guardian_pending", "child_proceedings_stalled")
BATCH = 5000  # cases per load transaction
PROFILE_TO: str | None = None

# Rough share of the caseload per state (synthetic; larger referral systems carry more cases).
JURISDICTION_WEIGHTS = {"TH": 22, "ID": 18, "PH": 16, "VN": 10, "MM": 8, "KH": 8, "MY": 8, "LA": 5, "SG": 3, "BN": 2}
# Stages of the ~90% of cases that are past reflection.
PAST_STAGE_WEIGHTS = {Stage.investigation: 20, Stage.pre_trial: 15, Stage.trial: 15, Stage.judgment: 8,
                      Stage.appeal: 3, Stage.restitution: 9, Stage.closed: 20, Stage.decision: 3, Stage.withdrawn: 7}
# Chance that a case in this stage belongs to a proceeding (victims of one prosecution share it).
PROCEEDING_CHANCE = {Stage.investigation: 0.5, Stage.pre_trial: 1.0, Stage.trial: 1.0, Stage.judgment: 1.0,
                     Stage.appeal: 1.0, Stage.restitution: 1.0, Stage.closed: 0.6, Stage.withdrawn: 0.4}
CUSTODY_BY_STAGE = {
    Stage.investigation: ([Custody.at_large, Custody.arrested, Custody.detained, Custody.bailed], [30, 20, 35, 15]),
    Stage.pre_trial: ([Custody.detained, Custody.bailed, Custody.at_large, Custody.escaped], [60, 25, 12, 3]),
    Stage.trial: ([Custody.detained, Custody.bailed, Custody.at_large], [65, 30, 5]),
    Stage.judgment: ([Custody.convicted, Custody.acquitted, Custody.detained], [75, 15, 10]),
    Stage.appeal: ([Custody.convicted, Custody.bailed, Custody.acquitted], [60, 25, 15]),
    Stage.restitution: ([Custody.convicted, Custody.released], [85, 15]),
    Stage.closed: ([Custody.convicted, Custody.released, Custody.acquitted], [60, 25, 15]),
    Stage.withdrawn: ([Custody.at_large, Custody.released, Custody.detained, Custody.bailed], [30, 30, 25, 15]),
}
# Restitution claims (R-90..R-94): cases past judgment carry one in ~40% of cases.
CLAIM_STAGES = {Stage.judgment, Stage.appeal, Stage.restitution, Stage.closed}
CLAIM_CHANCE = 0.4
CLAIM_STATUS_WEIGHTS = {"drafting": 15, "filed": 20, "awarded": 15, "partially_paid": 25, "paid": 15, "unenforced": 4,
                        "withdrawn": 3, "rejected": 3}
CLAIM_AWARDED = {"awarded", "partially_paid", "paid", "unenforced"}
CLAIM_ITEM_SCALE = {"IDR": 5_000_000, "VND": 20_000_000, "KHR": 2_000_000, "LAK": 10_000_000, "MMK": 1_000_000}
# Hearings: a proceeding at pre-trial or trial has one in the next 60 days (so ~1/4 fall inside the
# 14-day preparation window), with an appearance for each of its victims.
HEARING_STAGES = {Stage.pre_trial, Stage.trial, Stage.appeal}
# Custody feeds: each accused has 1-3 custody events; the feed of STALE_FEEDS has sent nothing for 5 days.
STALE_FEEDS = {"LA", "BN"}
GIVEN = ["Aung", "Min", "Thida", "Siti", "Nur", "Dewi", "Maria", "Ana", "Linh", "Thu", "Sokha", "Dara", "Noy",
         "Kham", "Somchai", "Malee", "Rina", "Joy", "Mark", "Hoa", "Lan", "Bopha", "Vanna", "Aye", "Hla", "Putri",
         "Budi", "Rosa", "Jose", "Minh", "Tuan", "Sari", "Ayu", "Nita", "Phon", "Keo", "Mya", "Zaw", "Chan", "Mei"]
FAMILY = ["Thein", "Win", "Oo", "Rahmawati", "Hasanah", "Santos", "Reyes", "Nguyen", "Tran", "Pham", "Chea", "Sok",
          "Phommavong", "Sisavath", "Srisuk", "Wongsa", "Bautista", "Cruz", "Le", "Hout", "Kyaw", "Htun",
          "Wijaya", "Saputra", "Garcia", "Vo", "Do", "Lim", "Tan", "Abdullah", "Ismail", "Keomany"]
GENDERS = (["female", "male", "non_binary", "unknown"], [62, 33, 1, 4])
AGE = (["adult", "child", "uncertain"], [78, 14, 8])
CHANNELS = ["sms", "email", "call", "visit", "letter"]
ACCOMMODATION = sorted(k.value for k in ACCOMMODATION_KINDS)
DETENTION_KINDS = [k.value for k in DetentionKind]


@dataclass
class Expect:
    """What the first sweep should do, counted while generating (a correctness check on the figures)."""

    decided: int = 0
    ended: int = 0
    ending: int = 0
    reflection: int = 0


@dataclass
class Loaded:
    rows: Counter = field(default_factory=Counter)
    expect: Expect = field(default_factory=Expect)
    stages: Counter = field(default_factory=Counter)
    jurisdictions: Counter = field(default_factory=Counter)


# ---------------------------------------------------------------- store


def fresh_store(args, info: dict, now: datetime) -> App:
    """Keyring, URL (fresh PostgreSQL schema or SQLite file), migrations. Records what to clean up in info."""
    workdir = info["workdir"]
    if args.db is None:
        url = f"sqlite:///{workdir / 'home' / 'witness.db'}"
    elif args.db.startswith("postgresql"):
        base = args.db
        name = "bench_" + uuid.uuid4().hex[:10]
        create_schema(base, name)
        info["pg_base"], info["pg_schemas"] = base, [name]
        url = with_search_path(base, name)
    else:
        url = args.db
        path = sqlite_path(url)
        if path and Path(path).exists():
            sys.exit(f"{path} already exists: the benchmark needs a fresh store")
    info["url"] = url
    return build_app(workdir / "home", url, Keyring.generate(), now)


def build_app(home: Path, url: str, ring: Keyring, now: datetime) -> App:
    # key_file is given explicitly so that a WITNESS_KEY_FILE in the environment is never overwritten.
    settings = Settings(home=home, database_url=url, key_file=home / "keys" / "keyring.json")
    save_keyring(settings.keyring_path, ring)
    engine = make_engine(url)
    schema.upgrade(engine)
    profiles = load_profiles(PROJECT_ROOT / "config" / "jurisdictions")
    return App(settings, engine, ring, profiles, FixedClock(now))


def with_search_path(base: str, name: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"


def create_schema(base: str, name: str) -> None:
    eng = create_engine(_pg(base))
    with eng.begin() as c:
        c.execute(text(f"CREATE SCHEMA {name}"))
    eng.dispose()


def drop_schemas(base: str, names: list[str]) -> None:
    eng = create_engine(_pg(base))
    with eng.begin() as c:
        for name in names:
            c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
    eng.dispose()


def _pg(url: str) -> str:
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url


def sqlite_path(url: str) -> str | None:
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else None
    return None if path in (None, "", ":memory:") else path


# ---------------------------------------------------------------- synthetic caseload


def pseudonyms(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        p = "W-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=PSEUDONYM_LENGTH))
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def at(base: datetime, days: float) -> datetime:
    """base + days, whole seconds (so keys built from isoformat() are stable)."""
    return base + timedelta(seconds=round(days * 86400))


class Generator:
    def __init__(self, app: App, rng: random.Random, now: datetime, n: int, steady_state: bool, care_seed: int = 0):
        self.app, self.rng, self.now, self.n, self.steady = app, rng, now, n, steady_state
        # As intake does: each victim's values under her own data key (wrapped by the keyring's
        # key-encryption key, stored in data_keys), the rest under the shared data key. A store whose
        # victims had no data key made the first sweep create ~1,500 of them one by one.
        self.cipher = FieldCipher(app.keyring, engine=app.engine)
        self.care_rng = random.Random(care_seed)  # care rows drawn apart: the rest of the caseload stays as it was
        self.codes = [c for c in JURISDICTION_WEIGHTS if c in app.profiles]
        self.weights = [JURISDICTION_WEIGHTS[c] for c in self.codes]
        total = sum(self.weights)
        # About 120 cases per coordinator, at least two per state.
        self.coordinators = {c: [f"coord-{c.lower()}-{i:03d}" for i in range(max(2, round(n * w / total / 120)))]
                             for c, w in zip(self.codes, self.weights)}
        self.prosecutors = {c: [f"pros-{c.lower()}-{i:02d}" for i in range(max(1, len(v) // 4))]
                            for c, v in self.coordinators.items()}
        self.languages = {c: list(dict.fromkeys(p.languages.official + p.languages.common))
                          for c, p in app.profiles.items()}
        self.docket_seq = 0
        self.out = Loaded()
        self.claim_ids: set[str] = set()
        self.hearing_ids: set[str] = set()
        self.batch: dict[str, list[dict]] = {}
        self.key(SHARED)

    assessments: list[dict]

    def enc(self, table: str, column: str, row_id: str, value: str | None, owner: str | None = None) -> str | None:
        return self.cipher.encrypt(table, column, row_id, value, owner=owner)

    def key(self, owner: str) -> None:
        """A data key for this owner, as FieldCipher would create it, held by the cipher for encrypting."""
        raw = AESGCM.generate_key(bit_length=256)
        kek_id, wrapped = wrap(self.app.keyring, owner, raw)
        self.cipher._keys[owner] = raw  # the cipher then never asks the database for it
        self.batch.setdefault("data_keys", []).append(dict(owner=owner, kek_id=kek_id, wrapped=wrapped, created_at=self.now))

    def case(self, case_id: str) -> tuple[dict, dict, list[dict], list[dict], list[dict]]:
        """One case with its identity, stage history, consents and prior worklist items."""
        rng, now = self.rng, self.now
        code = rng.choices(self.codes, self.weights)[0]
        prof = self.app.profiles[code]
        default, maximum = prof.reflection.default_days, prof.reflection.max_days
        window = prof.reflection.ending_soon_days
        coordinator = rng.choice(self.coordinators[code])
        age = rng.choices(*AGE)[0]
        decision = decided_at = None
        history: list[tuple[str | None, str, datetime, str, str | None]] = []  # from, to, at, reason, actor
        prior: list[dict] = []
        if rng.random() < 0.10:  # in the reflection period
            stage = Stage.reflection
            self.out.expect.reflection += 1
            if rng.random() < 0.15:  # the victim has decided; the sweep will move the case
                ends = at(now, rng.uniform(-3, default))
                opened = ends - timedelta(days=default)
                decision = "cooperate" if rng.random() < 0.75 else "not_cooperate"
                decided_at = max(opened + timedelta(hours=1), at(now, -rng.uniform(0, 1 if self.steady else 5)))
                decided_at = min(decided_at, now)  # a period opened within the hour: decided by now, not later
                self.out.expect.decided += 1
            else:
                ends = at(now, rng.uniform(-14, default))
                ext = rng.randint(1, min(30, maximum - default)) if maximum > default and rng.random() < 0.2 else 0
                opened = ends - timedelta(days=default + ext)
                done_yesterday = self.steady  # a daily sweep ran 24 h ago
                yesterday = now - timedelta(days=1)
                if ends <= now:
                    if done_yesterday and ends <= yesterday:
                        prior.append(self.item(case_id, "reflection_ended", coordinator, ends, ends))
                    else:
                        self.out.expect.ended += 1
                if ends > now and ends <= now + timedelta(days=window):
                    if done_yesterday and ends <= yesterday + timedelta(days=window):
                        prior.append(self.item(case_id, "reflection_ending", coordinator, ends, yesterday))
                    else:
                        self.out.expect.ending += 1
                elif done_yesterday and ends <= now:
                    prior.append(self.item(case_id, "reflection_ending", coordinator, ends,
                                           ends - timedelta(days=window)))
            history.append((None, Stage.reflection.value, opened, "case opened", coordinator))
        else:
            stage = rng.choices(list(PAST_STAGE_WEIGHTS), list(PAST_STAGE_WEIGHTS.values()))[0]
            opened = at(now, -(default + rng.uniform(5, 1500)))
            ends = opened + timedelta(days=default)
            decision = "not_cooperate" if stage is Stage.withdrawn and rng.random() < 0.5 else "cooperate"
            decided_at = at(opened, rng.uniform(1, default - 0.5))
            history.append((None, Stage.reflection.value, opened, "case opened", coordinator))
            first = Stage.withdrawn.value if decision == "not_cooperate" else Stage.decision.value
            history.append((Stage.reflection.value, first, decided_at, f"victim's recorded decision: {decision}",
                            None))
            if stage.value != first:
                history.append((first, stage.value, at(decided_at, rng.uniform(1, max(2, (now - decided_at).days))),
                                "stage moved by coordinator", coordinator))
            # Every case that left reflection went through earlier sweeps: its item is on the worklist, done.
            prior.append(self.item(case_id, "reflection_ending", coordinator, ends, ends - timedelta(days=window),
                                   done=True))
        self.out.stages[stage.value] += 1
        self.out.jurisdictions[code] += 1
        langs = self.languages[code]
        lang = rng.choice(langs)
        nationality = code if rng.random() < 0.45 else rng.choice(self.codes)
        channels = rng.sample(CHANNELS, rng.randint(1, 3))
        last_change = max(h[2] for h in history)
        row = dict(id=case_id, jurisdiction=code, coordinator=coordinator, stage=stage.value, opened_at=opened,
                   age_status=age, gender=rng.choices(*GENDERS)[0], nationality=nationality,
                   preferred_language=lang, escort_gender_preference=rng.choice([None, None, "female", "male"]),
                   safe_channels=",".join(channels), reflection_started_at=opened, reflection_ends_at=ends,
                   reflection_max_ends_at=opened + timedelta(days=maximum), decision=decision,
                   decided_at=decided_at, updated_at=last_change)
        name = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        child = age != "adult"
        self.key(case_id)
        # A child found before a guardian is appointed (issue 12 item 6): no guardian recorded yet.
        guardian = child and not (stage is not Stage.closed and self.care_rng.random() < 0.05)
        dob = f"{rng.randint(1965, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if not child and rng.random() < 0.7 else None
        phone = f"+{rng.randint(60, 95)} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if rng.random() < 0.5 else None
        g_name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}" if child else None
        g_rel = rng.choice(["mother", "father", "aunt", "social worker"]) if child else None
        ident = dict(case_id=case_id, legal_name=self.enc("identities", "legal_name", case_id, name),
                     date_of_birth=self.enc("identities", "date_of_birth", case_id, dob),
                     phone=self.enc("identities", "phone", case_id, phone),
                     guardian_name=self.enc("identities", "guardian_name", case_id, g_name if guardian else None),
                     guardian_relationship=self.enc("identities", "guardian_relationship", case_id,
                                                    g_rel if guardian else None),
                     guardian_language=lang if guardian else None,
                     name_index=self.cipher.blind_index(name))
        hist = [dict(case_id=case_id, from_stage=f, to_stage=t, at=when, actor=who or sweep.SYSTEM.user,
                     role="coordinator" if who else sweep.SYSTEM.role.value,
                     reason=self.enc("stage_history", "reason", case_id, why))
                for f, t, when, why, who in history]
        cons = self.consents(case_id, stage, opened, coordinator, lang, channels, child)
        if stage is not Stage.reflection:
            # Cases past reflection have been assessed, most of them more than once: each earlier
            # assessment's scheduled review went on the worklist and was done (prior risk items).
            # About 5% are now due for review.
            level, review_days = rng.choice([("severe", 7), ("high", 14), ("moderate", 30), ("low", 90)])
            assessed = at(now, -rng.uniform(0, review_days * 1.05))
            earlier = []
            for k in range(rng.choices([0, 1, 2, 3], [20, 40, 25, 15])[0]):
                earlier.append(at(assessed, -review_days * (k + 1) + rng.uniform(-1, 0)))
            for when in [*earlier, assessed]:
                aid = uid(rng)
                self.assessments.append(dict(
                    id=aid, case_id=case_id, at=when, assessor=coordinator, trigger="scheduled", level=level,
                    score={"low": 5, "moderate": 20, "high": 35, "severe": 60}[level], victim_scale=rng.randint(0, 10),
                    factors="[]", recommended="[]", answers=self.enc("risk_assessments", "answers", aid, "{}", owner=case_id),
                    next_review_at=when + timedelta(days=review_days)))
                if when is not assessed:
                    due = when + timedelta(days=review_days)
                    prior.append(dict(key=f"{case_id}:risk_review:{due.isoformat()}", case_id=case_id,
                                      kind="risk_review", assignee=coordinator, due_at=due, created_at=due,
                                      detail=f"{case_id}: risk review (synthetic)", done_at=due, done_by=coordinator))
            if stage in CLAIM_STAGES and rng.random() < CLAIM_CHANCE:
                self.claim_for(case_id, code, decided_at)
        if stage is not Stage.closed:
            self.care_for(case_id, prof, coordinator, opened, child, prior)
        due = period_due(opened - timedelta(days=1), timedelta(days=1), now - timedelta(days=1))
        if not guardian and child and self.steady and due is not None:  # yesterday's reminder
            n, when = due
            prior.append(dict(key=f"{case_id}:guardian_pending:{n - 1}", case_id=case_id, kind="guardian_pending",
                              assignee=coordinator, due_at=when, created_at=when, detail=f"{case_id}: guardian pending (synthetic)",
                              done_at=None, done_by=None))
        return row, ident, hist, cons, prior

    def care_for(self, case_id: str, prof, coordinator: str, opened: datetime, child: bool, prior: list[dict]) -> None:
        """Where an open case's victim stays (issue 12 item 5): ~8% in an accommodation with a provider,
        ~0.4% held in detention; in --steady-state with yesterday's follow-up items already there."""
        rng, now, yesterday = self.care_rng, self.now, self.now - timedelta(days=1)
        if rng.random() < 0.08:
            sid = uid(rng)
            started = max(opened, at(now, -rng.uniform(1, 200)))
            kind = rng.choice(ACCOMMODATION)
            self.batch["services"].append(dict(id=sid, case_id=case_id, kind=kind, status="active", started_at=started))
            self.batch["placements"].append(dict(service_id=sid, case_id=case_id, provider=f"{prof.code.lower()}-{kind}-1",
                                                 placed_at=started, placed_by=coordinator))
            due = period_due(started, timedelta(days=prof.care.stay_check_days), yesterday) if self.steady else None
            if due is not None:
                prior.append(dict(key=f"{sid}:shelter_stay_check:{due[0]}", case_id=case_id, kind="shelter_stay_check",
                                  assignee=coordinator, due_at=due[1], created_at=due[1],
                                  detail=f"{case_id}: stay check (synthetic)", done_at=due[1], done_by=coordinator))
        if rng.random() < 0.004:
            did = uid(rng)
            started = max(opened, at(now, -rng.uniform(0.2, 6)))
            self.batch["detentions"].append(dict(
                id=did, case_id=case_id, kind=rng.choice(DETENTION_KINDS), started_at=started, ended_at=None,
                recorded_by=coordinator, place=self.enc("detentions", "place", did, "a synthetic place", owner=case_id)))
            hours = prof.care.child_detention_limit_hours if child else prof.care.detention_limit_hours
            limit_at = started + timedelta(hours=hours)
            if self.steady and limit_at <= yesterday:
                n, _ = period_due(limit_at - timedelta(days=1), timedelta(days=1), yesterday)
                when = limit_at + (n - 1) * timedelta(days=1)
                prior.append(dict(key=f"{did}:detention_limit:{n}", case_id=case_id, kind="detention_limit",
                                  assignee=coordinator, due_at=when, created_at=when,
                                  detail=f"URGENT {case_id}: detention past the limit (synthetic)", done_at=None,
                                  done_by=None))

    def claim_for(self, case_id: str, code: str, decided_at: datetime) -> None:
        """A restitution claim with items, an award's instalments and partial payments (R-90..R-94)."""
        rng, now = self.rng, self.now
        prof = self.app.profiles[code]
        cur, mu = prof.currency.code, prof.currency.minor_units
        claim_id = "CL-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=8))
        while claim_id in self.claim_ids:
            claim_id = "CL-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=8))
        self.claim_ids.add(claim_id)
        status = rng.choices(list(CLAIM_STATUS_WEIGHTS), list(CLAIM_STATUS_WEIGHTS.values()))[0]
        scale = CLAIM_ITEM_SCALE.get(cur, 40_000) * 10 ** mu
        amounts = [rng.randint(scale // 10, scale * 3) for _ in range(rng.randint(1, 4))]
        opened = decided_at
        for seq, amount in enumerate(amounts, start=1):
            self.batch["claim_items"].append(dict(id=uid(rng), claim_id=claim_id, seq=seq, category="lost_earnings",
                                                  amount_minor=amount, working="[]", evidence=None, note=None,
                                                  added_at=opened, added_by="bench"))
        awarded = order = None
        if status in CLAIM_AWARDED:
            awarded = max(1, sum(amounts) * rng.randint(30, 100) // 100)
            order = (now - timedelta(days=rng.randint(1, 400))).date()
            parts = rng.randint(1, 6)
            each, left = divmod(awarded, parts)
            for seq in range(1, parts + 1):
                self.batch["claim_instalments"].append(dict(claim_id=claim_id, seq=seq,
                                                            due_on=order + timedelta(days=30 * seq),
                                                            amount_minor=each + (left if seq == parts else 0)))
            target = {"paid": awarded, "awarded": 0}.get(status, rng.randint(0, max(0, awarded - 1)))
            paid = 0
            pays = rng.randint(1, 3) if target else 0
            for p in range(pays):
                amount = target - paid if p == pays - 1 else rng.randint(0, (target - paid) // 2)
                if amount > 0:
                    self.batch["claim_payments"].append(dict(id=uid(rng), claim_id=claim_id, paid_on=order,
                                                             amount_minor=amount, reference=None, note=None,
                                                             recorded_at=now, recorded_by="bench"))
                    paid += amount
        self.batch["claims"].append(dict(
            id=claim_id, case_id=case_id, jurisdiction=code, currency=cur, minor_units=mu,
            lawyer=f"lawyer-{code.lower()}-{rng.randint(0, 9):02d}", status=status, guardian_acts=False,
            # Claims still drafted after the judgment: the post-judgment filing deadline runs.
            judgment_date=(now - timedelta(days=rng.randint(0, 120))).date() if status == "drafting" else None,
            filed_on=None if status == "drafting" else opened.date(), demanded_minor=None, demanded_on=None,
            demanded_by=None, awarded_minor=awarded, order_date=order, payer=None, resolved_at=None,
            resolution_reason=None, note=None, created_at=opened, created_by="bench", updated_at=opened))

    def consents(self, case_id, stage, opened, coordinator, lang, channels, child) -> list[dict]:
        rng, now = self.rng, self.now
        if stage is Stage.reflection:
            pool = ["shelter_stay", "medical_exam", f"notification:{channels[0]}"]
        else:
            pool = ["interview", "testimony", "shelter_stay", "medical_exam", f"notification:{channels[0]}",
                    "data_sharing:ngo.shelter", "name_disclosure"]
        scopes = rng.sample(pool, rng.randint(1, 3))
        out = []
        span = max(0.1, (now - opened).total_seconds() / 86400)
        for scope in scopes:
            given = at(opened, rng.uniform(0, min(span, 60)))
            withdrawn = at(given, rng.uniform(0, (now - given).total_seconds() / 86400)) if rng.random() < 0.03 else None
            out.append(dict(id=uid(rng), case_id=case_id, scope=scope, method=rng.choice([Method.written.value, Method.oral.value]),
                            language=lang, interpreter=f"interp-{lang}-{rng.randint(1, 20):02d}" if rng.random() < 0.6 else None,
                            guardian_agreed=child, given_at=given, recorded_by=coordinator,
                            withdrawn_at=withdrawn, withdrawn_by=coordinator if withdrawn else None))
        return out

    def item(self, case_id, kind, assignee, ends, created, done=False) -> dict:
        return dict(key=f"{case_id}:{kind}:{ends.isoformat()}", case_id=case_id, kind=kind, assignee=assignee,
                    due_at=ends, created_at=created, detail=f"{case_id}: {kind.replace('_', ' ')} (synthetic)",
                    done_at=ends if done else None, done_by=assignee if done else None)

    def proceedings_for(self, batch: list[dict]) -> dict[str, list[dict]]:
        """Victims of one prosecution share a proceeding: groups of 1-6 cases of one state, 1-3 accused each."""
        rng, now = self.rng, self.now
        rows: dict[str, list[dict]] = {"proceedings": [], "accused": [], "proceeding_accused": [],
                                       "case_proceedings": [], "relationships": [], "custody_events": [],
                                       "hearings": [], "appearances": []}
        by_code: dict[str, list[dict]] = {}
        for c in batch:
            chance = PROCEEDING_CHANCE.get(Stage(c["stage"]), 0.0)
            if chance and rng.random() < chance:
                by_code.setdefault(c["jurisdiction"], []).append(c)
        for code, members in by_code.items():
            rng.shuffle(members)
            i = 0
            while i < len(members):
                group = members[i:i + rng.randint(1, 6)]
                i += len(group)
                self.docket_seq += 1
                pid = uid(rng)
                year = min(g["opened_at"] for g in group).year
                rows["proceedings"].append(dict(
                    id=pid, jurisdiction=code, court=f"{self.app.profiles[code].name} Court No. {rng.randint(1, 40)}",
                    docket=f"{code}-{year}-{self.docket_seq:07d}", prosecutor=rng.choice(self.prosecutors[code])))
                lead = Stage(group[0]["stage"])
                states, weights = CUSTODY_BY_STAGE.get(lead, CUSTODY_BY_STAGE[Stage.investigation])
                for k in range(rng.choices([1, 2, 3], [50, 35, 15])[0]):
                    aid = uid(rng)
                    custody = rng.choices(states, weights)[0].value
                    # ~0.5% of accused changed custody in the last two days (releases among them escalate).
                    changed = at(now, -rng.uniform(0.05, 2) if rng.random() < 0.005 else -rng.uniform(2, 400))
                    rows["accused"].append(dict(id=aid, label=f"Accused {'ABC'[k]}", custody=custody,
                                                custody_changed_at=changed))
                    rows["proceeding_accused"].append(dict(proceeding_id=pid, accused_id=aid))
                    quiet = 5 if code in STALE_FEEDS else 0  # a feed that went quiet five days ago
                    for e in range(rng.randint(1, 3)):
                        when = at(now, -quiet - rng.uniform(0, 2) * (e + 1))
                        rows["custody_events"].append(dict(event_id=f"feed-{code}-{uid(rng)}", accused_id=aid,
                                                           custody=custody, occurred_at=when, recorded_at=when,
                                                           source=f"police-{code.lower()}", historical=0))
                    for g in group:
                        rows["relationships"].append(dict(case_id=g["id"], accused_id=aid,
                                                          relationship=rng.choice(list(Relationship)).value))
                for g in group:
                    rows["case_proceedings"].append(dict(case_id=g["id"], proceeding_id=pid))
                if lead in HEARING_STAGES:
                    hid = "H-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=8))
                    while hid in self.hearing_ids:
                        hid = "H-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=8))
                    self.hearing_ids.add(hid)
                    starts = at(now, rng.uniform(0.2, 60)).replace(minute=0, second=0)
                    # Never marked prepared here: in --steady-state yesterday's real sweep prepares those
                    # inside its window (measures, bookings, calendars), as the daily sweep would have.
                    prepared = False
                    rows["hearings"].append(dict(id=hid, proceeding_id=pid, kind="trial", starts_at=starts,
                                                 ends_at=starts + timedelta(hours=3), room=f"Room {rng.randint(1, 12)}",
                                                 status="scheduled", version=1, prepared_version=1 if prepared else None,
                                                 prepared_at=now - timedelta(days=1) if prepared else None,
                                                 created_at=now - timedelta(days=30), created_by="bench",
                                                 updated_at=now - timedelta(days=30)))
                    for g in group:
                        rows["appearances"].append(dict(
                            id=uid(rng), hearing_id=hid, case_id=g["id"], mode=rng.choice(["in_person", "video_link"]),
                            status="planned", travel_minutes=rng.randint(10, 180),
                            pickup_ref="P-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=8)), pickup_address=None,
                            interpreter=None, language=g["preferred_language"], escort_pins="",
                            defendant_cross_examines=False, gender_override_at=None,
                            created_at=now - timedelta(days=30), updated_at=now - timedelta(days=30)))
        return rows


def load(app: App, args, now: datetime) -> Loaded:
    rng = random.Random(args.seed)
    gen = Generator(app, rng, now, args.cases, args.steady_state, care_seed=args.seed + 1)
    gen.assessments = []
    ids = pseudonyms(rng, args.cases)
    tables = {"cases": cases, "identities": identities, "stage_history": stage_history, "consents": consents,
              "worklist": worklist, "proceedings": proceedings, "accused": accused,
              "proceeding_accused": proceeding_accused, "case_proceedings": case_proceedings,
              "relationships": relationships, "risk_assessments": risk_assessments, "custody_events": custody_events,
              "hearings": hearings, "appearances": appearances, "claims": claims, "claim_items": claim_items,
              "claim_instalments": claim_instalments, "claim_payments": claim_payments, "data_keys": data_keys,
              "services": services, "placements": placements, "detentions": detentions}
    first = gen.batch.get("data_keys", [])  # the shared data key, made with the generator
    for start in range(0, len(ids), BATCH):
        rows: dict[str, list[dict]] = {k: [] for k in tables}
        rows["data_keys"], first = first, []
        gen.batch = rows
        for case_id in ids[start:start + BATCH]:
            row, ident, hist, cons, prior = gen.case(case_id)
            rows["cases"].append(row)
            rows["identities"].append(ident)
            rows["stage_history"].extend(hist)
            rows["consents"].extend(cons)
            rows["worklist"].extend(prior)
        for k, v in gen.proceedings_for(rows["cases"]).items():
            rows[k].extend(v)
        rows["risk_assessments"], gen.assessments = gen.assessments, []
        with app.engine.begin() as conn:  # FK order: parents first
            for name in ("data_keys", "cases", "identities", "stage_history", "consents", "worklist", "proceedings",
                         "accused", "proceeding_accused", "case_proceedings", "relationships", "risk_assessments",
                         "custody_events", "hearings", "appearances", "claims", "claim_items", "claim_instalments",
                         "claim_payments", "services", "placements", "detentions"):
                if rows[name]:
                    conn.execute(insert(tables[name]), rows[name])
                    gen.out.rows[name] += len(rows[name])
    # A store in use has an audit chain: its head row exists, and concurrent writers serialise on it
    # (on a store with no audit row yet, two first writers could both take seq 1; see the report).
    with app.uow(sweep.SYSTEM, now) as uow:
        uow.audit("bench.load", f"{args.cases} synthetic cases", "benchmark caseload loaded")
        uow.commit()
    if app.engine.dialect.name == "postgresql":
        # Fresh planner statistics, as autovacuum would have them in production. (SQLite is left as the
        # application leaves it: nothing in witness runs ANALYZE there.)
        with app.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return gen.out


# ---------------------------------------------------------------- measuring
#
# Each measured sweep runs in a fresh Python process (as `witness sweep` or a flow would), so that
# ru_maxrss is the sweep's own high-water mark and not the generator's, and so that tracemalloc
# (which slows Python code several-fold) never touches the timed run.


def counts(app: App) -> dict:
    with app.engine.connect() as conn:
        c = dict(audit=conn.execute(select(func.count()).select_from(audit_log)).scalar_one(),
                 worklist=conn.execute(select(func.count()).select_from(worklist)).scalar_one(),
                 history=conn.execute(select(func.count()).select_from(stage_history)).scalar_one())
        c["by_kind"] = dict(conn.execute(select(worklist.c.kind, func.count()).group_by(worklist.c.kind)).all())
        c["stages"] = dict(conn.execute(select(cases.c.stage, func.count()).group_by(cases.c.stage)).all())
    return c


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _open(params: dict) -> App:
    home, now = Path(params["home"]), datetime.fromisoformat(params["now"])
    settings = Settings(home=home, database_url=params["url"], key_file=home / "keys" / "keyring.json")
    return App(settings, make_engine(params["url"]), load_keyring(settings.keyring_path),
               load_profiles(PROJECT_ROOT / "config" / "jurisdictions"), FixedClock(now))


def _timed_chunks(per: dict) -> None:
    """Time each follow-up's chunks (perf_counter around process_chunk: negligible overhead)."""
    real = sweep.process_chunk

    def timed(app, name, ids, now, actor=sweep.SYSTEM):
        t = time.perf_counter()
        try:
            return real(app, name, ids, now, actor)
        finally:
            per[name] = per.get(name, 0.0) + time.perf_counter() - t

    sweep.process_chunk = timed


def child_main(params: dict) -> dict:
    """In a fresh process: open the existing store and run the sweep (twice, or once under tracemalloc),
    or in worker mode claim chunks of an existing plan until none is left."""
    # The modules the follow-ups import on first use (the fact providers of the Do No Harm checks;
    # witness.wiring imports them lazily so plain commands stay fast) are imports too: a long-running
    # worker pays them once, not per sweep. Reported with the imports, outside the timed region.
    from witness import wiring
    wiring.fact_providers(), wiring.fact_providers_many(), wiring.consent_withdrawn()
    imports = time.perf_counter() - _T_MODULE
    t0 = time.perf_counter()
    app = _open(params)
    now = datetime.fromisoformat(params["now"])
    out: dict = {"rss_start": maxrss_mib(), "imports": imports, "setup": time.perf_counter() - t0}
    if params.get("mode") == "work":
        per: dict = {}
        _timed_chunks(per)
        out["wall_start"] = time.time()
        t0 = time.perf_counter()
        done = sweep.work(app, now, params["worker"])
        out["t_work"], out["wall_end"], out["changed"], out["per"] = time.perf_counter() - t0, time.time(), done, per
        app.engine.dispose()
        return out
    if params.get("mode") == "plan":
        t0 = time.perf_counter()
        p = sweep.plan(app, now, params["chunk_size"])
        out["t_plan"], out["selected"], out["chunks"] = time.perf_counter() - t0, p.selected, p.chunks
        app.engine.dispose()
        return out
    before = counts(app)
    per: dict = {}
    if not params["trace"]:
        _timed_chunks(per)
    if params["trace"]:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
    plan_t = {}
    real_plan = sweep.plan

    def timed_plan(*a, **k):
        t = time.perf_counter()
        try:
            return real_plan(*a, **k)
        finally:
            plan_t["t"] = time.perf_counter() - t

    sweep.plan = timed_plan
    t0 = time.perf_counter()
    if params.get("profile"):
        import cProfile

        prof = cProfile.Profile()
        r1 = prof.runcall(sweep.run, app, sweep.SYSTEM, now, params["chunk_size"])
        prof.dump_stats(params["profile"])
    else:
        r1 = sweep.run(app, sweep.SYSTEM, now, params["chunk_size"])
    out["t1"] = time.perf_counter() - t0
    out["t_plan"], out["per"] = plan_t.get("t", 0.0), per
    if params["trace"]:
        cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["traced_peak"], out["traced_left"] = peak - base, cur - base
    out["rss_after1"] = maxrss_mib()
    after = counts(app)
    out.update(r1_selected=r1.selected, r1_changed=r1.changed, before=before, after1=after)
    if not params["trace"]:
        t0 = time.perf_counter()
        r2 = sweep.run(app, sweep.SYSTEM, now, params["chunk_size"])
        out["t2"] = time.perf_counter() - t0
        # Every follow-up selects and processes again at the same instant, outside the (done) plan:
        # each selection must leave out what the first sweep handled, so nothing changes. (A later
        # instant is no test of this: at 300,000 cases some daily period or limit falls due within
        # any second, and that is new work, not a double.)
        t0 = time.perf_counter()
        again = sweep.select_due(app, now)
        r3_changed = {name: sum(sweep.process_chunk(app, name, part, now) for part in sweep.chunks(ids, params["chunk_size"]))
                      for name, ids in again.items()}
        out["t3"] = time.perf_counter() - t0
        out.update(r2_selected=r2.selected, r2_changed=r2.changed, r3_selected={k: len(v) for k, v in again.items()},
                   r3_changed=r3_changed, after2=counts(app), rss_end=maxrss_mib())
    app.engine.dispose()
    return out


def in_child(app: App, now: datetime, chunk_size: int, trace: bool, **extra) -> dict:
    return _finish(_start(app, now, chunk_size, trace, **extra))


def _start(app: App, now: datetime, chunk_size: int, trace: bool, **extra) -> subprocess.Popen:
    params = dict(home=str(app.settings.home), url=app.settings.url, now=now.isoformat(), chunk_size=chunk_size,
                  trace=trace, profile=PROFILE_TO, **extra)
    # Parameters go over stdin, not argv: a PostgreSQL URL may hold a password. The child is started through
    # a tiny launcher process: on Linux a process inherits, across exec, the ru_maxrss of the process it was
    # forked from, so a child forked straight from this (large, after generating) process would report our
    # high-water mark instead of its own.
    launcher = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"
    proc = subprocess.Popen([sys.executable, "-c", launcher, sys.executable, __file__, "--child"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write(json.dumps(params))
    proc.stdin.close()
    proc.stdin = None  # written and closed: communicate() only reads
    return proc


def _finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate()
    if proc.returncode:
        sys.stderr.write(err)
        raise SystemExit(f"measured sweep failed (exit {proc.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def copy_store(app: App, info: dict, now: datetime, suffix: str = "mem") -> App:
    """A second store with the same rows, for the tracemalloc run (or one run of --workers)."""
    home = info["workdir"] / f"home-{suffix}"
    if "pg_base" in info:
        name = info["pg_schemas"][0] + "_" + suffix
        create_schema(info["pg_base"], name)
        info["pg_schemas"].append(name)
        twin = build_app(home, with_search_path(info["pg_base"], name), app.keyring, now)
        src = info["pg_schemas"][0]
        with twin.engine.begin() as conn:
            for t in metadata.sorted_tables:
                conn.exec_driver_sql(f'INSERT INTO "{t.name}" SELECT * FROM {src}."{t.name}"')
                col = t.autoincrement_column
                if col is not None:
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t.name}', '{col.name}'), "
                                         f"COALESCE((SELECT max({col.name}) FROM \"{t.name}\"), 0) + 1, false)")
        with twin.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        dst_path = home / "witness.db"
        dst_path.parent.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(sqlite_path(info["url"])), sqlite3.connect(dst_path)
        src.backup(dst)
        src.close()
        dst.close()
        twin = build_app(home, f"sqlite:///{dst_path}", app.keyring, now)
    head = app.settings.audit_head_path
    if head.exists():
        shutil.copy(head, twin.settings.audit_head_path)
    return twin


def db_size(app: App, info: dict) -> str:
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect() as conn:
            size = conn.exec_driver_sql(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            ).scalar_one()
        return f"PostgreSQL schema {info['pg_schemas'][0]}: {size / 2**20:.1f} MiB (tables + indexes + TOAST)"
    path = Path(sqlite_path(info["url"]))
    wal = path.with_name(path.name + "-wal")
    main, w = path.stat().st_size, (wal.stat().st_size if wal.exists() else 0)
    return f"SQLite file {path}: {main / 2**20:.1f} MiB (+ WAL {w / 2**20:.1f} MiB)"


def target_s(n: int) -> float:
    """Issue 16: <= 3 s at 100,000 cases, growing linearly to <= 10 s at 300,000."""
    return 3.0 if n <= 100_000 else 3.0 + 7.0 * (n - 100_000) / 200_000


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "uptime: not available"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000, help="synthetic cases to generate (default 100000)")
    ap.add_argument("--db", help="SQLAlchemy URL; default a fresh SQLite file in a temp dir. A postgresql URL gets "
                                 "a fresh schema bench_<random>")
    ap.add_argument("--postgres", action="store_true", help=f"same as --db {PG_DEFAULT}")
    ap.add_argument("--workers", default="",
                    help="e.g. 1,2,4: for each N, N worker processes claim the chunks of one plan at once "
                         "(PostgreSQL; each N on its own copy of the store); prints wall time and chunks per worker "
                         "instead of the single-process sweep")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--chunk-size", type=int, default=sweep.CHUNK, help=f"cases per sweep transaction (default {sweep.CHUNK})")
    ap.add_argument("--now", default=DEFAULT_NOW, help=f"the sweep instant, ISO-8601 with offset (default {DEFAULT_NOW})")
    ap.add_argument("--steady-state", action="store_true",
                    help="a real daily delta: a sweep is run (untimed) 24 h before `now` on the generated store, "
                         "then the sweep at `now` is measured")
    ap.add_argument("--no-traced-run", action="store_true", help="skip the tracemalloc run on a copy of the store")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir / PostgreSQL schema(s)")
    ap.add_argument("--snapshot", help="copy the generated SQLite store's home to this folder before measuring")
    ap.add_argument("--profile", help="write a cProfile of the first sweep to this file (its time is then not the figure)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # internal: a measured sweep, params on stdin
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child_main(json.loads(sys.stdin.read()))))
        return 0
    if args.postgres and not args.db:
        args.db = PG_DEFAULT
    now = parse_instant(args.now).astimezone(timezone.utc)
    global PROFILE_TO
    PROFILE_TO = str(Path(args.profile).resolve()) if args.profile else None
    failures: list[str] = []

    info: dict = {"workdir": Path(tempfile.mkdtemp(prefix="witness-bench-"))}
    apps: list[App] = []
    try:
        print(f"machine: {uptime()}  ({os.cpu_count()} CPUs)")
        t0 = time.perf_counter()
        app = fresh_store(args, info, now)
        apps.append(app)
        t_schema = time.perf_counter() - t0
        print(f"store: {app.engine.dialect.name}  url: {app.engine.url.render_as_string(hide_password=True)}")
        print(f"now: {now.isoformat()}  seed: {args.seed}  chunk size: {args.chunk_size}"
              f"{'  (steady state: a real sweep ran 24 h earlier)' if args.steady_state else ''}")
        print(f"keyring + migrations: {t_schema:.2f} s")

        t0 = time.perf_counter()
        loaded = load(app, args, now)
        t_gen = time.perf_counter() - t0
        print(f"\n== generation: {args.cases:,} cases in {t_gen:.1f} s ({args.cases / t_gen:,.0f} cases/s), "
              f"batches of {BATCH} cases per transaction, executemany")
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in loaded.rows.items()))
        print("jurisdictions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(loaded.jurisdictions.items())))
        print("stages: " + ", ".join(f"{k} {v:,}" for k, v in loaded.stages.most_common()))
        e = loaded.expect
        print(f"in reflection: {e.reflection:,}; due now: decided {e.decided:,}, ended {e.ended:,}, "
              f"ending soon {e.ending:,}")
        if args.steady_state:
            t0 = time.perf_counter()
            y = in_child(app, now - timedelta(days=1), args.chunk_size, trace=False, mode="plan")
            w = in_child(app, now - timedelta(days=1), args.chunk_size, trace=False, mode="work", worker="yesterday")
            print(f"yesterday's sweep (untimed, {now - timedelta(days=1):%Y-%m-%dT%H:%MZ}): "
                  f"{sum(y['selected'].values()):,} selected, {sum(w['changed'].values()):,} changed, "
                  f"{time.perf_counter() - t0:.1f} s")

        if args.snapshot:  # for profiling by hand: the generated store before any measured sweep
            Path(args.snapshot).mkdir(parents=True, exist_ok=True)
            shutil.copytree(app.settings.home, Path(args.snapshot) / "home", dirs_exist_ok=True)
            print(f"snapshot of the generated store: {args.snapshot}/home ({info.get('url')})")
        if args.workers:
            counts_ = [int(w) for w in args.workers.split(",")]
            # Each worker count runs on its own copy of the generated store (made before any sweep).
            copies = [copy_store(app, info, now, f"w{w}") if k < len(counts_) - 1 else app
                      for k, w in enumerate(counts_)]
            apps.extend(copies)
            code = 0
            for w, store in zip(counts_, copies):
                code |= workers_run(store, args, now, failures, w)
            return code

        twin = None
        if not args.no_traced_run:
            t0 = time.perf_counter()
            twin = copy_store(app, info, now)
            apps.append(twin)
            print(f"copy of the store for the tracemalloc run: {time.perf_counter() - t0:.1f} s")

        m = in_child(app, now, args.chunk_size, trace=False)
        before, after, after2 = m["before"], m["after1"], m["after2"]
        target = target_s(args.cases)
        print(f"\n== sweep 1 (fresh process, tracemalloc off): {m['t1']:.2f} s wall clock   target <= {target:.1f} s "
              f"at {args.cases:,} cases: {'met' if m['t1'] <= target else 'MISSED'}"
              + ("  (profiled: not the figure)" if PROFILE_TO else ""))
        print(f"   outside the timed region: imports {m['imports']:.2f} s, App set-up {m['setup']:.2f} s; "
              f"inside: plan (select + write chunks) {m['t_plan']:.2f} s")
        print(f"{'follow-up':<26}{'selected':>10}{'changed':>10}{'chunks':>8}{'seconds':>9}")
        sizes = {f.name: min(args.chunk_size, f.chunk or args.chunk_size) for f in sweep.all_follow_ups()}
        for name, sel in m["r1_selected"].items():
            print(f"{name:<26}{sel:>10,}{m['r1_changed'][name]:>10,}{-(-sel // sizes.get(name, args.chunk_size)):>8}"
                  f"{m['per'].get(name, 0.0):>9.2f}")
        tot_sel, tot_ch = sum(m["r1_selected"].values()), sum(m["r1_changed"].values())
        print(f"{'total':<26}{tot_sel:>10,}{tot_ch:>10,}{'':>8}{sum(m['per'].values()):>9.2f}")
        if app.engine.dialect.name == "postgresql" and sweep.RUN_WORKERS > 1:
            print(f"   (on PostgreSQL the sweep works its chunks in {sweep.RUN_WORKERS} threads side by side: the seconds "
                  f"above overlap, and which worker lists an item both could list first may differ from run to run)")
        idle = [k for k, v in m["r1_selected"].items() if not v and k in GENERATED_FOR]
        unknown = [k for k in m["r1_selected"] if k not in GENERATED_FOR]
        print("every follow-up selected real work: " + ("yes" if not idle else f"NO ({', '.join(idle)} selected nothing)")
              + (f"; not generated here yet (newer follow-ups): {', '.join(unknown)}" if unknown else ""))
        if idle and not args.steady_state:  # a daily delta may rightly hold nothing for a follow-up
            failures.append(f"follow-ups with nothing to do: {', '.join(idle)}")
        expected = {"reflection_decided": e.decided, "reflection_ended": e.ended, "reflection_ending": e.ending}
        mismatch = {k: (m["r1_changed"].get(k), v) for k, v in expected.items() if m["r1_changed"].get(k) != v}
        print("reflection follow-ups changed what was generated as due: " + ("yes" if not mismatch else f"NO {mismatch}"))
        if mismatch:
            failures.append(f"changed differs from generated: {mismatch}")
        print(f"audit rows written: {after['audit'] - before['audit']:,}")
        print(f"worklist rows added: {after['worklist'] - before['worklist']:,} ("
              + ", ".join(f"{k} +{after['by_kind'].get(k, 0) - before['by_kind'].get(k, 0):,}"
                          for k in sorted(after["by_kind"])) + f"); worklist now {after['worklist']:,} rows")
        st0, st1 = before["stages"], after["stages"]
        print(f"stage changes: {after['history'] - before['history']:,} stage_history rows; "
              f"reflection {st0.get('reflection', 0):,} -> {st1.get('reflection', 0):,}, "
              f"decision {st0.get('decision', 0):,} -> {st1.get('decision', 0):,}, "
              f"withdrawn {st0.get('withdrawn', 0):,} -> {st1.get('withdrawn', 0):,}")
        print(f"process peak RSS (ru_maxrss of the sweep process): {m['rss_after1']:.1f} MiB after sweep 1 "
              f"({m['rss_start']:.1f} MiB after imports and App set-up, so +{m['rss_after1'] - m['rss_start']:.1f} MiB "
              f"for the sweep)")

        ch2 = sum(m["r2_changed"].values()) + sum(m["r3_changed"].values())
        same = after2 == after
        print(f"\n== sweep 2, same now, same process: {m['t2']:.2f} s (joins the finished plan); then every follow-up "
              f"selects and processes again at that instant outside the plan: {m['t3']:.2f} s, selected "
              f"{sum(m['r3_selected'].values()):,} (cases a rule stopped stay selected); changed {ch2:,}; "
              f"rows added: audit {after2['audit'] - after['audit']}, worklist {after2['worklist'] - after['worklist']}, "
              f"stage_history {after2['history'] - after['history']} -> idempotent: {'yes' if not ch2 and same else 'NO'}")
        if ch2 or not same:
            failures.append("a second sweep changed something")
        print(f"process peak RSS after the sweeps: {m['rss_end']:.1f} MiB")

        if twin is not None:
            t = in_child(twin, now, args.chunk_size, trace=True)
            same = t["r1_changed"] == m["r1_changed"]
            print(f"\n== sweep 1 repeated on the copy, fresh process, tracemalloc on: {t['t1']:.2f} s (slowed by tracing; "
                  f"not the benchmark time), changed {sum(t['r1_changed'].values()):,} "
                  f"({'same as sweep 1' if same else 'DIFFERS from sweep 1'})")
            if not same:
                failures.append("the traced run changed something else")
            print(f"Python peak allocations during the sweep (tracemalloc peak): {t['traced_peak'] / 2**20:.1f} MiB; "
                  f"still allocated after it: {t['traced_left'] / 2**20:.1f} MiB")
        print("\n" + db_size(app, info))
        print(f"machine after: {uptime()}")
        if failures:
            print("CORRECTNESS CHECK FAILED: " + "; ".join(failures))
            return 1
        return 0
    finally:
        for a in apps:
            a.engine.dispose()
        if args.keep:
            print(f"kept: {info['workdir']}" + (f"; schemas {', '.join(info['pg_schemas'])}" if "pg_schemas" in info else ""))
        else:
            if "pg_schemas" in info:
                drop_schemas(info["pg_base"], info["pg_schemas"])
            shutil.rmtree(info["workdir"], ignore_errors=True)


def workers_run(app: App, args, now: datetime, failures: list[str], workers: int) -> int:
    """One plan, then N worker processes claiming chunks at once; wall time from the plan's start to
    the last worker's end (each process's imports and set-up happen before its timed region)."""
    p = in_child(app, now, args.chunk_size, trace=False, mode="plan")
    procs = [_start(app, now, args.chunk_size, False, mode="work", worker=f"bench-worker-{i + 1}")
             for i in range(workers)]
    outs = [_finish(pr) for pr in procs]
    span = max(o["wall_end"] for o in outs) - min(o["wall_start"] for o in outs)
    wall = p["t_plan"] + span
    target = target_s(args.cases)
    print(f"\n== {workers} worker(s), one plan: {wall:.2f} s wall clock (plan {p['t_plan']:.2f} s + workers "
          f"{span:.2f} s)   target <= {target:.1f} s at {args.cases:,} cases: {'met' if wall <= target else 'MISSED'}")
    print(f"   outside the timed region: imports {max(o['imports'] for o in outs):.2f} s per process")
    prog = sweep.progress_of(app, now)
    for o, i in zip(outs, range(workers)):
        name = f"bench-worker-{i + 1}"
        print(f"   {name}: {prog['by_worker'].get(name, 0)} chunks, {sum(o['changed'].values()):,} changed, "
              f"busy {o['t_work']:.2f} s")
    print(f"chunks: {p['chunks']} planned, {prog['done']} done, {prog['pending']} pending")
    with app.engine.connect() as conn:
        twice = conn.execute(select(func.count()).select_from(sweep_chunks).where(sweep_chunks.c.claims > 1)).scalar_one()
    if prog["done"] != p["chunks"] or prog["pending"] or twice:
        failures.append(f"chunks done {prog['done']} of {p['chunks']}, claimed twice {twice}")
    changed = sum(sum(o["changed"].values()) for o in outs)
    print(f"cases changed in all: {changed:,} of {sum(p['selected'].values()):,} selected")
    print(f"machine after: {uptime()}")
    if failures:
        print("CORRECTNESS CHECK FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
