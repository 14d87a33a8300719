"""Today shows each time where it happens (the design brief): stored in UTC, shown in the case's
jurisdiction's zone with its abbreviation; an item about no one case in the coordinator's own zone."""
from datetime import timedelta

from tests.conftest import COORDINATOR, adult_form
from tests.web.conftest import make_person, signed_in_client
from witness.services.intake import open_case
from witness.services.worklist import add_items, item


def _item_line(page: str, detail: str) -> str:
    start = page.rindex('<li class="item', 0, page.index(detail))
    return page[start:page.index("</li>", start)]


def test_today_shows_due_times_in_each_cases_zone_not_utc(app):
    bangkok = open_case(app, COORDINATOR, adult_form())  # TH: Asia/Bangkok, UTC+7
    jakarta = open_case(app, COORDINATOR, adult_form(jurisdiction="ID"))  # Asia/Jakarta, WIB
    due = app.clock.now() + timedelta(days=1)  # 2026-11-03 03:00 UTC
    with app.engine.begin() as conn:
        add_items(conn, [
            item("th", bangkok, "risk_review", "amara", due, app.clock.now(), "review in Bangkok"),
            item("id", jakarta, "risk_review", "amara", due + timedelta(minutes=1), app.clock.now(), "review in Jakarta"),
            item("th2", bangkok, "risk_review", "amara", due + timedelta(minutes=2), app.clock.now(), "second in Bangkok"),
            item("none", None, "custody_reconcile", "amara", due + timedelta(minutes=3), app.clock.now(), "no one case"),
        ])
    page = signed_in_client(app, make_person(app, "amara", "coordinator")).get("/today").text
    assert "2026-11-03 10:00 +07" in _item_line(page, "review in Bangkok")
    assert "2026-11-03 10:01 WIB" in _item_line(page, "review in Jakarta")
    assert "2026-11-03 10:03 +07" in _item_line(page, "no one case")  # most of amara's items are in Bangkok
    assert "UTC" not in page
    assert 'datetime="2026-11-03T03:00:00+00:00"' in page  # the machine-readable instant stays exact
