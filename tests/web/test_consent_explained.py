"""Informed consent on the coordinator's consent page (issue 12, DNH-31): consent to testify without
the information sheet explained is refused with the rule and nothing is written; ticking that it was
explained (in the language and through the interpreter given) records both."""
from sqlalchemy import func, select

from tests.conftest import COORDINATOR, adult_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.services.intake import open_case
from witness.store.return_tables import information_sheets
from witness.store.tables import consents


def _count(app, table, case_id):
    with app.engine.connect() as c:
        n = c.execute(select(func.count()).select_from(table).where(table.c.case_id == case_id)).scalar()
        c.rollback()
    return n


def test_testimony_consent_needs_the_information_sheet_explained_first(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = client.get(f"/cases/{case_id}/consent").text
    assert 'name="explained"' in page
    form = {"csrf": csrf_of(page), "scope": "testimony", "method": "written", "language": "my"}
    refused = client.post(f"/cases/{case_id}/consent", data=form)
    assert refused.status_code == 409 and "DNH-31-informed-consent" in refused.text
    assert _count(app, consents, case_id) == 0 and _count(app, information_sheets, case_id) == 0
    done = client.post(f"/cases/{case_id}/consent", data=dict(form, explained="1"))
    assert done.status_code == 303
    assert _count(app, consents, case_id) == 1 and _count(app, information_sheets, case_id) == 1
