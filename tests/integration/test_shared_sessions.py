"""Web sessions live in the store (R-101a): a session begun through one web process is known to
another with the same database and keyring and nothing else in common (no shared memory), and
signing out through the second ends it for the first. Run on SQLite and PostgreSQL."""
from tests.conftest import PROFILES, RISK_POLICY
from tests.web.conftest import make_person
from witness.bootstrap import App
from witness.services import accounts
from witness.settings import Settings
from witness.store.crypto import keyring_from


def test_a_session_begun_on_one_web_process_is_known_to_another_and_ends_on_both(tmp_path, app):
    person = make_person(app, "amara", "coordinator")
    settings = Settings(home=tmp_path / "web-2", database_url=app.settings.url,
                        keyring=app.settings.keyring_path.read_text())
    second = App(settings, app.engine, keyring_from(settings), PROFILES, app.clock, RISK_POLICY)
    raw, first_view = accounts.sign_in(app, "amara", person.password, person.code(app))
    seen = accounts.session(second, raw)
    assert seen is not None and seen.actor == first_view.actor and seen.csrf == first_view.csrf
    accounts.sign_out(second, raw)
    assert accounts.session(app, raw) is None
