"""What reaches a terminal: values from the store are shown, never obeyed.

A name, a coordinator id or an accused label may hold ESC sequences, carriage returns or newlines
(typed by someone, or stored by an older version before input was checked). Printed raw, they
recolour the screen, rewrite the line above or forge whole lines of output (`case list` once showed
a made-up case). So every human-readable line goes through `echo`, which shows each control
character as a visible escape, and JSON goes through `json_text`.
"""
from __future__ import annotations

import json
import sys

import typer

# Bidirectional controls reorder what the eye sees (the "Trojan Source" trick, CVE-2021-42574):
# LRE..RLO, LRI..PDI, and the invisible marks LRM, RLM and ALM. U+2028/U+2029 end a line in some
# terminals and viewers. Joiners (ZWJ, ZWNJ) stay: several Southeast Asian scripts need them.
_INVISIBLE = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029])


def _unsafe(ch: str) -> bool:
    o = ord(ch)
    # C0 (tab and newline included: one echo is one line), DEL, C1 (0x9b is a one-byte CSI).
    return o < 0x20 or 0x7F <= o <= 0x9F or o in _INVISIBLE


def _escape(ch: str) -> str:
    o = ord(ch)
    return f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}"


def clean(value: object) -> str:
    """The value as one printable line: every control character becomes a visible escape."""
    text = str(value)
    if not any(_unsafe(ch) for ch in text):
        return text
    return "".join(_escape(ch) if _unsafe(ch) else ch for ch in text)


def echo(line: object = "", err: bool = False) -> None:
    """Print one line of human-readable output (or of an error, with err=True)."""
    typer.echo(clean(line), err=err)


def echo_json(data: object) -> None:
    """Print data as JSON (a command's --json output, a schema)."""
    typer.echo(json_text(data))


def json_text(data: object) -> str:
    """JSON for a terminal. json.dumps already writes C0 characters as JSON \\u escapes (four hex
    digits); with ensure_ascii=False (names stay readable in their own script) it lets DEL, C1 and the
    bidirectional controls through raw, so those are written as \\u escapes too: still valid JSON, the
    same value for a program that reads it."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if not any(_unsafe(ch) for ch in text):
        return text
    # Outside strings JSON has only spaces and newlines, so only string contents change here.
    return "".join(f"\\u{ord(ch):04x}" if _unsafe(ch) and ch != "\n" else ch for ch in text)


def when(value, zone=None) -> str:
    """An instant for a person to read: to the minute, in `zone` when given (a jurisdiction's local
    time), with its offset — never microseconds. None (not set) is shown as "-"."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        from datetime import datetime

        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if zone is not None and getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(zone)
    if not hasattr(value, "hour"):  # a date
        return value.isoformat()
    offset = value.strftime("%z")
    shown = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return f"{value:%Y-%m-%d %H:%M} {shown}"


def instant(value) -> str | None:
    """An instant for JSON: ISO 8601 to the second, with its offset (no microseconds)."""
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if hasattr(value, "hour") else value.isoformat()


def table(headers: list[str], rows: list[list[object]]) -> None:
    """A list with a header row. On a terminal, a rich table; piped or redirected, plain columns
    separated by two spaces (a program or a test reads them the same way every time). Every cell is
    escaped like any other line."""
    cells = [[clean(c) for c in row] for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        t = Table(*headers, box=None, header_style="bold", highlight=False)
        for row in cells:
            t.add_row(*(Text(c) for c in row))  # Text: a value's "[...]" is never read as markup
        Console(highlight=False, emoji=False).print(t)
        return
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    for row in [headers, *cells]:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
