"""Call / visit tasks: a notice that cannot go digitally becomes an item on a person's worklist.

Used for a victim with no safe digital channel, for the coordinator's copy of an event when no
staff email is configured, and for escalations. The item key is the notice's idempotency key, so a
re-send after a crash adds nothing. The item's detail is the rendered staff text, which names
pseudonyms only (the worklist never holds personal data).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from witness.outputs.transports import Message, TransportError
from witness.services.worklist import add_items, item

DETAIL_MAX = 500  # worklist.detail


class WorklistTransport:
    def __init__(self, engine: Engine):
        self.engine = engine

    def send(self, message: Message) -> None:
        at = message.at or datetime.now(timezone.utc)
        detail = " ".join(f"{message.subject}: {message.body}".split())
        if len(detail) > DETAIL_MAX:
            detail = detail[:DETAIL_MAX - 1] + "…"
        try:
            with self.engine.begin() as conn:
                add_items(conn, [item(message.key, message.case_id, message.task_kind, message.to, at, at, detail)])
        except OperationalError as exc:
            raise TransportError(f"worklist unavailable ({exc.__class__.__name__})", permanent=False) from None

    def close(self) -> None:
        pass
