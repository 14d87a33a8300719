"""Benchmark: plan a month of hearings and export the calendars (R-62, R-63).

    .venv/bin/python benchmarks/schedule.py                       # 2,000 hearings, 200 officers, 30 suites
    .venv/bin/python benchmarks/schedule.py --hearings 5000 --officers 400 --suites 60

What it measures:
1. Planning: one call of the pure planner (witness.domain.schedule.plan) over a synthetic month —
   hearings on weekdays across the ten ASEAN states, one or two witnesses each, every one granted an
   escort (many with a gender preference), some a screen, a waiting room, a video link or secure
   accommodation. Timed with perf_counter; run twice to show the plan is identical.
2. Calendar export, pure: the content of every audience's event for every hearing, then one .ics per
   audience member (coordinators, prosecutors, officers, interpreters, victims) — the whole month.
3. One victim's feed, end to end: a fresh SQLite store (benchmarks/store_setup.py, shared with
   calendars.py), one case with three hearings, an interview and her reflection period, then `calendar_feeds.export` (unit of work, read, render, audit row, commit) timed over
   repeated runs (median and worst; the first run also builds the VTIMEZONE, cached afterwards).

Synthetic data only: pseudonyms and call signs, no personal data.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from witness.domain.hearing import AppearanceMode  # noqa: E402
from witness.domain.measure import MeasureKind  # noqa: E402
from witness.domain.resource import Hours, ResourceKind, SchedulingPolicy  # noqa: E402
from witness.domain.schedule import Hearing, Resource, Witness, plan  # noqa: E402
from witness.outputs.calendars import HearingView, StoredEvent, WitnessView, contents, render  # noqa: E402
from witness.profiles import load_profiles  # noqa: E402
from witness.settings import PROJECT_ROOT  # noqa: E402

WEIGHTS = {"TH": 22, "ID": 18, "PH": 16, "VN": 10, "MM": 8, "KH": 8, "MY": 8, "LA": 5, "SG": 3, "BN": 2}
COURTS_PER_STATE = 3
LANGS = ["en", "th", "id", "my", "km", "vi", "ms", "lo", "tl"]


def _split(total: int) -> dict[str, int]:
    """Share `total` out by WEIGHTS, at least one each."""
    s = sum(WEIGHTS.values())
    return {k: max(1, round(total * w / s)) for k, w in WEIGHTS.items()}


def synthetic(n_hearings: int, n_officers: int, n_suites: int, seed: int, start: datetime):
    rng = random.Random(seed)
    profiles = load_profiles(PROJECT_ROOT / "config" / "jurisdictions")
    courts = {j: [f"{j} court {i}" for i in range(COURTS_PER_STATE)] for j in WEIGHTS}
    weekdays = (Hours.model_validate({"days": ["mon", "tue", "wed", "thu", "fri"], "from": "06:00", "to": "21:00"}),)
    resources: list[Resource] = []
    for j, n in _split(n_officers).items():
        tz = profiles[j].time_zone
        for i in range(n):
            resources.append(Resource(f"{j}-O{i:03d}", ResourceKind.escort_officer, j, tz, unit=f"{j} unit {i % 4}",
                                      gender="female" if i % 2 else "male", trained=i % 10 != 9,
                                      hours=weekdays if i % 3 else ()))  # a unit covers every court of its state
    for j, n in _split(n_suites).items():
        tz = profiles[j].time_zone
        resources += [Resource(f"{j}-V{i:02d}", ResourceKind.video_suite, j, tz) for i in range(n)]
        resources.append(Resource(f"{j}-A00", ResourceKind.secure_accommodation, j, tz, capacity=4))
        for c, court in enumerate(courts[j]):  # two portable screens and two witness waiting rooms per court
            resources += [Resource(f"{j}-{kind}{c}{i}", rk, j, tz, sites=(court,)) for i in range(2)
                          for kind, rk in (("S", ResourceKind.screen), ("W", ResourceKind.waiting_room))]
    hearings, case_no = [], 0
    states = list(WEIGHTS)
    days = [d for d in range(31) if (start + timedelta(days=d)).weekday() < 5]
    for h in range(n_hearings):
        j = rng.choices(states, weights=[WEIGHTS[s] for s in states])[0]
        tz = ZoneInfo(profiles[j].time_zone)
        day = (start + timedelta(days=rng.choice(days))).astimezone(tz).date()
        begins = datetime(day.year, day.month, day.day, rng.choice([8, 9, 10, 13, 14]), 0, tzinfo=tz)
        ws = []
        for _ in range(rng.choice([1, 1, 2])):
            case_no += 1
            granted = [MeasureKind.escort]
            for kind, p in ((MeasureKind.screen, .4), (MeasureKind.separate_waiting_room, .5), (MeasureKind.pseudonym, .6),
                            (MeasureKind.secure_accommodation, .05)):
                if rng.random() < p:
                    granted.append(kind)
            mode = AppearanceMode.video_link if rng.random() < .2 else AppearanceMode.in_person
            if mode is AppearanceMode.video_link:
                granted.append(MeasureKind.video_link)
            ws.append(Witness(f"W-{case_no:06d}", mode, rng.choice([30, 45, 60, 90, 120]), tuple(granted),
                              gender_preference=rng.choice(["female", "female", "male", None])))
        hearings.append(Hearing(f"H-{h:06d}", f"{j}-{h % 700:04d}", j, profiles[j].time_zone,
                                rng.choice(courts[j]), begins.astimezone(timezone.utc),
                                (begins + timedelta(hours=rng.choice([2, 3, 4]))).astimezone(timezone.utc), tuple(ws)))
    return hearings, resources, profiles


def views_of(hearings: list[Hearing], p) -> list[HearingView]:
    teams: dict[tuple[str, str], list] = {}
    for b in p.bookings:
        if b.measure is MeasureKind.escort:
            teams.setdefault((b.hearing_id, b.case_id), []).append(b)
    gaps: dict[tuple[str, str], list[str]] = {}
    for c in p.conflicts:
        gaps.setdefault((c.hearing_id, c.case_id), []).append(c.line()[:300])
    out = []
    for h in hearings:
        ws = []
        for w in h.witnesses:
            team = teams.get((h.id, w.case_id), [])
            lang = LANGS[int(w.case_id[2:]) % len(LANGS)]
            ws.append(WitnessView(w.case_id, f"coord-{int(w.case_id[2:]) % 60:02d}", w.mode.value, lang,
                                  lang if int(w.case_id[2:]) % 5 == 0 else None, f"P-{w.case_id[2:]}",
                                  f"interp-{int(w.case_id[2:]) % 40:02d}", lang,
                                  tuple((k.value, "scheduled", None, False) for k in w.granted),
                                  tuple(b.resource_id for b in team), min((b.start for b in team), default=None),
                                  max((b.end for b in team), default=None), tuple(gaps.get((h.id, w.case_id), []))))
        out.append(HearingView(h.id, h.proceeding, h.site, None, "trial", h.tz, h.starts_at, h.ends_at, False, None,
                               f"pros-{int(h.id[2:]) % 30:02d}", tuple(ws)))
    return out


def export_month(views: list[HearingView], stamp: datetime) -> tuple[int, int, int]:
    feeds: dict[tuple[str, str], list[StoredEvent]] = {}
    for v in views:
        for (audience, subject), content in contents(v).items():
            feeds.setdefault((audience, subject), []).append(
                StoredEvent(f"{v.id}-{audience}-{subject}@bench", 1, "CONFIRMED", stamp, content))
    size = events = 0
    for (audience, subject), evs in feeds.items():
        size += len(render(audience, subject, evs, evs[0].content.get("lang", "en")))
        events += len(evs)
    return len(feeds), events, size


def one_victim_end_to_end(runs: int) -> list[float]:
    import shutil

    from benchmarks.store_setup import victim_store
    from witness.services import calendar_feeds

    home = Path(tempfile.mkdtemp(prefix="witness-bench-"))
    try:
        store = victim_store(home)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            calendar_feeds.export(store.app, store.coordinator, "victim", case_id=store.case_id)
            times.append(time.perf_counter() - t)
        store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)  # the temporary store was left behind before
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hearings", type=int, default=2000)
    ap.add_argument("--officers", type=int, default=200)
    ap.add_argument("--suites", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--victim-runs", type=int, default=30)
    args = ap.parse_args()
    start = datetime(2027, 3, 1, tzinfo=timezone.utc)
    hs, res, _ = synthetic(args.hearings, args.officers, args.suites, args.seed, start)
    witnesses = sum(len(h.witnesses) for h in hs)
    policy = SchedulingPolicy()
    print(f"month of {len(hs):,} hearings, {witnesses:,} witnesses; {args.officers} officers, {args.suites} video-link "
          f"suites, 2 screens and 2 waiting rooms per court ({COURTS_PER_STATE} courts per state), one secure "
          f"accommodation per state: {len(res):,} resources")

    t = time.perf_counter()
    p = plan(hs, res, policy)
    planning = time.perf_counter() - t
    t = time.perf_counter()
    again = plan(list(reversed(hs)), list(reversed(res)), policy)
    planning2 = time.perf_counter() - t
    kinds = Counter(f"{c.kind.value}:{c.measure.value if c.measure else '-'}" for c in p.conflicts)
    identical = p == again
    print(f"plan:   {planning:.2f} s (second run {planning2:.2f} s); {len(p.bookings):,} bookings, "
          f"{len(p.conflicts):,} conflicts {dict(sorted(kinds.items()))}; identical across runs: {identical}")

    views = views_of(hs, p)
    stamp = datetime(2027, 2, 20, tzinfo=timezone.utc)
    t = time.perf_counter()
    feeds, events, size = export_month(views, stamp)
    export = time.perf_counter() - t
    print(f"export: {export:.2f} s for every feed of the month: {feeds:,} feeds, {events:,} events, {size / 1e6:.1f} MB")

    one = views[0]
    key, content = next((k, c) for k, c in contents(one).items() if k[0] == "victim")
    evs = [StoredEvent("bench@witness", 1, "CONFIRMED", stamp, content)]
    samples = []
    for _ in range(50):
        t = time.perf_counter()
        render("victim", key[1], evs, content["lang"])
        samples.append(time.perf_counter() - t)
    print(f"one victim's feed, render only: median {statistics.median(samples) * 1e3:.2f} ms, "
          f"worst {max(samples) * 1e3:.2f} ms")
    e2e = one_victim_end_to_end(args.victim_runs)
    print(f"one victim's feed, end to end (SQLite; 3 hearings, an interview, her reflection end): first {e2e[0] * 1e3:.1f} ms, "
          f"median {statistics.median(e2e) * 1e3:.1f} ms, worst of the rest {max(e2e[1:] or e2e) * 1e3:.1f} ms")
    if not identical:  # the planner must not depend on the order it is given hearings and resources in
        sys.exit("correctness: the plan differs when hearings and resources come in another order")


if __name__ == "__main__":
    main()
