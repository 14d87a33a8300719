"""A call / visit task (a victim with no safe digital channel) gives the coordinator the reviewed
text in the victim's language to read out, with the English beside it (issue 14 item 6)."""
from sqlalchemy import select

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.services.custody import change_custody
from witness.services.relay import relay
from witness.store.tables import worklist


def _call_task(app, case_id):
    with app.engine.connect() as c:
        return c.execute(select(worklist.c.detail).where(worklist.c.case_id == case_id,
                                                         worklist.c.kind == "notice_call")).scalar_one()


def test_the_call_task_holds_the_thai_text_to_read_out_and_the_english_gist(app, transports):
    thai = victim(app, 1, language="th", channels=("call",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    relay(app, transports, T0)
    detail = _call_task(app, thai)
    assert "Say it in th (reviewed text): ผู้ถูกกล่าวหาในคดีของคุณถูกปล่อยตัวแล้ว" in detail
    assert "English: The person accused in your case has been released." in detail
    assert "+66 2 000 0001" in detail and len(detail) <= 500 and not detail.endswith("…")


def test_an_english_speaker_gets_the_english_text_once(app, transports):
    english = victim(app, 2, language="en", channels=("call",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    relay(app, transports, T0)
    detail = _call_task(app, english)
    assert "Say it in" not in detail and detail.count("has been released") == 1
