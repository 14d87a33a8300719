"""The notices read their configuration from the app's settings, not from the process environment:
a second store (or a test) configures its mail server, SMS gateway, staff directory and templates in
the Settings it builds the App from."""
from witness.outputs.transports.channels import build_transports
from witness.outputs.transports.sms import SmsGatewayTransport

import pytest

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import victim
from witness.domain.events import Judgment
from witness.errors import ConfigError
from witness.services.events import publish
from witness.services.relay import relay


def test_the_transports_are_built_from_the_apps_settings(sqlite_app, monkeypatch):
    monkeypatch.delenv("WITNESS_SMTP_PORT", raising=False)
    monkeypatch.setattr(sqlite_app, "settings", sqlite_app.settings.replace(
        smtp_host="mail.example", smtp_port=2525, sms_gateway_url="https://sms.example/send"))
    built = build_transports(sqlite_app)
    assert {(t.host, t.port) for t in built["email"].members} == {("mail.example", 2525)}
    assert isinstance(built["sms"], SmsGatewayTransport) and built["sms"].url == "https://sms.example/send"


def test_the_relay_reads_the_staff_directory_named_in_the_apps_settings(sqlite_app, tmp_path, monkeypatch):
    case_id = victim(sqlite_app, 1)
    with sqlite_app.uow(COORDINATOR) as uow:
        publish(uow, Judgment(case_ids=[case_id], event_id="J-1"))
        uow.commit()
    missing = tmp_path / "nowhere" / "oncall.yaml"
    monkeypatch.setattr(sqlite_app, "settings", sqlite_app.settings.replace(oncall_file=missing))
    with pytest.raises(ConfigError) as refused:
        relay(sqlite_app, {}, T0)
    assert str(refused.value) == f"{missing}: missing (the on-call list for urgent notices)"
