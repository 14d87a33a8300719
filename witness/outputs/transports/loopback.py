"""Local sinks on loopback for the demonstration, the benchmark and the tests: a real SMTP server
(aiosmtpd) and a tiny HTTP SMS gateway. They record what arrives, and can be told to refuse:
`mode = "accept" | "temporary" | "permanent"` (4xx or 5xx, per the transports' contract).

They bind to 127.0.0.1 only and never forward anything.
"""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    key: str
    to: str
    subject: str
    body: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd on 127.0.0.1; `messages` holds what was accepted, in order."""

    def __init__(self):
        self.messages: list[Received] = []
        self.mode = "accept"
        self.refused = 0
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "permanent":
            with self._lock:
                self.refused += 1
            return "550 5.1.1 mailbox unavailable"
        if self.mode == "temporary":
            with self._lock:
                self.refused += 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        body = mail.get_body(preferencelist=("plain",))
        with self._lock:
            self.messages.append(Received(str(mail["X-Idempotency-Key"]), ",".join(envelope.rcpt_tos),
                                          str(mail["Subject"]), body.get_content().strip() if body else ""))
        return "250 Message accepted"

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SmsSink:
    """A fake SMS gateway: POST JSON {to, text, reference} with X-Idempotency-Key."""

    def __init__(self):
        self.messages: list[Received] = []
        self.mode = "accept"
        self.refused = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length) or b"{}")
                status = {"accept": 202, "temporary": 503, "permanent": 400}[sink.mode]
                if status == 202:
                    sink.messages.append(Received(self.headers.get("X-Idempotency-Key", ""), data.get("to", ""), "",
                                                  data.get("text", "")))
                else:
                    sink.refused += 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "%d"}' % status)

            def log_message(self, *args):  # the test output stays clean, and numbers stay out of logs
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/send"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "SmsSink":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "SmsSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
