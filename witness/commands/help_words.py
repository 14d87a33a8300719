"""Help in plain words: typer labels every option and argument with its Python type
(`--json <bool>`, `--stage <str>`, `ITEM <int>`), which says nothing to a coordinator, and draws
boxes that a screen reader reads out. Help is plain text here: a flag is shown bare (`--json`), an
option that takes a value by what the value is (`--stage STAGE`), an argument by its name, and no
requirement numbers (R-61) in the text."""
from __future__ import annotations

import re

# "(R-61)", "(R-60, R-61)", "(R-90…R-94)", ", R-23)": the specification's numbers mean nothing to
# the person reading the help; the text around them says what the command does.
_SPEC_REF = re.compile(r"\s*\((?:R-\d+[a-z]?(?:\s*(?:…|\.\.\.|-|–|,)\s*)?)+\)|,\s*R-\d+[a-z]?(?=\))|R-\d+[a-z]?;\s*")


def plain(command) -> None:
    """Plain help for `command` and every sub-command (once per run, before parsing)."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None  # click's plain help text: flags bare, no boxes
    if getattr(command, "help", None):
        command.help = words(command.help)
    for param in getattr(command, "params", []):
        if param.name is None:
            continue
        if getattr(param, "help", None):
            param.help = words(param.help)
        if param.param_type_name == "argument":
            param.display_type_rich = _no_type  # the argument's name says what it is
        elif param.metavar is None:  # a label someone chose stays
            param.metavar = "" if getattr(param, "is_flag", False) else param.name.upper()
    for sub in getattr(command, "commands", {}).values():
        plain(sub)


def _no_type(ctx) -> str:
    return ""


def words(text: str) -> str:
    """The help text without the specification's requirement numbers."""
    return _SPEC_REF.sub("", text) if "R-" in text else text
