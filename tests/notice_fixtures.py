"""Fixtures and builders for the notices tests: real loopback servers (aiosmtpd, an HTTP SMS
gateway), the transports pointed at them, and victims linked to one accused."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from tests.conftest import COORDINATOR, adult_form, child_form
from witness.outputs.transports.loopback import SmsSink, SmtpSink
from witness.outputs.transports.sms import SmsGatewayTransport
from witness.outputs.transports.smtp import SmtpTransport
from witness.outputs.transports.worklist import WorklistTransport
from witness.services.custody import find_accused
from witness.services.intake import open_case
from witness.store.notice_tables import notices
from witness.store.tables import proceeding_accused, proceedings

DOCKET = "TH-SSK-2026-0141"


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sms_sink():
    with SmsSink() as sink:
        yield sink


@pytest.fixture
def transports(app, smtp_sink, sms_sink):
    built = {"email": SmtpTransport("127.0.0.1", smtp_sink.port, "notices@witness.invalid", timeout=5),
             "sms": SmsGatewayTransport(sms_sink.url, timeout=5), "worklist": WorklistTransport(app.engine)}
    yield built
    for t in built.values():
        t.close()


def victim(app, n: int = 0, *, language: str = "my", channels=("sms",), phone: str | None = None,
           email: str | None = None, docket: str = DOCKET, coordinator: str = "amara", **victim_over) -> str:
    """An adult victim of `Accused A` in `docket`, with the contact details the channels need."""
    form = adult_form(coordinator=coordinator)
    contact = {"phone": phone or f"+66 81 000 {n:04d}"}
    if email or "email" in channels:
        contact["email"] = email or f"victim{n}@mail.example"
    form["victim"] = {**form["victim"], "legal_name": f"Legal Name {n} Qwxz", "address": f"{n} Secret Lane, Hidden Town",
                      "preferred_language": language, "safe_channels": list(channels), "contact": contact, **victim_over}
    form["proceedings"][0]["docket"] = docket
    return open_case(app, COORDINATOR if coordinator == "amara" else _actor(coordinator), form)


def _actor(user):
    from witness.domain.access import Actor, Role
    return Actor(user, Role.coordinator)


def child(app, *, guardian_phone: str | None = "+62 812 0000 1111", channels=("sms", "call"), docket: str = DOCKET) -> str:
    form = child_form(jurisdiction="TH")
    form["guardian"] = dict(form["guardian"], phone=guardian_phone, language="id") if guardian_phone else form["guardian"]
    form["victim"] = dict(form["victim"], safe_channels=list(channels), contact={"phone": "+66 85 111 2222"})
    form["proceedings"] = [{"court": "Samut Sakhon Provincial Court", "docket": docket,
                            "accused": [{"label": "Accused A", "custody": "detained", "relationship": "employer"}]}]
    return open_case(app, COORDINATOR, form)


def accused_a(app, docket: str = DOCKET) -> str:
    return find_accused(app, docket, "Accused A")


def link_accused_to(app, accused_id: str, docket: str) -> None:
    """The same accused in a second proceeding (intake makes one accused per proceeding)."""
    with app.engine.begin() as c:
        pid = c.execute(select(proceedings.c.id).where(proceedings.c.docket == docket)).scalar()
        c.execute(insert(proceeding_accused).values(proceeding_id=pid, accused_id=accused_id))


def rows(app, **where):
    with app.engine.connect() as c:
        q = select(notices).order_by(notices.c.created_at, notices.c.case_id, notices.c.recipient, notices.c.channel,
                                     notices.c.repeat_no)
        for k, v in where.items():
            q = q.where(getattr(notices.c, k) == v)
        return c.execute(q).all()
