"""The relay flow under a real Prefect engine: it sequences the service and delivers into loopback
servers. The relay's rules are tested without Prefect (tests/integration/test_notices_relay.py)."""
from __future__ import annotations

from datetime import timedelta

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


def _point_at(monkeypatch, app, smtp_port: int, sms_url: str | None) -> None:
    monkeypatch.setenv("WITNESS_HOME", str(app.settings.home))
    monkeypatch.setenv("WITNESS_DATABASE_URL", app.settings.url)
    monkeypatch.delenv("WITNESS_KEY_FILE", raising=False)
    monkeypatch.setenv("WITNESS_SMTP_PORT", str(smtp_port))
    if sms_url:
        monkeypatch.setenv("WITNESS_SMS_GATEWAY_URL", sms_url)
    else:
        monkeypatch.delenv("WITNESS_SMS_GATEWAY_URL", raising=False)


def _dead_letter_artifact():
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["notice-dead-letters"])))
    assert len(found) == 1
    return found[0]


def test_a_run_whose_urgent_alert_the_smtp_server_refuses_ends_failed_and_shows_the_dead_letter(
        prefect_server, sqlite_app, smtp_sink, monkeypatch):
    import json

    from flows.notices import relay

    _point_at(monkeypatch, sqlite_app, smtp_sink.port, None)  # no SMS gateway configured
    smtp_sink.mode = "permanent"  # 550 to every recipient
    victim(sqlite_app, 1, channels=("sms", "email"))
    change_custody(sqlite_app, COORDINATOR, "EV-1", accused_a(sqlite_app), "released", T0)

    state = relay(now=T0.isoformat(), return_state=True)

    assert state.is_failed()
    # email refused for good, SMS with no transport: both alerts to the victim; the coordinator's copy too
    assert "3 urgent alert(s) could not be delivered in the last minute" in state.message
    assert "retrying 1, dead-lettered 2" in state.message
    dead = {r.id: r for r in rows(sqlite_app, status="dead")}
    artifact = _dead_letter_artifact()
    table = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert {row["notice"] for row in table} == set(dead)
    assert {row["reason"] for row in table} == {"recipient refused: SMTP 550 5.1.1"}
    assert "2 dead-lettered notices" in artifact.description
    shown = json.dumps(table) + artifact.description + state.message
    for secret in ("Legal Name 1 Qwxz", "victim1@mail.example", "Secret Lane", "+66 81 000 0001", "amara@"):
        assert secret not in shown


def test_a_run_that_cannot_reach_the_smtp_server_ends_failed_and_a_clean_run_completes(
        prefect_server, sqlite_app, smtp_sink, monkeypatch):
    import socket

    from flows.notices import relay

    with socket.socket() as s:  # a port nothing listens on: connection refused
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    _point_at(monkeypatch, sqlite_app, closed, None)
    victim(sqlite_app, 1, channels=("email",))
    change_custody(sqlite_app, COORDINATOR, "EV-1", accused_a(sqlite_app), "released", T0)

    state = relay(now=T0.isoformat(), return_state=True)

    assert state.is_failed() and "2 urgent alert(s) could not be delivered" in state.message
    assert {r.status for r in rows(sqlite_app)} == {"queued"}  # to be retried, nothing lost
    # A relay between the runs (the urgent watcher, `witness relay`) fails too: the next run, with
    # nothing of its own to send, still answers for it.
    from witness.services.relay import relay as relay_pass

    relay_pass(sqlite_app, {}, T0 + timedelta(minutes=2))  # no transport at all: both retried again
    state = relay(now=(T0 + timedelta(minutes=2, seconds=30)).isoformat(), return_state=True)
    assert state.is_failed() and "2 urgent alert(s) could not be delivered in the last minute" in state.message
    # The server answers again: the retries go out, and a minute later nothing has failed: green.
    monkeypatch.setenv("WITNESS_SMTP_PORT", str(smtp_sink.port))
    assert relay(now=(T0 + timedelta(minutes=10)).isoformat(), return_state=True).is_completed()
    assert len(smtp_sink.messages) == 2 and {r.status for r in rows(sqlite_app)} == {"sent"}
