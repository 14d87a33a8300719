"""R-70: roles see only what they need; identity reads are audited."""
import pytest
from sqlalchemy import select

from tests.conftest import (ADMIN, AUDITOR, COORDINATOR, ESCORT, OTHER_COORDINATOR, PROSECUTOR, adult_form)
from witness.errors import Forbidden
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.store.tables import audit_log


@pytest.fixture
def case(app):
    return open_case(app, COORDINATOR, adult_form())


def _audit(app):
    with app.engine.connect() as c:
        return [(r.actor, r.action, r.record, r.purpose) for r in c.execute(select(audit_log).order_by(audit_log.c.seq))]


def test_the_assigned_coordinator_sees_identity_and_the_read_is_audited(app, case):
    view = case_service.show(app, COORDINATOR, case)
    assert view["identity"]["address"] == "Room 4, Mahachai Road"
    assert _audit(app)[-1][:3] == ("amara", "identity.read", case)
    assert "address" in _audit(app)[-1][3] and "Mahachai" not in _audit(app)[-1][3]


def test_the_prosecutor_sees_the_name_but_not_where_the_victim_lives(app, case):
    identity = case_service.show(app, PROSECUTOR, case)["identity"]
    assert identity["legal_name"] == "Aung Min Thein"
    assert "address" not in identity and "phone" not in identity


def test_a_coordinator_not_assigned_to_the_case_cannot_open_it_and_the_refusal_is_audited(app, case):
    with pytest.raises(Forbidden, match="not one of your cases"):
        case_service.show(app, OTHER_COORDINATOR, case)
    assert _audit(app)[-1][:3] == ("dewi", "access.denied", case)


@pytest.mark.parametrize("actor", [ESCORT, ADMIN])
def test_escorts_and_admins_cannot_open_case_files(app, case, actor):
    with pytest.raises(Forbidden):
        case_service.show(app, actor, case)


def test_the_auditor_sees_a_pseudonymised_view_only(app, case):
    assert "identity" not in case_service.show(app, AUDITOR, case)
