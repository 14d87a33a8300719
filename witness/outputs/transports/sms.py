"""SMS through an HTTP gateway: POST JSON {"to", "text", "reference"} to a configurable URL.

Most SMS gateways take this shape with small differences; adapt `_payload` for one that does not.
The idempotency key goes in X-Idempotency-Key (and as `reference`), so a gateway that honours it
drops a re-send after a crash. Status codes decide what is permanent:
2xx delivered to the gateway; 408 and 429 and 5xx temporary (slow, throttled, down);
other 4xx permanent (a malformed number, a refused destination: retrying cannot help).
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from witness.outputs.transports import Message, TransportError

TEMPORARY_STATUS = frozenset({408, 425, 429})


class SmsGatewayTransport:
    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0, concurrency: int = 1):
        if not url.startswith(("http://", "https://")):
            raise ValueError("the SMS gateway URL must be http(s)")
        self.url, self.token, self.timeout = url, token, timeout
        # Each send is its own request, so several threads may send at once; the bound keeps a
        # burst from flooding the gateway (most throttle with 429, which is retried anyway).
        self.concurrency = max(1, concurrency)

    def _payload(self, message: Message) -> dict:
        # The body only: an SMS has no subject, and every extra character costs a segment (Thai,
        # Khmer, Lao and Burmese go as UCS-2: 70 characters a segment instead of 160).
        return {"to": message.to, "text": message.body, "reference": message.key}

    def send(self, message: Message) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Idempotency-Key": message.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=json.dumps(self._payload(message)).encode("utf-8"),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — http(s) checked above
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
            permanent = 400 <= status < 500 and status not in TEMPORARY_STATUS
            # The status only: a gateway's error body may repeat the number.
            raise TransportError(f"SMS gateway answered HTTP {status}", permanent=permanent) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransportError(f"SMS gateway unreachable ({exc.__class__.__name__})", permanent=False) from None

    def close(self) -> None:
        pass
