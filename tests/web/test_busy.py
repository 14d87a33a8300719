"""When SQLite's one writer is held past the busy timeout (many people at once, see
benchmarks/web.py), a page answers 503 with Retry-After and says nothing was changed: not a 500,
and not the 400 "Not done" page that would blame the person's input."""
from tests.web.conftest import csrf_of, make_person, signed_in_client, web_client
from witness.errors import StoreBusy


def _busy(*args, **kwargs):
    raise StoreBusy("the database is busy with another writer; try again (nothing was written)")


def _is_busy_page(answer) -> None:
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "2"
    assert "The system is busy with other people&#39;s work; nothing was changed." in answer.text


def test_a_busy_store_answers_503_wherever_it_is_met(app, monkeypatch):
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get("/account").text)
    with monkeypatch.context() as m:  # inside a page's own service call
        m.setattr("witness.services.worklist.open_items", _busy)
        _is_busy_page(client.get("/today"))
    with monkeypatch.context() as m:  # a form's service call
        m.setattr("witness.services.accounts.set_language", _busy)
        _is_busy_page(client.post("/account/language", data={"csrf": token, "language": "th"}))
    with monkeypatch.context() as m:  # reading the session itself
        m.setattr("witness.services.accounts.session", _busy)
        _is_busy_page(client.get("/cases"))
    signin = web_client(app)
    form = signin.get("/signin")
    with monkeypatch.context() as m:  # signing in
        m.setattr("witness.services.accounts.sign_in", _busy)
        _is_busy_page(signin.post("/signin", data={"csrf": csrf_of(form.text), "login": "amara", "password": "x" * 12}))
    assert client.get("/today").status_code == 200  # and the next try works
