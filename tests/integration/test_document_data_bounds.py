"""A `--data` file that is wrong is refused by name before any document is gathered or rendered, on
SQLite and PostgreSQL (issue 10 follow-up): an amount Decimal() cannot read and a late reason that is
not text used to end in a traceback."""
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import COORDINATOR, PROSECUTOR, T0, adult_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.errors import InputProblems
from witness.services import consent
from witness.services.documents import Request, generate
from witness.services.intake import open_case
from witness.store.document_tables import documents
from witness.store.risk_tables import risk_assessments
from witness.store.tables import audit_log

LEGAL_AID = Actor("narin", Role.legal_aid)


@pytest.fixture
def fisher(app):
    """A case on which every document could be made: consent to testify and a risk assessment (the
    grounds of an application), so the refusal tested is the data file's and not a missing fact."""
    case_id = open_case(app, COORDINATOR, adult_form())
    put_on_case(app, LEGAL_AID, case_id)
    consent.give(app, COORDINATOR, case_id, "testimony", "written", "my", interpreter="interp-07", explained=True)
    with app.engine.begin() as c:
        c.execute(insert(risk_assessments).values(
            id=str(uuid.uuid4()), case_id=case_id, at=T0, assessor="amara", trigger="intake", level="high", score=30,
            victim_scale=8, answers="(encrypted)", next_review_at=T0 + timedelta(days=14),
            factors=json.dumps([{"factor": "threats_to_family", "weight": 15}]), recommended=json.dumps(["screen"])))
    return case_id


def _refused(app, actor, request) -> list[tuple[str, str]]:
    def rows():
        with app.engine.connect() as c:
            return [c.execute(select(func.count()).select_from(t)).scalar() for t in (documents, audit_log)]

    before = rows()
    with pytest.raises(InputProblems) as err:
        generate(app, actor, request, renderer=object())  # never reached: nothing is rendered
    assert rows() == before
    return err.value.problems


def test_a_claim_item_amount_that_is_not_digits_is_a_named_problem(app, fisher):
    request = Request("restitution_claim", fisher, supplement={"items": [{"category": "other", "amount": "abc"}]})
    assert _refused(app, LEGAL_AID, request) == [
        ("data.items.0.amount", "write the amount as text: at most 18 digits 0-9 with '.' as the decimal point, "
                                "e.g. '151200.00'")]


def test_a_late_reason_that_is_not_text_is_a_named_problem(app, fisher):
    request = Request("protective_measures", fisher,
                      supplement={"hearing": {"at": "2026-11-03T09:00:00+07:00"}, "late_reason": 5})
    assert _refused(app, PROSECUTOR, request) == [("data.late_reason", "Input should be a valid string")]
