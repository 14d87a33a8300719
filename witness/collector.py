"""The cyclic garbage collector waits until a command's start-up is over (see witness/console.py).

A plain command's start is nearly all imports (about 380 modules: SQLAlchemy, pydantic, typer, the
store's tables); each import adds long-lived objects, and the collector walked the growing heap again
and again while they were made — about a sixth of `witness case list` (issue 16, item 7). Nothing
made during imports is garbage, so the console script pauses the collector until the command has its
store (`settle()`, called by `witness.commands.context.app()`); then everything alive is frozen into
the permanent generation (never walked again) and collection resumes for the command's own work. A
command that never asks for the store (`witness serve`, `witness demo`) gets its collector back
after SETTLE_AFTER seconds all the same, from a timer: no process runs long without it.

Only the standard library here, and no witness module: both the console script and the command
context use it.
"""
from __future__ import annotations

import gc
import threading

SETTLE_AFTER = 2.0  # seconds; a plain command is done well before, a long one is barely begun

_lock = threading.Lock()
_settled = True  # a process not started by the console script (tests, `python -m witness.cli`) is never paused


def pause_collector(settle_after: float = SETTLE_AFTER) -> threading.Timer:
    """Stop cyclic collection for start-up; a daemon timer settles after `settle_after` seconds."""
    global _settled
    with _lock:
        _settled = False
        gc.disable()
    timer = threading.Timer(settle_after, settle)
    timer.daemon = True
    timer.start()
    return timer


def settle() -> None:
    """Start-up is over: freeze what the imports made and collect again (idempotent, any thread)."""
    global _settled
    with _lock:
        if _settled:
            return
        _settled = True
        gc.freeze()
        gc.enable()
