"""The follow-up sweep, once: `witness sweep [--json]` (the Prefect flow runs the same on a schedule)."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context
from witness.terminal import echo, echo_json, instant, table, when  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    app.command()(sweep)


def sweep(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False):
    """Run every follow-up once (reflection periods, risk reviews, release escalations, claim
    deadlines, ...), as of --now (default: the current time). Progress goes to stderr."""
    from witness.services.sweep import run

    app, actor = context.app(), context.actor()
    at = context.clock().now()
    show = _Progress()
    show.line(f"sweep as of {when(at)}: selecting what is due")
    report = run(app, actor, at, progress=show.step)
    show.finish(sum(report.changed.values()))
    if as_json:
        echo_json({"as_of": instant(report.now),
                   "follow_ups": {n: {"due": report.selected[n], "changed": report.changed[n]} for n in report.selected}})
        return
    echo(f"Sweep as of {when(report.now)}: {sum(report.selected.values())} due, {sum(report.changed.values())} changed")
    table(["FOLLOW-UP", "DUE", "CHANGED"], [[n, report.selected[n], report.changed[n]] for n in report.selected])


class _Progress:
    """Progress on stderr: one line rewritten in place on a terminal, one line per step otherwise
    (counts and follow-up names only: never a case)."""

    def __init__(self) -> None:
        import sys

        self.stream = sys.stderr
        self.live = self.stream.isatty()

    def line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K" + text)
            self.stream.flush()
        else:
            echo(text, err=True)

    def step(self, name: str, done: int, due: int) -> None:
        self.line(f"sweep: {name} {done}/{due} cases")

    def finish(self, changed: int) -> None:
        self.line(f"sweep: done, {changed} changed")
        if self.live:
            self.stream.write("\n")
