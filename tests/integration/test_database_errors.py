"""No database error carries the statement's parameters (issue 10.6): the engines are built with
hide_parameters, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy.exc import IntegrityError

from witness.store.tables import audit_head

CANARY = "Canaryname Zyxwvut, 77 Quokkastraat"


def test_a_database_error_hides_the_statements_parameters(app):
    with app.engine.begin() as c:
        c.execute(audit_head.insert().values(id=7, seq=1, mac="a"))
    with pytest.raises(IntegrityError) as failed:
        with app.engine.begin() as c:
            c.execute(audit_head.insert().values(id=7, seq=2, mac=CANARY))
    assert "parameters hidden" in str(failed.value)
    assert "Quokkastraat" not in str(failed.value)
