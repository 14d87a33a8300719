"""The `witness` console script: pause the garbage collector for start-up (witness/collector.py),
then run the command line."""
from __future__ import annotations


def main() -> None:
    from witness.collector import pause_collector

    pause_collector()
    from witness.cli import main as run_command

    run_command()
