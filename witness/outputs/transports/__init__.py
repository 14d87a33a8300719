"""Channel transports for notices (R-52). Each is small and has one contract:

    transport.send(message) returns when the message was handed over, or raises
    TransportError(message, permanent=...): permanent means trying again cannot help (a refused
    address), temporary means it may (a gateway down, a timeout).

Error texts never carry the recipient's address or anything a server echoed back, because they are
stored with each attempt. Letters (PDF) wait for the documents area: a victim whose only safe
channel is a letter gets a call / visit task until then.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class TransportError(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """One notice, rendered, with its address resolved at the moment of sending."""

    key: str  # the idempotency key: the same on every re-send of this notice
    channel: str
    to: str  # address, phone number, or (worklist) the assignee's user name
    subject: str
    body: str
    urgent: bool = False
    case_id: str | None = None  # pseudonym, for worklist items only
    task_kind: str = "notice_call"
    at: datetime | None = None
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # a stray print or traceback must not show the address
        return f"Message(key={self.key!r}, channel={self.channel!r}, to=<redacted>)"


class Transport(Protocol):
    def send(self, message: Message) -> None: ...


