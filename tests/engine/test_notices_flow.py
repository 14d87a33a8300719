"""The relay flow under a real Prefect engine: it sequences the service and delivers into loopback
servers. The relay's rules are tested without Prefect (tests/integration/test_notices_relay.py)."""
from __future__ import annotations

import pytest

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, victim  # noqa: F401
from witness.services.custody import change_custody

pytestmark = pytest.mark.engine


def test_the_relay_flow_delivers_every_due_notice_once(prefect_server, sqlite_app, smtp_sink, sms_sink, monkeypatch):
    from flows.notices import relay  # imports Prefect: only once the test server is up

    monkeypatch.setenv("WITNESS_HOME", str(sqlite_app.settings.home))
    monkeypatch.setenv("WITNESS_DATABASE_URL", sqlite_app.settings.url)
    monkeypatch.delenv("WITNESS_KEY_FILE", raising=False)
    monkeypatch.setenv("WITNESS_SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setenv("WITNESS_SMS_GATEWAY_URL", sms_sink.url)
    victim(sqlite_app, 1, channels=("sms", "email"))
    victim(sqlite_app, 2)
    change_custody(sqlite_app, COORDINATOR, "EV-1", accused_a(sqlite_app), "released", T0)
    totals = relay(now=T0.isoformat(), batch_size=2)
    assert totals["sent"] == 4 and totals["dead"] == 0
    assert len(sms_sink.messages) == 2 and len(smtp_sink.messages) == 2
    assert {r.status for r in rows(sqlite_app)} == {"sent"}
    assert relay(now=T0.isoformat())["sent"] == 0  # a second run at the same instant sends nothing
