"""Fixtures for the web workspace: accounts made through the real set-up link, and a signed-in
Starlette TestClient per person. Runs on SQLite and PostgreSQL through the shared `app` fixture."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
import pytest

from witness.domain.access import Role
from witness.services import accounts

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    login: str
    role: Role
    password: str
    secret: str | None

    def code(self, app) -> str:
        """What the person's authenticator shows now. Moves the test clock one 30-second step on
        first, because a code is accepted only once."""
        app.clock.advance(seconds=30)
        return pyotp.TOTP(self.secret).at(app.clock.now()) if self.secret else ""


def make_person(app, login: str, role: str, admin=None) -> Person:
    from tests.conftest import ADMIN

    token = accounts.add(app, admin or ADMIN, login, role)
    enrolment = accounts.enrolment(app, token)
    secret = enrolment.totp_secret
    code = pyotp.TOTP(secret).at(app.clock.now()) if secret else ""
    accounts.complete_setup(app, token, PASSWORD, PASSWORD, code)
    return Person(login, Role(role), PASSWORD, secret)


@pytest.fixture
def person(app):
    return lambda login, role: make_person(app, login, role)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def web_client(app, secure_cookies: bool = False):
    from starlette.testclient import TestClient

    from witness.web.app import create_app

    # A browser sends Secure cookies back only over https.
    return TestClient(create_app(app, secure_cookies=secure_cookies), follow_redirects=False,
                      base_url="https://testserver" if secure_cookies else "http://testserver")


def signed_in_client(app, who: Person):
    """A browser-like client that signed in through the real form (password and, where the role
    needs one, the code the authenticator shows now)."""
    client = web_client(app)
    page = client.get("/signin")
    answer = client.post("/signin", data={"csrf": csrf_of(page.text), "login": who.login, "password": who.password,
                                          "code": who.code(app)})
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def clients(app):
    made = []

    def make(who: Person):
        c = signed_in_client(app, who)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
