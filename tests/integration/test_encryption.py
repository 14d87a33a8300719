"""R-71, R-101a: field encryption bound to its place; no key, no start; data keys wrapped by a KEK from the
shared keyring; KEK rotation that rewraps only and resumes; older values migrate."""
import pytest
from sqlalchemy import delete, select, update

from tests.conftest import ADMIN, COORDINATOR, adult_form
from witness.bootstrap import build_app
from witness.errors import IntegrityFailure, KeyMissing
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.services.keys import rotate
from witness.settings import Settings
from witness.store.crypto import FieldCipher
from witness.store.key_tables import SHARED, data_keys
from witness.store.tables import identities


def _two_cases(app):
    a = open_case(app, COORDINATOR, adult_form())
    other = adult_form()
    other["victim"] = dict(other["victim"], legal_name="Second Victim")
    return a, open_case(app, COORDINATOR, other)


def test_a_ciphertext_copied_to_another_row_fails_to_decrypt(app):
    a, b = _two_cases(app)
    with app.engine.begin() as c:
        stolen = c.execute(select(identities.c.legal_name).where(identities.c.case_id == a)).scalar()
        c.execute(update(identities).where(identities.c.case_id == b).values(legal_name=stolen))
    with pytest.raises(IntegrityFailure, match="does not belong here"):
        case_service.show(app, COORDINATOR, b)
    assert case_service.show(app, COORDINATOR, a)["identity"]["legal_name"] == "Aung Min Thein"


def test_a_ciphertext_moved_to_another_column_fails_to_decrypt(app):
    a, _ = _two_cases(app)
    with app.engine.begin() as c:
        name = c.execute(select(identities.c.legal_name).where(identities.c.case_id == a)).scalar()
        c.execute(update(identities).where(identities.c.case_id == a).values(address=name))
    with pytest.raises(IntegrityFailure):
        case_service.show(app, COORDINATOR, a)


def test_without_a_key_the_system_refuses_to_start(tmp_path):
    settings = Settings(home=tmp_path / "nokey")
    with pytest.raises(KeyMissing, match="refusing to start"):
        build_app(settings)


def _values(app) -> dict:
    """Every stored ciphertext, by (table, primary key, column)."""
    from witness.services.keys import encrypted_columns
    found = {}
    with app.engine.connect() as c:
        for table, pk, cols, _bound in encrypted_columns():
            for row in c.execute(select(table)):
                for col in cols:
                    if getattr(row, col) is not None:
                        found[(table.name, getattr(row, pk), col)] = getattr(row, col)
    return found


def _wrapping(app) -> dict:
    with app.engine.connect() as c:
        return {r.owner: r.kek_id for r in c.execute(select(data_keys))}


def test_rotation_interrupted_after_one_batch_resumes_and_rewraps_only_the_data_keys(app):
    ids = []
    for i in range(5):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Victim {i}")
        ids.append(open_case(app, COORDINATOR, form))
    from witness.services import risk
    risk.record(app, COORDINATOR, ids[0], {"trigger": "initial", "victim": {"own_words": "afraid", "fear_scale": 5}})
    from witness.services import accounts
    accounts.add(app, ADMIN, "amara", "coordinator")  # a second-factor secret: no victim's, so the shared key
    before = _values(app)
    # One data key per victim (the risk answers under the first victim's) and one shared, all under the first KEK.
    assert set(_wrapping(app)) == {*ids, SHARED} and set(_wrapping(app).values()) == {"k1"}
    assert all(v.startswith(("dk:", "dk=")) for v in before.values())
    first = rotate(app, ADMIN, batch=2, max_batches=1)  # "crashes" after one committed batch
    halfway = list(_wrapping(app).values())
    assert first.rows == 2 and halfway.count("k2") == 2 and halfway.count("k1") == 4
    rest = rotate(app, ADMIN, new_key=False, batch=2)
    assert rest.active == "k2" and rest.rows == 4
    assert set(_wrapping(app).values()) == {"k2"}
    # Not one value was re-encrypted: the rotation touched the wrapped data keys only.
    assert _values(app) == before
    assert [case_service.show(app, COORDINATOR, i)["identity"]["legal_name"] for i in ids] == [f"Victim {i}" for i in range(5)]
    # The keyring on disk holds the new key, so a fresh process can read everything.
    from witness.store.crypto import load_keyring
    assert load_keyring(app.settings.keyring_path).active == "k2"
    fresh = build_app(app.settings)
    fresh.engine.dispose()
    fresh.engine = app.engine
    assert case_service.show(fresh, COORDINATOR, ids[4])["identity"]["legal_name"] == "Victim 4"


