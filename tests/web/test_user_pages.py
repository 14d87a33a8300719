"""The admin's accounts pages (R-112) on witness/services/accounts.py: list, add, disable, reset
and assign. A set-up link is shown once, in the answer to the POST that made it, and works; every
refusal is beside its field with nothing changed. On SQLite and PostgreSQL."""
import re

import pyotp
import pytest

from tests.conftest import ADMIN, COORDINATOR, adult_form
from tests.web.conftest import PASSWORD, csrf_of, make_person, signed_in_client, web_client
from witness.services import roster
from witness.services.intake import open_case


@pytest.fixture
def admin(app):
    root = make_person(app, "root-2", "admin")
    client = signed_in_client(app, root)
    return app, client, csrf_of(client.get("/users").text)


def _link_in(html: str) -> str:
    found = re.search(r"<code>(https?://[^<]+/setup/([^<]+))</code>", html)
    assert found, "no set-up link shown"
    return found.group(2)


def test_adding_an_account_shows_its_set_up_link_once_and_the_link_works(admin):
    app, client, token = admin
    answer = client.post("/users", data={"csrf": token, "user": "narin", "role": "legal_aid"})
    assert answer.status_code == 200
    link = _link_in(answer.text)
    listed = client.get("/users").text
    assert "narin" in listed and link not in listed and "set-up link waiting" in listed
    # The person opens the link and sets up the account.
    person = web_client(app)
    setup = person.get(f"/setup/{link}")
    assert setup.status_code == 200
    secret = re.search(r'<code id="totp-key">([A-Z2-7]+)</code>', setup.text).group(1)
    done = person.post(f"/setup/{link}", data={"csrf": csrf_of(setup.text), "password": PASSWORD, "repeat": PASSWORD,
                                                "code": pyotp.TOTP(secret).at(app.clock.now())})
    assert done.status_code == 303
    [narin] = roster.people(app, ADMIN, "narin")
    assert narin["set_up"] and narin["second_factor"] == "enrolled"


@pytest.mark.parametrize("typed, field, says", [
    ({"user": "Amara Siri", "role": "coordinator"}, "user", "user: 2 to 80 letters"),
    ({"user": "narin", "role": "system"}, "role", "role: the system role is for scheduled flows"),
])
def test_a_refused_account_is_explained_beside_its_field_and_nothing_is_created(admin, typed, field, says):
    app, client, token = admin
    answer = client.post("/users", data={"csrf": token, **typed})
    assert answer.status_code == 422
    assert f'<p class="field-error" id="new-{field}-error">{says}' in answer.text
    assert [p["login"] for p in roster.people(app, ADMIN)] == ["root-2"]
    assert "/setup/" not in answer.text


def test_an_account_that_exists_already_is_refused(admin):
    app, client, token = admin
    answer = client.post("/users", data={"csrf": token, "user": "root-2", "role": "auditor"})
    assert answer.status_code == 422 and "user: an account &#39;root-2&#39; exists already" in answer.text


def test_disabling_ends_the_persons_sessions_and_reset_gives_a_new_link(admin):
    app, client, token = admin
    amara = make_person(app, "amara", "coordinator")
    hers = signed_in_client(app, amara)
    assert hers.get("/today").status_code == 200
    assert client.post("/users/amara/disable", data={"csrf": token}).status_code == 303
    assert hers.get("/today").status_code == 303  # back to sign-in
    page = client.get("/users/amara").text
    assert "<dt>State</dt><dd>disabled</dd>" in page
    reset = client.post("/users/amara/reset", data={"csrf": token})
    assert reset.status_code == 200
    assert web_client(app).get(f"/setup/{_link_in(reset.text)}").status_code == 200
    assert _link_in(reset.text) not in client.get("/users/amara").text


def test_assigning_a_case_that_does_not_exist_is_refused_beside_the_field(admin):
    app, client, token = admin
    make_person(app, "hana", "legal_aid")
    case = open_case(app, COORDINATOR, adult_form())
    refused = client.post("/users/hana/assign", data={"csrf": token, "add_case": "W-NOSUCH"})
    assert refused.status_code == 422
    assert '<p class="field-error" id="add-case-error">case.0: no case &#39;W-NOSUCH&#39;</p>' in refused.text
    assert client.post("/users/hana/assign", data={"csrf": token, "add_case": case}).status_code == 303
    [hana] = roster.people(app, ADMIN, "hana")
    assert hana["cases"] == [case]
    assert client.post("/users/hana/assign", data={"csrf": token, "remove_case": case}).status_code == 303
    assert roster.people(app, ADMIN, "hana")[0]["cases"] == []


def test_changing_the_role_ends_the_sessions(admin):
    app, client, token = admin
    lin = make_person(app, "lin", "coordinator")
    hers = signed_in_client(app, lin)
    assert client.post("/users/lin/assign", data={"csrf": token, "role": "auditor"}).status_code == 303
    assert hers.get("/cases").status_code == 303
    assert roster.people(app, ADMIN, "lin")[0]["role"] == "auditor"


def test_nobody_but_an_admin_reaches_the_accounts(app):
    make_person(app, "spare-1", "escort")
    for login, role in (("amara", "coordinator"), ("audit-1", "auditor"), ("hana", "legal_aid")):
        client = signed_in_client(app, make_person(app, login, role))
        token = csrf_of(client.get("/account").text)
        assert client.get("/users").status_code == 404
        assert client.get("/users/spare-1").status_code == 404
        for action in ("disable", "reset", "assign"):
            assert client.post(f"/users/spare-1/{action}", data={"csrf": token}).status_code == 404
        assert client.post("/users", data={"csrf": token, "user": "x-1", "role": "admin"}).status_code == 404
    [spare] = [p for p in roster.people(app, ADMIN) if p["login"] == "spare-1"]
    assert spare["enabled"] and [p["login"] for p in roster.people(app, ADMIN)].count("x-1") == 0
