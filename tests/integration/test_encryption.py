"""R-71: field encryption bound to its place; no key, no start; rotation that resumes."""
import pytest
from sqlalchemy import select, update

from tests.conftest import ADMIN, COORDINATOR, adult_form
from witness.bootstrap import build_app
from witness.errors import IntegrityFailure, KeyMissing
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.services.keys import rotate
from witness.settings import Settings
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


def test_rotation_interrupted_after_one_batch_resumes_and_finishes(app):
    ids = []
    for i in range(5):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Victim {i}")
        ids.append(open_case(app, COORDINATOR, form))
    from witness.services import risk
    risk.record(app, COORDINATOR, ids[0], {"trigger": "initial", "victim": {"own_words": "afraid", "fear_scale": 5}})
    first = rotate(app, ADMIN, batch=2, max_batches=1)  # "crashes" after one committed batch
    from witness.services.keys import encrypted_columns

    def rows_by_key():
        seen = {"k1": 0, "k2": 0}
        with app.engine.connect() as c:
            for table, _pk, cols, _bound in encrypted_columns():
                for row in c.execute(select(table)):
                    keys = {getattr(row, col).split(":")[0] for col in cols if getattr(row, col)}
                    for k in keys:
                        seen[k] += 1
        return seen
    halfway = rows_by_key()
    assert 1 <= first.rows <= 2 and halfway["k2"] == first.rows and halfway["k1"] > 0
    rest = rotate(app, ADMIN, new_key=False, batch=2)
    assert rest.active == "k2"
    # Every encrypted column of every area is under the new key, not only identities.
    from witness.services.keys import encrypted_columns
    with app.engine.connect() as c:
        for table, _pk, cols, _bound in encrypted_columns():
            for row in c.execute(select(table)):
                for col in cols:
                    value = getattr(row, col)
                    assert value is None or value.startswith("k2:"), f"{table.name}.{col} not rotated"
    with app.engine.connect() as c:
        for row in c.execute(select(identities)):
            for col in ("legal_name", "phone", "address"):
                value = getattr(row, col)
                assert value is None or value.startswith("k2:")
    assert [case_service.show(app, COORDINATOR, i)["identity"]["legal_name"] for i in ids] == [f"Victim {i}" for i in range(5)]
    # The keyring on disk holds the new key, so a fresh process can read everything.
    from witness.store.crypto import load_keyring
    assert load_keyring(app.settings.keyring_path).active == "k2"
