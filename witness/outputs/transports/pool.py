"""Several connections of one transport, used at once (R-52 throughput).

An SMTP connection carries one message at a time and waits a round trip for each command, so one
connection caps the relay at what the network's latency allows. The pool keeps `size` connections
(each a transport of its own) and lends one to each sending thread; `concurrency` tells the relay
how many messages it may hand over at the same time. Up to `size` messages are then in flight: a
relay killed mid-batch may send that many again, under the same idempotency keys.
"""
from __future__ import annotations

import queue
from typing import Callable

from witness.outputs.transports import Message, Transport


class TransportPool:
    def __init__(self, factory: Callable[[], Transport], size: int):
        if size < 1:
            raise ValueError("a transport pool needs at least one connection")
        self.concurrency = size
        self._all = [factory() for _ in range(size)]
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        for t in self._all:
            self._free.put(t)

    @property
    def members(self) -> tuple:
        """The pool's transports (each one connection)."""
        return tuple(self._all)

    def send(self, message: Message) -> None:
        transport = self._free.get()
        try:
            transport.send(message)
        finally:
            self._free.put(transport)

    def close(self) -> None:
        for t in self._all:
            t.close()