def test_a_process_holding_the_old_keyring_reads_keys_rewrapped_by_another_machine(app):
    case = open_case(app, COORDINATOR, adult_form())
    other_machine = build_app(app.settings)  # read the shared keyring before the rotation
    other_machine.engine.dispose()
    other_machine.engine = app.engine
    rotate(app, ADMIN)
    assert "k2" not in other_machine.keyring.data_keys
    assert case_service.show(other_machine, COORDINATOR, case)["identity"]["legal_name"] == "Aung Min Thein"
    assert other_machine.keyring.active == "k2"  # it read the shared keyring again


def test_values_stored_before_data_keys_still_decrypt_and_migrate_resumably(app):
    """Stores written before envelope encryption hold `k1:` values directly under the keyring key."""
    from witness.services.keys import migrate
    ids = _two_cases(app)
    from witness.services.keys import encrypted_columns
    legacy = FieldCipher(app.keyring)  # no database: the older form, straight under the keyring key
    with app.engine.begin() as c:
        current = app.cipher.on(c)
        for table, pk, cols, bound in encrypted_columns():
            for row in c.execute(select(table)).all():
                rid = str(getattr(row, bound))
                c.execute(update(table).where(table.c[pk] == getattr(row, pk)).values(**{
                    col: legacy.encrypt(table.name, col, rid, current.decrypt(table.name, col, rid, getattr(row, col)))
                    for col in cols}))
        for case in ids:
            c.execute(update(identities).where(identities.c.case_id == case).values(
                legal_name=legacy.encrypt("identities", "legal_name", case, f"Old {case}")))
        c.execute(delete(data_keys))  # as a store upgraded by migration 0012 has none yet
    assert not any(v.startswith(("dk:", "dk=")) for v in _values(app).values())
    assert case_service.show(app, COORDINATOR, ids[0])["identity"]["legal_name"] == f"Old {ids[0]}"
    assert any(v.startswith("k1:") for v in _values(app).values())
    first = migrate(app, ADMIN, batch=1, max_batches=1)
    assert first == 1 and any(v.startswith("k1:") for v in _values(app).values())
    migrate(app, ADMIN, batch=1)
    assert all(v.startswith(("dk:", "dk=")) for v in _values(app).values())
    assert set(_wrapping(app)) == {*ids}
    assert [case_service.show(app, COORDINATOR, i)["identity"]["legal_name"] for i in ids] == [f"Old {i}" for i in ids]


def test_the_keyring_comes_from_the_environment_secret_when_set(tmp_path, app):
    case = open_case(app, COORDINATOR, adult_form())
    text = app.settings.keyring_path.read_text()
    app.settings.keyring_path.unlink()  # no file on this machine: the secret is in the environment
    settings = Settings(home=tmp_path / "elsewhere", database_url=app.settings.database_url or app.settings.url,
                        keyring=text)
    web = build_app(settings)
    try:
        assert case_service.show(web, COORDINATOR, case)["identity"]["legal_name"] == "Aung Min Thein"
        with pytest.raises(KeyMissing, match="WITNESS_KEYRING, which witness cannot write"):
            rotate(web, ADMIN)
    finally:
        web.engine.dispose()
    with pytest.raises(KeyMissing, match="WITNESS_KEYRING: not a valid witness keyring"):
        build_app(Settings(home=tmp_path / "bad", keyring="{}"))
