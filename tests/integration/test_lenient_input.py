"""Input that used to crash a command or slip into the store is refused with a named error and
nothing written, on SQLite and PostgreSQL alike (issue 10, items 3, 6, 7 and 9)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import COORDINATOR, T0, adult_form
from tests.helpers import row_counts
from witness.errors import InputProblems
from witness.services import consent, hearings
from witness.services.intake import open_case

NAME = "Canaryname Zyxwvut"


def _refused(app, call) -> list[tuple[str, str]]:
    before = row_counts(app.engine)
    with pytest.raises(InputProblems) as err:
        call()
    assert row_counts(app.engine) == before
    assert "Zyxwvut" not in str(err.value)
    return err.value.problems


def _form(**over) -> dict:
    form = adult_form(**over)
    form["victim"] = dict(form["victim"], legal_name=NAME)
    return form


@pytest.mark.parametrize("where", ["coordinator", "aliases", "language", "interpreter", "prosecutor"])
def test_ten_megabytes_in_a_field_is_refused_alike_on_both_databases(app, where):
    big = "a" * 10_000_000
    form = _form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    path = {"coordinator": "coordinator", "aliases": "victim.aliases.0", "language": "consents.0.language",
            "interpreter": "consents.0.interpreter", "prosecutor": "proceedings.0.prosecutor"}[where]
    node = form
    *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    if where == "aliases":
        form["victim"]["aliases"] = [""]
    for key in parents:
        node = node[key]
    node[last] = big
    [(field, _)] = _refused(app, lambda: open_case(app, COORDINATOR, form))
    assert field == path


@pytest.mark.parametrize("opened_at", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00-05:00"])
def test_an_opening_in_year_1_or_9999_is_a_named_error_not_an_overflow(app, opened_at):
    assert _refused(app, lambda: open_case(app, COORDINATOR, _form(opened_at=opened_at))) == [
        ("opened_at", "must be between 1900 and 2199")]


def test_an_epoch_number_for_opened_at_does_not_skip_the_offset_rule(app):
    [(field, message)] = _refused(app, lambda: open_case(app, COORDINATOR, _form(opened_at="1762052400")))
    assert field == "opened_at" and "UTC offset" in message


def test_a_date_of_birth_in_year_1_or_after_the_opening_is_refused(app):
    form = _form()
    form["victim"]["date_of_birth"] = "0001-01-01"
    assert _refused(app, lambda: open_case(app, COORDINATOR, form)) == [
        ("victim.date_of_birth", "must be between 1900 and 2199")]
    form["victim"]["date_of_birth"] = (T0 + timedelta(days=400)).date().isoformat()
    assert ("victim.date_of_birth", "is after the day the case is opened") in _refused(
        app, lambda: open_case(app, COORDINATOR, form))


def test_a_coordinator_id_with_a_cyrillic_letter_or_a_colon_is_refused(app):
    for user in ("\u0430mara", "amara:admin"):
        [(field, _)] = _refused(app, lambda: open_case(app, COORDINATOR, _form(coordinator=user)))
        assert field == "coordinator"


def test_an_escape_sequence_in_an_accused_label_never_reaches_the_store(app):
    form = _form()
    form["proceedings"][0]["accused"][0]["label"] = "A\x1b[2K\rW-FAKE1  TH  trial"
    assert _refused(app, lambda: open_case(app, COORDINATOR, form)) == [
        ("proceedings.0.accused.0.label", "contains a control or invisible character (U+001B at position 2); remove it")]


def test_consent_from_the_command_line_checks_the_interpreter_and_the_language(app):
    case = open_case(app, COORDINATOR, _form())
    [(field, _)] = _refused(app, lambda: consent.give(app, COORDINATOR, case, "shelter_stay", "written", "my",
                                                      interpreter="interp\r\n07"))
    assert field == "interpreter"
    [(field, _)] = _refused(app, lambda: consent.give(app, COORDINATOR, case, "shelter_stay", "written", "m" * 10_000_000))
    assert field == "language"


def test_a_hearing_refuses_a_crlf_interpreter_id_and_room_that_would_break_the_calendar_feed(app):
    case = open_case(app, COORDINATOR, _form())
    at = T0 + timedelta(days=30)
    problems = _refused(app, lambda: hearings.add(
        app, COORDINATOR, "TH-SSK-2026-0141", at, at + timedelta(hours=3), room="Room 1\r\nX-INJECTED:1",
        witnesses=[{"case": case, "interpreter": "interp\r\n07"}]))
    assert [p for p, _ in problems] == ["witnesses.0.interpreter"]
    problems = _refused(app, lambda: hearings.add(
        app, COORDINATOR, "TH-SSK-2026-0141", at, at + timedelta(hours=3), room="Room 1\r\nX-INJECTED:1"))
    assert [p for p, _ in problems] == ["room"]


def test_a_calendar_asked_for_an_id_with_crlf_is_a_named_error_not_a_broken_feed(app):
    from witness.services import calendar_feeds

    assert _refused(app, lambda: calendar_feeds.export(app, COORDINATOR, "interpreter", "interp\r\n07")) == [
        ("for", "a user, officer or interpreter id: letters a-z, digits, '.', '_', '-'")]
    assert b"BEGIN:VCALENDAR" in calendar_feeds.export(app, COORDINATOR, "escort", "TH-SSK-F01")
