"""Terminal output (issue 10.7): control characters in values are shown, never obeyed."""
import ast
import json
from pathlib import Path

import pytest

from witness.terminal import clean, json_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw, shown", [
    ("a\x1b[31mb", "a\\x1b[31mb"),          # ESC: colours, cursor moves, screen clears
    ("a\r\nW-FAKE", "a\\x0d\\x0aW-FAKE"),   # CR/LF: rewritten or forged lines
    ("a\tb", "a\\x09b"),                    # tab: misaligned columns
    ("a\x7fb", "a\\x7fb"),                  # DEL
    ("a\x9b31mb", "a\\x9b31mb"),            # C1 CSI, one byte
    ("a\u202eevil", "a\\u202eevil"),        # right-to-left override
    ("a\u2066b\u2069", "a\\u2066b\\u2069"),  # isolates
    ("a\u2028b", "a\\u2028b"),              # line separator
])
def test_control_characters_are_shown_as_visible_escapes(raw, shown):
    assert clean(raw) == shown


def test_names_in_southeast_asian_scripts_and_their_joiners_are_left_alone():
    for name in ("อรุณี ศรีสุข", "အောင်မင်းသိန်း", "សុខា", "ສົມສັກ", "Nguyễn Thị Hoa", "क्‍ष"):
        assert clean(name) == name


def test_json_for_the_terminal_is_still_the_same_json_value():
    data = {"name": "x\x1b[2J\x9b\x7f\u202e\u2028y", "ok": "ศรีสุข\n"}
    out = json_text(data)
    assert json.loads(out) == data
    for ch in ("\x1b", "\x9b", "\x7f", "\u202e", "\u2028"):
        assert ch not in out
    assert "ศรีสุข" in out  # readable, not \u-escaped


def _direct_echo_calls(path: Path) -> list[int]:
    """Lines calling typer.echo with anything but json_text(...)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "echo"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "typer"):
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "json_text"):
                lines.append(node.lineno)
    return lines


def test_commands_print_through_the_escaping_echo():
    """A command printing a stored value with typer.echo would print it raw: every command module
    prints through witness.terminal.echo (lines) or json_text (JSON)."""
    offenders = {str(p.relative_to(ROOT)): n for p in [ROOT / "witness" / "cli.py", *(ROOT / "witness" / "commands").glob("*.py")]
                 if (n := _direct_echo_calls(p))}
    assert offenders == {}
