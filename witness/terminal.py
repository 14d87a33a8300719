"""What reaches a terminal: values from the store are shown, never obeyed.

A name, a coordinator id or an accused label may hold ESC sequences, carriage returns or newlines
(typed by someone, or stored by an older version before input was checked). Printed raw, they
recolour the screen, rewrite the line above or forge whole lines of output (`case list` once showed
a made-up case). So every human-readable line goes through `echo`, which shows each control
character as a visible escape, and JSON goes through `json_text`.
"""
from __future__ import annotations

import json

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
    """JSON for a terminal. json.dumps already writes C0 characters as \\u00XX; with
    ensure_ascii=False (names stay readable in their own script) it lets DEL, C1 and the
    bidirectional controls through raw, so those are written as \\uXXXX too: still valid JSON, the
    same value for a program that reads it."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if not any(_unsafe(ch) for ch in text):
        return text
    # Outside strings JSON has only spaces and newlines, so only string contents change here.
    return "".join(f"\\u{ord(ch):04x}" if _unsafe(ch) and ch != "\n" else ch for ch in text)
