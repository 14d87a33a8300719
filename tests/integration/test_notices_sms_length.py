"""The urgent release SMS (R-53, issue 14 item 6): the reply code and the essential sentence first,
within two segments in every language, counted as the phone counts them (GSM-7 or UCS-2)."""
import pytest

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.domain.notice import LANGUAGES, URGENT_KINDS
from witness.domain.sms import segments, split
from witness.outputs.notice_text import render
from witness.services.custody import change_custody
from witness.services.relay import relay
from witness.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
LONGEST_NUMBER = "+62 812 3456 7890"  # an Indonesian mobile as printed: longer than any helpline on file


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(URGENT_KINDS))
@pytest.mark.parametrize("repeat", [0, 3])
def test_the_urgent_sms_fits_two_segments_with_its_code_in_the_first(lang, kind, repeat):
    text = render(TEMPLATES, f"{kind.value}.sms", lang, {"call": LONGEST_NUMBER, "code": "K7M3Q9", "repeat": repeat})
    assert text.language == lang and not text.fell_back
    assert segments(text.body) <= 2, f"{lang}/{kind.value}: {segments(text.body)} segments"
    assert "K7M3Q9" in split(text.body)[0]
    assert LONGEST_NUMBER in text.body  # whom to call, whole
    assert text.body.index("K7M3Q9") < 40  # the code leads: no sentence before it


def test_the_relay_sends_each_language_its_short_sms_and_the_long_text_by_email(app, transports, sms_sink, smtp_sink):
    for n, lang in enumerate(LANGUAGES):
        victim(app, n, language=lang, channels=("sms", "email"))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    relay(app, transports, T0)
    by_key = {r.idempotency_key: r for r in rows(app)}
    assert len(sms_sink.messages) == len(LANGUAGES)
    for m in sms_sink.messages:
        row = by_key[m.key]
        code = app.cipher.decrypt("notices", "ack_code", row.group_key, row.ack_code)
        assert segments(m.body) <= 2, (row.language, m.body)
        assert code in split(m.body)[0], row.language
    # Email has room for the whole text: what happened, what it means, whom to call.
    english = next(m for m in smtp_sink.messages if by_key[m.key].language == "en")
    assert "no longer held" in english.body and "do not meet them" in english.body
