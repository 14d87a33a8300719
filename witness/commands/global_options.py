"""Global options anywhere on the line: `witness sweep --now 2026-12-01T10:00:00Z` means the same as
`witness --now 2026-12-01T10:00:00Z sweep`.

click reads an option only at the level that declares it, so `--actor` and `--now` (declared by the
root) after the sub-command were refused as unknown. They are moved in front of the sub-command
before click parses the line — unless the command itself declares an option of that name
(`witness relay --now` is the relay's own instant), and never after `--` (what follows is data).
"""
from __future__ import annotations

GLOBAL = ("--actor", "--now")  # each takes one value


def hoist(root, args: list[str]) -> list[str]:
    """`args` with every global option that follows the sub-command moved to the front. `root` is
    the click command of the application."""
    first = first_command(args)
    if first is None or not any(a.split("=", 1)[0] in GLOBAL for a in args[first:]):
        return args  # the common case costs one scan of the line, no click objects
    command = _leaf(root, args[first:])
    own = {name for p in getattr(command, "params", []) for name in getattr(p, "opts", [])}
    moved, kept = [], args[:first]
    i = first
    while i < len(args):
        token = args[i]
        if token == "--":
            kept.extend(args[i:])
            break
        name = token.split("=", 1)[0]
        if name in GLOBAL and name not in own:
            if "=" in token:
                moved.append(token)
                i += 1
                continue
            moved.extend(args[i:i + 2])  # a missing value stays missing: click says so
            i += 2
            continue
        kept.append(token)
        i += 1
    return moved + kept


def first_command(args: list[str]) -> int | None:
    """Where the sub-command starts: the first word that is neither a root option nor its value."""
    i = 0
    while i < len(args):
        token = args[i]
        if token in GLOBAL:
            i += 2
        elif token.startswith("-"):
            i += 1
        else:
            return i
    return None


def _leaf(root, words: list[str]):
    """The command those words name (`hearing list` -> the list command), as far as they go."""
    command = root
    for word in words:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command = sub
    return command
