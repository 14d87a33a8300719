"""Benchmark: the restitution reports over a large synthetic claims caseload.

    .venv/bin/python benchmarks/claims.py                       # 20,000 claims, fresh SQLite file
    .venv/bin/python benchmarks/claims.py --claims 20000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test

What it does:
1. Builds a fresh store (keyring, Alembic migrations) and bulk-loads N cases and N claims with
   their items, instalments and payments: executemany inserts, 5,000 claims per transaction. Claims
   are spread over the ten jurisdictions (each in its profile's currency and minor units), ~50
   legal-aid lawyers and every status, with demands, awards below demands, schedules of 1-6
   instalments and partial payments. Amounts are integers of minor units, as the store keeps them.
2. Times, with perf_counter, each of: the shortfall report over every claim
   (witness.services.claims.report), the portfolio of every claim (admin), one lawyer's portfolio,
   the overdue-only portfolio, and the selection + processing of the three claim follow-ups of the
   sweep (then the selection again, to show a second sweep finds nothing new). Each read is run
   --repeat times; min and median are printed.
3. Checks the report against totals counted while generating, and the portfolio's lines, added up, against
   those totals and the report's overdue figures (a wrong fast report is no use); exits 1 when a check fails.

On PostgreSQL a fresh schema bench_<random> is created and dropped at the end unless --keep. With the
default SQLite URL everything lives in a temp directory removed unless --keep. No personal data is
generated (claims carry no free text here: notes would be encrypted and are not read by the reports).
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from witness.bootstrap import App
from witness.clock import FixedClock, parse_instant
from witness.domain.access import Actor, Role
from witness.domain.claim import Category, Status
from witness.domain.stage import Stage
from witness.domain.victim import PSEUDONYM_ALPHABET
from witness.profiles import load_profiles
from witness.services import claim_follow_ups, claims as service
from witness.services.sweep import SYSTEM, chunks, process_chunk
from witness.settings import PROJECT_ROOT, Settings
from witness.store import schema
from witness.store.claim_tables import claim_instalments, claim_items, claim_payments, claims
from witness.store.crypto import Keyring, save_keyring
from witness.store.engine import make_engine
from witness.store.tables import cases

DEFAULT_NOW = "2027-06-30T03:00:00+00:00"
BATCH = 5000
JURISDICTION_WEIGHTS = {"TH": 22, "ID": 18, "PH": 16, "VN": 10, "MM": 8, "KH": 8, "MY": 8, "LA": 5, "SG": 3, "BN": 2}
# Whole currency units of a typical item, so that amounts look like the currency's.
ITEM_SCALE = {"IDR": 5_000_000, "VND": 20_000_000, "KHR": 2_000_000, "LAK": 10_000_000, "MMK": 1_000_000}
STATUS_WEIGHTS = {Status.drafting: 15, Status.filed: 20, Status.awarded: 15, Status.partially_paid: 20, Status.paid: 15,
                  Status.unenforced: 4, Status.substituted_by_imprisonment: 3, Status.state_fund_claimed: 2,
                  Status.withdrawn: 3, Status.rejected: 3}
AWARDED = {Status.awarded, Status.partially_paid, Status.paid, Status.unenforced, Status.substituted_by_imprisonment,
           Status.state_fund_claimed}
ADMIN = Actor("bench-admin", Role.admin)


def fresh_store(args, workdir: Path, info: dict, now: datetime) -> App:
    if args.db is None:
        url = f"sqlite:///{workdir / 'home' / 'witness.db'}"
    elif args.db.startswith("postgresql"):
        name = "bench_" + uuid.uuid4().hex[:10]
        eng = create_engine(args.db)
        with eng.begin() as c:
            c.execute(text(f"CREATE SCHEMA {name}"))
        eng.dispose()
        info["pg"] = (args.db, name)
        url = f"{args.db}{'&' if '?' in args.db else '?'}options=-csearch_path%3D{name}"
    else:
        sys.exit("--db: give a postgresql URL, or nothing for a fresh SQLite file")
    home = workdir / "home"
    settings = Settings(home=home, database_url=url, key_file=home / "keys" / "keyring.json")
    ring = Keyring.generate()
    save_keyring(settings.keyring_path, ring)
    engine = make_engine(url)
    schema.upgrade(engine)
    return App(settings, engine, ring, load_profiles(PROJECT_ROOT / "config" / "jurisdictions"), FixedClock(now))


def ids(rng: random.Random, prefix: str, length: int, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(prefix + "".join(rng.choices(PSEUDONYM_ALPHABET, k=length)))
    return sorted(seen, key=lambda _: rng.random())


def generate(app: App, rng: random.Random, n: int, now: datetime) -> dict:
    """Load n cases and claims; return the totals the report must show, counted here."""
    codes = list(JURISDICTION_WEIGHTS)
    weights = [JURISDICTION_WEIGHTS[c] for c in codes]
    statuses, sweights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    lawyers = [f"lawyer-{i:02d}" for i in range(50)]
    case_ids, claim_ids = ids(rng, "W-", 6, n), ids(rng, "CL-", 8, n)
    expect: dict = defaultdict(Counter)
    rows: Counter = Counter()
    for start in range(0, n, BATCH):
        batch = defaultdict(list)
        for k in range(start, min(n, start + BATCH)):
            code = rng.choices(codes, weights)[0]
            profile = app.profiles[code]
            cur, mu = profile.currency.code, profile.currency.minor_units
            status = rng.choices(statuses, sweights)[0]
            opened = now - timedelta(days=rng.randint(200, 900))
            case_id, claim_id = case_ids[k], claim_ids[k]
            batch["cases"].append(dict(
                id=case_id, jurisdiction=code, coordinator=f"coord-{code.lower()}", stage=Stage.restitution.value,
                opened_at=opened, age_status="adult", gender="female", nationality=code, preferred_language="en",
                escort_gender_preference=None, safe_channels="call", reflection_started_at=opened,
                reflection_ends_at=opened + timedelta(days=30), reflection_max_ends_at=opened + timedelta(days=90),
                decision="cooperate", decided_at=opened + timedelta(days=10), updated_at=opened))
            scale = ITEM_SCALE.get(cur, 40_000) * 10 ** mu
            amounts = [rng.randint(scale // 10, scale * 3) for _ in range(rng.randint(1, 5))]
            calculated = sum(amounts)
            for seq, amount in enumerate(amounts, start=1):
                batch["items"].append(dict(id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), claim_id=claim_id,
                                           seq=seq, category=rng.choice(list(Category)).value, amount_minor=amount,
                                           working="[]", evidence=None, note=None, added_at=opened, added_by="bench"))
            demanded = awarded = None
            order = None
            paid = 0
            if status not in (Status.drafting,) and rng.random() < 0.7 and status is not Status.withdrawn:
                demanded = calculated * rng.randint(50, 100) // 100
            if status in AWARDED:
                awarded = max(1, (demanded or calculated) * rng.randint(30, 100) // 100)
                order = (now - timedelta(days=rng.randint(1, 400))).date()
                parts = rng.randint(1, 6)
                each, left = divmod(awarded, parts)
                for seq in range(1, parts + 1):
                    batch["instalments"].append(dict(claim_id=claim_id, seq=seq, due_on=order + timedelta(days=30 * seq),
                                                     amount_minor=each + (left if seq == parts else 0)))
                if status is Status.paid:
                    target = awarded
                elif status is Status.awarded:
                    target = 0
                elif status is Status.partially_paid:
                    target = rng.randint(1, awarded - 1) if awarded > 1 else 0
                else:
                    target = rng.randint(0, awarded // 2)
                pays = rng.randint(1, 3) if target else 0
                for p in range(pays):
                    amount = target - paid if p == pays - 1 else rng.randint(0, (target - paid) // 2)
                    if amount <= 0:
                        continue
                    batch["payments"].append(dict(id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                                  claim_id=claim_id, paid_on=order, amount_minor=amount, reference=None,
                                                  note=None, recorded_at=now, recorded_by="bench"))
                    paid += amount
            batch["claims"].append(dict(
                id=claim_id, case_id=case_id, jurisdiction=code, currency=cur, minor_units=mu,
                lawyer=rng.choice(lawyers), status=status.value, guardian_acts=False,
                # Some claims are still being drafted after the judgment: the post-judgment deadline applies.
                judgment_date=(now - timedelta(days=rng.randint(0, 120))).date()
                if status is Status.drafting and rng.random() < 0.4 else None,
                filed_on=None if status is Status.drafting else opened.date(), demanded_minor=demanded,
                demanded_on=None, demanded_by=None, awarded_minor=awarded, order_date=order, payer=None,
                resolved_at=None, resolution_reason=None, note=None, created_at=opened, created_by="bench",
                updated_at=now))
            e = expect[code]
            e["claims"] += 1
            if status is not Status.withdrawn:
                e["calculated"] += calculated
                e["paid"] += paid
                if status is Status.rejected:
                    e["awarded"] += 0
                elif awarded is not None:
                    e["awarded"] += awarded
        with app.engine.begin() as conn:
            for table, key in ((cases, "cases"), (claims, "claims"), (claim_items, "items"),
                               (claim_instalments, "instalments"), (claim_payments, "payments")):
                if batch[key]:
                    conn.execute(insert(table), batch[key])
                    rows[key] += len(batch[key])
    return {"expect": expect, "rows": rows}


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=20000)
    ap.add_argument("--db", help="postgresql+psycopg://... (default: a fresh SQLite file)")
    ap.add_argument("--now", default=DEFAULT_NOW)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    now = parse_instant(args.now).astimezone(timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="witness-bench-claims-"))
    info: dict = {}
    try:
        app = fresh_store(args, workdir, info, now)
        print(f"machine: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        t = time.perf_counter()
        loaded = generate(app, random.Random(args.seed), args.claims, now)
        load_s = time.perf_counter() - t
        print(f"store: {'PostgreSQL' if 'pg' in info else 'SQLite'}; as of {now.isoformat()}")
        print(f"loaded in {load_s:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in loaded["rows"].items()))

        rep, rmin, rmed = timed(lambda: service.report(app, ADMIN), args.repeat)
        print(f"\nshortfall report, {sum(r.claims for r in rep.rows):,} claims in {len(rep.rows)} jurisdictions: "
              f"min {rmin * 1000:.0f} ms, median {rmed * 1000:.0f} ms  (target <= 1 s: {'met' if rmed <= 1 else 'MISSED'})")
        every, pmin, pmed = timed(lambda: service.portfolio(app, ADMIN), args.repeat)
        print(f"portfolio of every claim (admin), {len(every):,} rows: min {pmin * 1000:.0f} ms, median {pmed * 1000:.0f} ms"
              f"  (target <= 1 s: {'met' if pmed <= 1 else 'MISSED'})")
        one, omin, omed = timed(lambda: service.portfolio(app, ADMIN, lawyer="lawyer-07"), args.repeat)
        print(f"one lawyer's portfolio, {len(one):,} rows: min {omin * 1000:.0f} ms, median {omed * 1000:.0f} ms")
        late, lmin, lmed = timed(lambda: service.portfolio(app, ADMIN, overdue_only=True), args.repeat)
        print(f"overdue portfolio (all lawyers), {len(late):,} rows: min {lmin * 1000:.0f} ms, median {lmed * 1000:.0f} ms")

        # The overdue-instalment rule in SQL must pick exactly what the domain rule picks in Python.
        from witness.domain.claim import local_today, overdue_minor

        with app.engine.connect() as conn:
            t = time.perf_counter()
            sql_keys = {d["key"] for d in claim_follow_ups._instalment_items(conn, now, app.profiles)}
            sql_s = time.perf_counter() - t
            t = time.perf_counter()
            sel_ids = claim_follow_ups.INSTALMENT_OVERDUE.select(conn, now, app.profiles)
            sel_s = time.perf_counter() - t
            schedules = service.schedules_of(conn)
            py_keys = set()
            for r in conn.execute(service.figures_query()):
                today = local_today(now, app.profiles[r.jurisdiction].tz)
                for n, due_on, _ in overdue_minor(schedules.get(r.id, []), int(r.paid), today):
                    py_keys.add(f"{r.id}:claim_instalment_overdue:{n}:{due_on.isoformat()}")
        same = sql_keys == py_keys
        print(f"\noverdue instalments selected by SQL: {len(sel_ids):,} cases in {sel_s * 1000:.0f} ms "
              f"(target well under 1 s: {'met' if sel_s < 0.5 else 'MISSED'}); {len(sql_keys):,} instalments with their "
              f"items in {sql_s * 1000:.0f} ms; same as the domain rule in Python: {'yes' if same else 'NO'}")
        print("\nsweep follow-ups for claims (select, then process in chunks of 500):")
        repeated = []  # a follow-up that selects again what it just handled would list it twice a day
        for f in (claim_follow_ups.FILING_DEADLINE, claim_follow_ups.INSTALMENT_OVERDUE, claim_follow_ups.AWARD_UNPAID):
            t = time.perf_counter()
            with app.engine.connect() as conn:
                due = f.select(conn, now, app.profiles)
            sel = time.perf_counter() - t
            t = time.perf_counter()
            made = sum(process_chunk(app, f.name, c, now, SYSTEM) for c in chunks(due))
            proc = time.perf_counter() - t
            t = time.perf_counter()
            with app.engine.connect() as conn:
                again = f.select(conn, now, app.profiles)
            print(f"  {f.name}: {len(due):,} cases selected in {sel * 1000:.0f} ms, {made:,} worklist items in "
                  f"{proc * 1000:.0f} ms; second selection {len(again)} cases in {(time.perf_counter() - t) * 1000:.0f} ms")
            if again:
                repeated.append(f"{f.name}: a second selection at the same instant found {len(again)} cases again")

        problems = list(repeated)
        for row in rep.rows:
            e = loaded["expect"][row.jurisdiction]
            for name in ("claims", "calculated", "awarded", "paid"):
                if getattr(row, name) != e[name]:
                    problems.append(f"{row.jurisdiction} {name}: report {getattr(row, name)} != generated {e[name]}")
        # The portfolio's lines, added up, must give the generated totals and the report's overdue
        # figures (two code paths over the same rule).
        by_j: dict = defaultdict(Counter)
        for line in every:
            c = by_j[line["jurisdiction"]]
            c["claims"] += 1
            c["claims_overdue"] += bool(line["overdue_since"])
            c["overdue"] += line["overdue"].minor
            if line["status"] != Status.withdrawn.value:
                c["calculated"] += line["calculated"].minor
                c["paid"] += line["paid"].minor
        for row in rep.rows:
            e, got = loaded["expect"][row.jurisdiction], by_j[row.jurisdiction]
            for name, want in (("claims", e["claims"]), ("calculated", e["calculated"]), ("paid", e["paid"]),
                               ("overdue", row.overdue), ("claims_overdue", row.claims_overdue)):
                if got[name] != want:
                    problems.append(f"{row.jurisdiction} {name}: portfolio {got[name]} != {want}")
        if len(late) != sum(r.claims_overdue for r in rep.rows):
            problems.append(f"overdue portfolio: {len(late)} lines, the report counts {sum(r.claims_overdue for r in rep.rows)}")
        if not same:
            problems.append(f"overdue instalments: SQL {len(sql_keys)} vs domain rule {len(py_keys)} "
                            f"({len(sql_keys - py_keys)} extra, {len(py_keys - sql_keys)} missing)")
        print("\ncheck against generated totals, the report and the domain rule: "
              + ("ok" if not problems else "FAILED\n  " + "\n  ".join(problems)))
        print("\nper jurisdiction (report):")
        for r in rep.rows:
            print(f"  {r.jurisdiction} {r.claims:>6,} claims  calculated {r.money('calculated')}  awarded "
                  f"{r.money('awarded')}  paid {r.money('paid')}  overdue {r.money('overdue')} on {r.claims_overdue:,}")
        app.engine.dispose()
        print(f"machine after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        if problems:
            sys.exit(1)
    finally:
        if "pg" in info and not args.keep:
            base, name = info["pg"]
            eng = create_engine(base)
            with eng.begin() as c:
                c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            eng.dispose()
        if args.keep:
            print(f"kept: {workdir}" + (f" and schema {info['pg'][1]}" if "pg" in info else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
