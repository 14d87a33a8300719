"""`notices.urgent_channels`: what the Today page shows as "tried" beside an urgent alert, for every
urgent case at once — only the cases the person may read, one audit row for each of them."""
from tests.audit_rows import audit_rows
from tests.conftest import COORDINATOR, OTHER_COORDINATOR, adult_form
from witness.services import custody, notices
from witness.services.intake import open_case


def test_urgent_channels_of_several_cases_in_one_read_each_case_audited_and_others_left_out(app):
    mine = [open_case(app, COORDINATOR, adult_form()) for _ in range(2)]
    theirs = open_case(app, OTHER_COORDINATOR, adult_form(coordinator="dewi"))  # same proceeding, not amara's case
    accused = custody.find_accused(app, "TH-SSK-2026-0141", "Accused A")
    custody.change_custody(app, COORDINATOR, "ev-1", accused, "released", app.clock.now())
    before = len(audit_rows(app))

    tried = notices.urgent_channels(app, COORDINATOR, [*mine, theirs, mine[0]])

    assert sorted(tried) == sorted(mine)  # dewi's case is not in amara's answer, not even as empty
    for case_id in mine:  # the release alert by her safe channel (sms), queued: no relay has run
        assert tried[case_id] == [("sms", "queued")]
    rows = audit_rows(app)[before:]
    assert sorted((r.action, r.record) for r in rows) == sorted(("notice.read", c) for c in mine)
    assert {r.actor for r in rows} == {"amara"}

    # The other coordinator reads her own case's channels; no cases, no read.
    assert notices.urgent_channels(app, OTHER_COORDINATOR, [theirs]) == {theirs: [("sms", "queued")]}
    assert notices.urgent_channels(app, COORDINATOR, []) == {}
