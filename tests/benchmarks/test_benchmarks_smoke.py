"""Smoke tests of benchmarks/: each script runs at a tiny scale in a fresh process (cwd the
repository root, as its docstring shows), exits 0, prints its figures in its own format (beside
their targets where it has targets) and its correctness lines, and leaves no temporary store behind.

Never an assertion on a figure's value: the machine is shared and timings vary with load; only
that each figure is printed with a verdict (met / MISSED) beside its target. Each script runs with
a private TMPDIR, so a temp dir it forgot to remove is seen whatever it printed.

Not covered here: PostgreSQL modes (--db/--postgres, --workers), notices.py's deployed trials
(`witness serve` and a Prefect server, ~1 minute a trial plus a warm-up trial) and sweep.py's
--steady-state. benchmarks/store_setup.py is a module, not a script: calendars.py and schedule.py
run it (their victim's feed is built on it).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600  # seconds per script: generous for a loaded CI machine; a hang fails, it does not stall the suite


def run(tmp_path: Path, script: str, *args: str) -> str:
    """Run benchmarks/<script> with args; assert exit 0 and that no witness-* temp dir is left; return stdout."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # A WITNESS_* variable of the calling environment (a CI store, a key file) must not leak into the benchmark.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env["TMPDIR"] = str(tmp)
    proc = subprocess.run([sys.executable, f"benchmarks/{script}", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (f"benchmarks/{script} {' '.join(args)} exited {proc.returncode}\n"
                                  f"--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}")
    left = sorted(p.name for p in tmp.iterdir() if p.name.startswith("witness-"))
    assert not left, f"benchmarks/{script} left temporary stores behind in {tmp}: {left}\n{proc.stdout[-3000:]}"
    return proc.stdout


def line(out: str, pattern: str) -> re.Match:
    """The first output line matching pattern (re.M: ^ and $ are line bounds)."""
    found = re.search(pattern, out, re.M)
    assert found, f"no line matches {pattern!r} in:\n{out[-6000:]}"
    return found


def test_calendars(tmp_path):
    out = run(tmp_path, "calendars.py", "--events", "200", "--victim-runs", "3", "--sample", "10")
    assert line(out, r"^([\d,]+) events in ([\d,]+) feeds ").group(1) == "200"
    line(out, r"^export, cold \(empty caches\): +[\d.]+ s +target ≤ 3\.0 s +(met|MISSED) ")
    line(out, r"^export, warm \(cached events\): +[\d.]+ s +target ≤ 3\.0 s +(met|MISSED)$")
    line(out, r"^anchor, naive icalendar: +[\d.]+ s +same process; witness/anchor: cold [\d.]+x, warm [\d.]+x$")
    line(out, r"^one victim's feed, end to end .*median [\d.]+ ms +target ≤ 10 ms +(met|MISSED); worst [\d.]+ ms$")
    # The correctness line: the sampled feeds equal the anchor's and parse with vobject; the
    # victim's feed (store_setup.py's case) holds its five events (else "correctness: FAILED").
    line(out, r"^correctness: ok — 10 sampled feeds equal to the anchor's as parsed by icalendar, read by vobject")
    assert "FAILED" not in out


def test_claims(tmp_path):
    out = run(tmp_path, "claims.py", "--claims", "200", "--repeat", "1")
    line(out, r"^store: SQLite; ")
    line(out, r"^loaded in [\d.]+ s: 200 cases, 200 claims, ")
    line(out, r"^shortfall report, 200 claims in \d+ jurisdictions: min \d+ ms, median \d+ ms +"
              r"\(target <= 1 s: (met|MISSED)\)$")
    line(out, r"^portfolio of every claim \(admin\), 200 rows: .*\(target <= 1 s: (met|MISSED)\)$")
    line(out, r"^overdue instalments selected by SQL: .*\(target well under 1 s: (met|MISSED)\).*"
              r"same as the domain rule in Python: yes$")
    line(out, r"^check against generated totals, the report and the domain rule: ok$")
    # The three claim follow-ups: the second selection finds nothing new (the script exits 1 if it
    # does), and the instalment/award follow-ups had real work at this seed.
    follow_ups = re.findall(r"^  (claim_\w+): ([\d,]+) cases selected in \d+ ms, ([\d,]+) worklist items in \d+ ms; "
                            r"second selection (\d+) cases", out, re.M)
    assert [f[0] for f in follow_ups] == ["claim_filing_deadline", "claim_instalment_overdue", "claim_award_unpaid"], out
    assert all(f[3] == "0" for f in follow_ups), f"a second selection found cases again: {follow_ups}"
    assert sum(int(f[1].replace(",", "")) for f in follow_ups) > 0, follow_ups
    assert len(re.findall(r"^  [A-Z]{2} +[\d,]+ claims  calculated ", out, re.M)) >= 1


def test_cli(tmp_path):
    out = run(tmp_path, "cli.py", "--runs", "1")
    line(out, r"^fresh processes, 1 runs each, interleaved; target <= 0\.5 s \(median wall\)$")
    line(out, r"^  python -c pass \(anchor\) +[\d.]+s +[\d.]+s +[\d.]+s +1\.0x$")
    for label in ("witness --help", "witness case show CASE", "witness case list", "witness worklist"):
        line(out, rf"^  {re.escape(label)} +[\d.]+s +[\d.]+s +[\d.]+s +(met|MISSED) +[\d.]+x$")
        line(out, rf"^  {re.escape(label)} +[\d.]+ s importing; heaviest: ")
    assert "CORRECTNESS CHECK FAILED" not in out


def test_documents(tmp_path):
    out = run(tmp_path, "documents.py", "--n", "2", "--workers", "1")
    found = line(out, r"^documents: 2 mixed \((\d+) kinds, (\d+) languages, (\d+) pages\); cpus: \d+$")
    assert int(found.group(3)) >= 2, found.group(0)
    line(out, r"^start-up \(import \+ first render\): [\d.]+ s; pool of 1 spawned and warmed in [\d.]+ s$")
    line(out, r"^single process: [\d.]+ documents/s \(\d+ ms each\)$")
    line(out, r"^pooled \(1 workers\): [\d.]+ documents/s$")
    line(out, r"^bare WeasyPrint, same HTML: [\d.]+ documents/s \(\d+ ms each\)$")
    line(out, r"^our overhead over bare WeasyPrint: [+-][\d.]+% \(target < 20%\)$")


def test_notices(tmp_path):
    # --deployed-trials 0: the deployed mode starts `witness serve` (a Prefect server) and takes
    # ~1 minute a trial plus an uncounted warm-up trial, too long for a smoke test.
    out = run(tmp_path, "notices.py", "--victims", "20", "--runs", "1", "--deployed-trials", "0")
    # One notice per victim and one for the coordinator, all delivered once (the script asserts it).
    line(out, r"^run 1: 21 notices queued in \d+ ms; relay [\d.]+ s = \d+ messages/s .*"
              r"the same messages bare through the same SMTP pool: \d+/s$")
    line(out, r"^SQLite, 20 victims of one accused released, median of 1 ")
    line(out, r"^  20 release notices queued \(whole custody-change transaction\): \d+ ms  "
              r"target <= 200 ms: (met|MISSED)$")
    line(out, r"^  relay into a local SMTP server \(aiosmtpd, own process\): \d+ messages/s  "
              r"target >= 200/s: (met|MISSED); anchor ")
    assert "CORRECTNESS FAILURE" not in out
    assert "as deployed" not in out


def test_schedule(tmp_path):
    # schedule.py prints no target (its docstring names none): its figures and the plan's
    # determinism are checked instead.
    out = run(tmp_path, "schedule.py", "--hearings", "20", "--officers", "10", "--suites", "2", "--victim-runs", "2")
    line(out, r"^month of 20 hearings, \d+ witnesses; 10 officers, 2 video-link suites, ")
    # The planner gives the same plan for the same input in another order (the script exits 1 if not).
    line(out, r"^plan: +[\d.]+ s \(second run [\d.]+ s\); [\d,]+ bookings, [\d,]+ conflicts .*; "
              r"identical across runs: True$")
    found = line(out, r"^export: [\d.]+ s for every feed of the month: ([\d,]+) feeds, ([\d,]+) events, ")
    assert int(found.group(2).replace(",", "")) >= 20, found.group(0)
    line(out, r"^one victim's feed, render only: median [\d.]+ ms, worst [\d.]+ ms$")
    line(out, r"^one victim's feed, end to end .*: first [\d.]+ ms, median [\d.]+ ms, worst of the rest [\d.]+ ms$")


def test_startup(tmp_path):
    # startup.py prints no target either: min and median of each measurement.
    out = run(tmp_path, "startup.py", "--runs", "1")
    line(out, r"^configuration: \d+ files, parse \+ validate \(libyaml available: (True|False)\)$")
    for label in ("witness.configuration (libyaml)", "pure-Python yaml.SafeLoader", "python -c pass",
                  "import witness.cli", "witness case show"):
        line(out, rf"^  {re.escape(label)} +min +[\d.]+ ms +median +[\d.]+ ms$")
    line(out, r"^fresh processes \(1 runs each\), load average [\d.]+ at start$")
    line(out, r"^load average [\d.]+ at the end$")


def test_sweep(tmp_path):
    # 5,000 cases is about the smallest caseload at which every follow-up the generator makes work
    # for selects some at the default seed (release_escalation needs a recently freed accused,
    # ~0.5% of them): at 300-2,000 cases the script rightly exits 1 ("follow-ups with nothing to do").
    # The traced run (a copy of the store, tracemalloc) is kept: it checks copy_store and that the
    # same sweep changes the same.
    out = run(tmp_path, "sweep.py", "--cases", "5000")
    line(out, r"^== generation: 5,000 cases in ")
    line(out, r"^== sweep 1 \(fresh process, tracemalloc off\): [\d.]+ s wall clock +target <= 3\.0 s "
              r"at 5,000 cases: (met|MISSED)$")
    line(out, r"^every follow-up selected real work: yes")
    line(out, r"^reflection follow-ups changed what was generated as due: yes$")
    line(out, r"^== sweep 2, same now, same process: .*changed 0; .*-> idempotent: yes$")
    line(out, r"^== sweep 1 repeated on the copy, .*\(same as sweep 1\)$")
    line(out, r"^Python peak allocations during the sweep \(tracemalloc peak\): [\d.]+ MiB")
    assert "CORRECTNESS CHECK FAILED" not in out
    # The store it printed lived in a temp dir (<workdir>/home/witness.db) that must be gone now.
    db = Path(line(out, r"^SQLite file (\S+): [\d.]+ MiB").group(1))
    workdir = db.parents[1]
    assert workdir.parent == tmp_path / "tmp" and workdir.name.startswith("witness-bench-"), workdir
    assert not workdir.exists(), f"{workdir} was not removed"


def test_web(tmp_path):
    # --auditors 1: the script refuses as many auditors as clients (the default is 2): no coordinator.
    out = run(tmp_path, "web.py", "--cases", "300", "--clients", "2", "--auditors", "1", "--rounds", "2",
              "--think", "0")
    line(out, r"^store: sqlite; 300 cases generated and loaded in ")
    line(out, r"^2 accounts \(Argon2id, TOTP\) and their Today items in ")
    line(out, r"^2 concurrent signed-in clients \(1 coordinators, 1 auditors seeing all 300 cases\)")
    line(out, r"^== people: a pause of 0 s on average between pages, 2 rounds each$")
    line(out, r"^== flat out: no pause at all \(saturation\), 2 rounds each$")
    # Per phase: the coordinator's Today and a list page per client each round (4 + 2 + 2 x 2 pages = 10
    # requests); an auditor whose list page was answered 503 "busy" (counted, not a failure) opens no case.
    requests = [int(n) for n in re.findall(r"^(\d+) requests in [\d.]+ s: [\d.,]+ requests/s", out, re.M)]
    assert len(requests) == 2 and all(8 <= n <= 10 for n in requests), requests
    assert len(re.findall(r"target p95 < 150 ms, < 100 KB$", out, re.M)) == 2, out
    rows = re.findall(r"^(today|case_list|case_page) +(\d+) *[\d.]+ms *\d+ms *\d+ms *[\d.]+ms *\d+ms *[\d.]+KB"
                      r" *[\d.]+KB +(ok|over)( BIG)?$", out, re.M)
    assert [r[0] for r in rows] == ["today", "case_list", "case_page"] * 2, rows
    for page, n, *_ in rows:
        assert int(n) == 2 if page == "today" else int(n) == 4 if page == "case_list" else 2 <= int(n) <= 4, rows
    line(out, r"^targets \(people\): p95 under 150 ms (met|NOT met); pages under 100 KB (met|NOT met)$")
    line(out, r"^correctness: every answer 200 with its heading and case id; no name on any page$")
    assert "CORRECTNESS:" not in out
