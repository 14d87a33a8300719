"""Benchmark: how long a command takes to start (issue 16: `witness case show` in a fresh process).

    .venv/bin/python benchmarks/startup.py                 # 7 runs of each, temp store
    .venv/bin/python benchmarks/startup.py --runs 15 --keep

What it does:
1. Times reading the shipped configuration in this process (ten jurisdiction profiles, the risk
   policy, the on-call list; parse + pydantic validation) with witness.configuration (libyaml) and,
   for comparison, the same files through PyYAML's pure-Python SafeLoader.
2. Builds a temp store through the CLI (init with an admin, a coordinator account, the Thai example
   intake) and times, in fresh processes, `python -c pass`, `import witness.cli`, and
   `witness case show CASE`. min and median are printed, with the load average: the machine is
   shared and the figures move with it.
No personal data beyond the example intake's made-up victim; nothing is printed from the case.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _figures(label: str, seconds: list[float]) -> None:
    print(f"  {label:<44} min {min(seconds) * 1000:7.1f} ms   median {statistics.median(seconds) * 1000:7.1f} ms")


def _configuration(runs: int) -> None:
    import yaml

    from witness.configuration import load_config, parse
    from witness.domain.jurisdiction import JurisdictionProfile
    from witness.domain.risk import RiskPolicy
    from witness.oncall import Directory

    config = ROOT / "config"
    files = [(p, JurisdictionProfile) for p in sorted((config / "jurisdictions").glob("*.yaml"))]
    files += [(config / "risk.yaml", RiskPolicy), (config / "oncall.yaml", Directory)]
    fast, slow = [], []
    for _ in range(runs):
        t = time.perf_counter()
        for path, model in files:
            load_config(path, model)
        fast.append(time.perf_counter() - t)
        t = time.perf_counter()
        for path, model in files:
            model.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))
        slow.append(time.perf_counter() - t)
    assert all(parse(p.read_text(encoding="utf-8")) == yaml.safe_load(p.read_text(encoding="utf-8")) for p, _ in files)
    print(f"configuration: {len(files)} files, parse + validate (libyaml available: {yaml.__with_libyaml__})")
    _figures("witness.configuration (libyaml)", fast)
    _figures("pure-Python yaml.SafeLoader", slow)


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _witness(env: dict, *args: str) -> str:
    proc = _run(env, "-m", "witness.cli", *args)
    if proc.returncode != 0:
        sys.exit(f"setting up the store failed at `witness {args[0]}`: {proc.stderr.strip().splitlines()[-1:]}")
    return proc.stdout.strip()


def _fresh_processes(runs: int, keep: bool) -> None:
    home = Path(tempfile.mkdtemp(prefix="witness-startup-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env["WITNESS_HOME"] = str(home / "home")
    try:
        _witness(env, "init", "--admin", "bench-admin")
        _witness({**env, "WITNESS_ACTOR": "bench-admin:admin"}, "user", "add", "amara", "--role", "coordinator")
        env["WITNESS_ACTOR"] = "amara:coordinator"
        case = _witness(env, "intake", str(ROOT / "examples" / "intake-thailand-adult.yaml"))
        commands = {"python -c pass": ["-c", "pass"], "import witness.cli": ["-c", "import witness.cli"],
                    "witness case show": ["-m", "witness.cli", "case", "show", case]}
        print(f"fresh processes ({runs} runs each), load average {os.getloadavg()[0]:.2f} at start")
        for label, args in commands.items():
            seconds = []
            for _ in range(runs):
                t = time.perf_counter()
                proc = _run(env, *args)
                seconds.append(time.perf_counter() - t)
                if proc.returncode != 0:
                    sys.exit(f"{label} failed: {proc.stderr.strip().splitlines()[-1:]}")
            _figures(label, seconds)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        if keep:
            print(f"store kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp store")
    args = parser.parse_args()
    _configuration(args.runs)
    _fresh_processes(args.runs, args.keep)


if __name__ == "__main__":
    main()
