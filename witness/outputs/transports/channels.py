"""The real channel adapters, built from settings (email over SMTP, SMS through the gateway, call
tasks on the worklist); tests build theirs against loopback servers. Kept out of the package's
__init__: the adapters import the contract from there, so building them there made a loop.
"""
from __future__ import annotations

from witness.outputs.transports import Transport
from witness.outputs.transports.pool import TransportPool
from witness.outputs.transports.sms import SmsGatewayTransport
from witness.outputs.transports.smtp import SmtpTransport
from witness.outputs.transports.worklist import WorklistTransport


# Messages handed over at once: SMTP connections kept open, SMS gateway requests in flight. A few
# are enough to hide the round trips (one connection managed ~100 messages/s into a local server);
# a relay killed mid-batch may send up to this many again, under the same keys.
SMTP_CONNECTIONS = 4
SMS_CONCURRENCY = 4


def build_transports(app) -> dict[str, Transport]:
    """The real adapters, from the app's settings: email and call tasks always, SMS when a gateway is set."""
    s = app.settings
    found: dict[str, Transport] = {
        "email": TransportPool(lambda: SmtpTransport(
            s.smtp_host, s.smtp_port, s.smtp_from, starttls=s.smtp_starttls, username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_seconds), SMTP_CONNECTIONS),
        "worklist": WorklistTransport(app.engine),
    }
    if s.sms_gateway_url:
        found["sms"] = SmsGatewayTransport(s.sms_gateway_url,
                                           s.sms_gateway_token.get_secret_value() if s.sms_gateway_token else None,
                                           timeout=s.sms_timeout_seconds, concurrency=SMS_CONCURRENCY)
    return found
