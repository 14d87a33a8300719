"""What notices say (R-54, R-55): every language, plain and short, and never who the victim is."""
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, T0
from tests.helpers import dump
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.domain.notice import LANGUAGES, VICTIM_KINDS
from witness.outputs.notice_text import render
from witness.services import relay as relay_service
from witness.services.custody import change_custody
from witness.domain.events import Judgment, StageChanged, case_event
from witness.services.events import publish
from witness.services.relay import relay
from witness.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
SCRIPT = {"th": "THAI", "km": "KHMER", "lo": "LAO", "my": "MYANMAR"}
VALUES = {"call": "+66 2 000 0001", "code": "K7M3Q9", "repeat": 0, "when": "12/11/2026 10:00"}


def test_thai_khmer_lao_and_burmese_have_a_template_for_every_notice_a_victim_can_get():
    for lang in ("th", "km", "lo", "my"):
        for kind in VICTIM_KINDS:
            assert (TEMPLATES / "notices" / lang / f"{kind.value}.txt").is_file(), f"{lang}/{kind.value}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders_in_its_own_language_with_every_value_filled(lang):
    for kind in VICTIM_KINDS:
        text = render(TEMPLATES, kind.value, lang, VALUES)
        assert text.language == lang and not text.fell_back
        assert "{{" not in text.body and "{%" not in text.body
        assert "+66 2 000 0001" in text.body  # every notice says whom to call
        assert len(text.body) < 600 and len(text.subject) < 60  # short, for a person under stress
        if lang in SCRIPT:  # a real translation, in the language's own script
            letters = [ch for ch in text.body if ch.isalpha()]
            own = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(SCRIPT[lang]))
            assert own / len(letters) > 0.95, f"{lang}/{kind.value} is not written in {SCRIPT[lang]} script"
        if lang != "en":
            assert text.body != render(TEMPLATES, kind.value, "en", VALUES).body


def test_release_notices_say_what_happened_what_it_means_and_whom_to_call():
    body = render(TEMPLATES, "accused_released", "en", VALUES).body
    assert "has been released from custody" in body  # what happened
    assert "no longer held" in body and "do not meet them" in body  # what it means for you
    assert "Call +66 2 000 0001 now" in body  # whom to call
    assert "Reply K7M3Q9" in body
    escaped = render(TEMPLATES, "accused_escaped", "en", VALUES).body
    assert "escaped" in escaped and "police are looking" in escaped


def test_subjects_are_discreet_on_a_lock_screen():
    for lang in LANGUAGES:
        for kind in VICTIM_KINDS:
            subject = render(TEMPLATES, kind.value, lang, VALUES).subject.casefold()
            for word in ("accused", "released", "escaped", "court", "traffick", "victim"):
                assert word not in subject, f"{lang}/{kind.value}"


def test_a_repeat_says_it_is_a_reminder_and_a_call_task_has_no_code():
    assert render(TEMPLATES, "accused_released", "en", {**VALUES, "repeat": 2}).body.startswith("Reminder:")
    assert "Reply" not in render(TEMPLATES, "accused_released", "en", {**VALUES, "code": ""}).body


def test_a_template_using_a_value_the_notice_lacks_fails_instead_of_sending_a_gap():
    from witness.outputs.notice_text import TemplateProblem
    with pytest.raises(TemplateProblem, match="hearing_set"):
        render(TEMPLATES, "hearing_set", "th", {"call": "1", "code": "", "repeat": 0})


def test_a_language_without_templates_falls_back_to_english():
    text = render(TEMPLATES, "judgment", "zh", VALUES)
    assert text.language == "en" and text.fell_back


NAMES = ["Canarylegal Qzvxw", "Ohmynamez Prqst"]


def test_canary_no_notice_in_any_language_contains_the_victims_address_or_legal_name(
        app, transports, smtp_sink, sms_sink):
    secrets = []
    for n, lang in enumerate(LANGUAGES):
        name, address = f"Canarylegal{n} Qzvxw", f"{n} Quokkastraat Hidden Lane"
        victim(app, n, language=lang, channels=("sms", "email"), legal_name=name, address=address,
               aliases=[f"Zyxalias{n}"])
        secrets += [name, address, f"Zyxalias{n}", "Quokkastraat"]
    ids = sorted({r.case_id for r in rows(app)} | {c for c in _cases(app)})
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    with app.uow(COORDINATOR) as uow:
        for kind in ("hearing_set", "hearing_moved", "hearing_cancelled"):
            publish(uow, case_event(kind, ids, at=T0 + timedelta(days=9), event_id=f"H-{kind}"))
        for kind in ("judgment", "measure_decided", "restitution_awarded", "restitution_paid", "reflection_ending"):
            publish(uow, case_event(kind, ids, event_id=f"E-{kind}"))
        publish(uow, StageChanged(case_ids=ids, to_stage="trial", event_id="S-1"))
        uow.commit()
    at = T0
    for _ in range(3):  # the first sends and two rounds of repeats
        relay(app, transports, at)
        at += timedelta(minutes=30)
    received = smtp_sink.messages + sms_sink.messages
    assert len({m.key for m in received}) >= len(LANGUAGES) * 12
    for m in received:
        text = (m.subject + "\n" + m.body).casefold()
        assert not any(s.casefold() in text for s in secrets), m.key
    # ...nor anywhere the notices area stores text: params, errors, worklist, audit log.
    stored = repr(dump(app.engine, exclude=("identities", "stage_history", "guardrail_overrides")))
    assert not any(s in stored for s in secrets)


def _cases(app):
    from witness.store.tables import cases
    with app.engine.connect() as c:
        return list(c.execute(select(cases.c.id)).scalars())


def test_a_text_that_would_name_the_victim_is_stopped_and_dead_lettered(app, transports, sms_sink, tmp_path,
                                                                       monkeypatch):
    # A careless edit of a template put a name into it: the content check stops it at send time.
    bad = tmp_path / "templates"
    (bad / "notices" / "my").mkdir(parents=True)
    (bad / "notices" / "my" / "judgment.txt").write_text("Subject\n\nLegal Name 1 Qwxz, call {{ call }}.\n")
    a = victim(app, 1)
    with app.uow(COORDINATOR) as uow:
        publish(uow, Judgment(case_ids=[a], event_id="J-1"))
        uow.commit()
    # The relay reads its templates where the app's settings say (a deployment's own folder).
    monkeypatch.setattr(app, "settings", app.settings.replace(templates_dir=bad))
    relay(app, transports, T0)
    assert sms_sink.messages == []
    r = rows(app, recipient="victim")[0]
    assert r.status == "dead" and "content check" in r.dead_reason
