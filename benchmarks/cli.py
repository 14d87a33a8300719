"""Benchmark: plain commands in a fresh process (issue 16 §7, issue 14 §8): target <= 0.5 s each.

    .venv/bin/python benchmarks/cli.py               # 9 runs of each command, temp store
    .venv/bin/python benchmarks/cli.py --runs 15 --keep

What it does:
1. Builds a temp store through the command line (init with an admin, a coordinator account, the
   Thai example intake, one sweep so the worklist has items).
2. Runs each of `witness --help`, `witness case show CASE`, `witness case list`, `witness worklist`
   through the installed console script in a fresh process, --runs times, interleaved (so a burst
   of load elsewhere hits every command alike), and prints min and median wall time beside the
   target, and the median CPU time (user + system) of the process, which load elsewhere inflates
   less than the wall time. The anchor is `python -c pass` (the interpreter's own start): the ratio
   says what witness adds.
   Bytecode is cached as for an installed package (pip compiles it at install): in a temporary
   folder (PYTHONPYCACHEPREFIX), warmed by the setup and one untimed run of each command. A
   development checkout with PYTHONDONTWRITEBYTECODE=1 would otherwise compile witness's modules
   again at every start, which no deployment does; --no-bytecode-cache measures exactly that.
3. Once per command, `python -X importtime` says how much of the time is imports and which
   packages weigh most, reported apart from the timed runs.
4. Checks each command's output (exit 0, the case id where it must appear, a header in --help);
   a wrong answer exits 1 whatever the time. `uptime` before and after: the machine is shared.
No personal data beyond the example intake's made-up victim; nothing is printed from the case.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.5
WITNESS = str(Path(sys.executable).with_name("witness"))


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _run(env: dict, *argv: str) -> tuple[float, subprocess.CompletedProcess]:
    seconds, _, proc = _timed(env, *argv)
    return seconds, proc


def _timed(env: dict, *argv: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user + system of the child) and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(list(argv), env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def _setup(env: dict, *args: str) -> str:
    _, proc = _run(env, WITNESS, *args)
    if proc.returncode != 0:
        sys.exit(f"setting up the store failed at `witness {' '.join(args[:2])}`: "
                 f"{(proc.stderr.strip().splitlines() or [''])[-1]}")
    return proc.stdout.strip()


def _imports(env: dict, argv: list[str]) -> tuple[float, list[tuple[float, str]]]:
    """Total import time of the command and its heaviest top-level packages (from -X importtime)."""
    _, proc = _run(env, sys.executable, "-X", "importtime", WITNESS, *argv)
    per: dict[str, float] = {}
    total = 0.0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        self_us, depth, name = int(m.group(1)), len(m.group(3)), m.group(4)
        total += self_us / 1e6
        top = name.split(".")[0] if not name.startswith("witness") else ".".join(name.split(".")[:3])
        per[top] = per.get(top, 0.0) + self_us / 1e6
    return total, sorted(((v, k) for k, v in per.items()), reverse=True)[:6]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--keep", action="store_true", help="keep the temp store")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="run with this environment's bytecode settings (PYTHONDONTWRITEBYTECODE=1 compiles every start)")
    args = ap.parse_args()
    print(f"machine: {uptime()}  ({os.cpu_count()} CPUs)")
    home = Path(tempfile.mkdtemp(prefix="witness-cli-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env["WITNESS_HOME"] = str(home / "home")
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(home / "bytecode")
    print("bytecode: " + ("as this environment has it (PYTHONDONTWRITEBYTECODE="
                          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})" if args.no_bytecode_cache
                          else "cached as for an installed package (warmed before timing)"))
    failures: list[str] = []
    try:
        _setup(env, "init", "--admin", "bench-admin")
        _setup({**env, "WITNESS_ACTOR": "bench-admin:admin"}, "user", "add", "amara", "--role", "coordinator")
        env["WITNESS_ACTOR"] = "amara:coordinator"
        case = _setup(env, "intake", str(ROOT / "examples" / "intake-thailand-adult.yaml")).split()[-1]
        _setup({**env, "WITNESS_ACTOR": "bench-admin:admin"}, "sweep")
        commands = {
            "witness --help": ([WITNESS, "--help"], lambda out: "Usage" in out),
            "witness case show CASE": ([WITNESS, "case", "show", case], lambda out: case in out),
            "witness case list": ([WITNESS, "case", "list"], lambda out: case in out),
            "witness worklist": ([WITNESS, "worklist"], lambda out: case in out),
        }
        anchor = [sys.executable, "-c", "pass"]
        for argv, _ in commands.values():  # untimed: the first start after a change compiles and caches
            _run(env, *argv)
        times: dict[str, list[float]] = {label: [] for label in ["python -c pass (anchor)", *commands]}
        cpu: dict[str, list[float]] = {label: [] for label in times}
        for _ in range(args.runs):
            wall, used, _ = _timed(env, *anchor)
            times["python -c pass (anchor)"].append(wall)
            cpu["python -c pass (anchor)"].append(used)
            for label, (argv, ok) in commands.items():
                wall, used, proc = _timed(env, *argv)
                times[label].append(wall)
                cpu[label].append(used)
                if proc.returncode != 0 or not ok(proc.stdout):
                    failures.append(f"{label}: exit {proc.returncode}, "
                                    f"{(proc.stderr.strip().splitlines() or ['unexpected output'])[-1]}")
        base = statistics.median(times["python -c pass (anchor)"])
        print(f"\nfresh processes, {args.runs} runs each, interleaved; target <= {TARGET_S:.1f} s (median wall)")
        print(f"  {'command':<28}{'min':>9}{'median':>9}{'cpu med':>9}   {'target':<10}{'x anchor':>9}")
        for label, seconds in times.items():
            med = statistics.median(seconds)
            verdict = "" if "anchor" in label else ("met" if med <= TARGET_S else "MISSED")
            print(f"  {label:<28}{min(seconds):>8.3f}s{med:>8.3f}s{statistics.median(cpu[label]):>8.3f}s   "
                  f"{verdict:<10}{med / base:>8.1f}x")
        print("\nimports (python -X importtime, once each; reported apart from the timed runs):")
        for label, (argv, _) in commands.items():
            total, top = _imports(env, argv[1:])
            print(f"  {label:<28}{total:>6.3f} s importing; heaviest: "
                  + ", ".join(f"{name} {sec * 1000:.0f} ms" for sec, name in top))
        print(f"\nmachine after: {uptime()}")
    finally:
        if args.keep:
            print(f"store kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    if failures:
        print("CORRECTNESS CHECK FAILED:\n  " + "\n  ".join(sorted(set(failures))))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
