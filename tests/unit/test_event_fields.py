"""The event file's fields have the shared limits and refusals (witness.domain.fields): an event is
refused naming `events.N.field`, never repeating the value (issue 10 follow-up)."""
import pytest

from witness.domain.event import parse_event_file

SECRET = "Qoxwyz"


def _custody(**over) -> dict:
    return {"type": "custody", "event_id": "TH-DOC-1", "docket": "TH-SSK-2026-0141", "accused": "Accused A",
            "custody": "released", "occurred_at": "2026-11-02T10:00:00+07:00", **over}


def _case(**over) -> dict:
    return {"type": "case", "event_id": "H-SET-1", "kind": "hearing_set", "cases": ["W-7K3Q9X"],
            "at": "2026-12-14T09:00:00+07:00", "occurred_at": "2026-11-02T10:00:00+07:00", **over}


def _problems(event: dict) -> list[tuple[str, str]]:
    events, problems = parse_event_file({"events": [event]})
    assert events == [None], "a bad event was accepted"
    assert not any(SECRET in msg for _, _, msg in problems)
    return [(path, msg) for _, path, msg in problems]


def test_good_custody_and_case_events_are_read():
    events, problems = parse_event_file({"events": [_custody(), _case(), _case(kind="stage_changed", to_stage="trial")]})
    assert problems == []
    assert events[0].occurred_at.utcoffset().total_seconds() == 7 * 3600
    assert events[2].to_stage == "trial"


@pytest.mark.parametrize("field", ["event_id", "source", "docket", "accused", "accused_id"])
def test_an_escape_sequence_in_an_id_or_label_is_refused_naming_the_field(field):
    [(path, msg)] = _problems(_custody(**{field: f"A\x1b[2K{SECRET}"}))
    assert path == f"events.0.{field}"
    assert "U+001B at position 2" in msg


def test_a_bidi_override_in_the_accused_label_is_refused():
    assert _problems(_custody(accused=f"Accused \u202e{SECRET}")) == [
        ("events.0.accused", "contains a control or invisible character (U+202E at position 9); remove it")]


@pytest.mark.parametrize("field, limit", [("event_id", 120), ("source", 60), ("docket", 80), ("accused", 80)])
def test_an_overlong_id_or_label_is_refused_at_the_column_width(field, limit):
    events, problems = parse_event_file({"events": [_custody(**{field: "x" * limit})]})
    assert problems == []
    [(path, msg)] = _problems(_custody(**{field: "x" * (limit + 1)}))
    assert path == f"events.0.{field}" and str(limit) in msg


def test_an_epoch_number_is_not_an_instant():
    [(path, msg)] = _problems(_custody(occurred_at=1762052400))
    assert path == "events.0.occurred_at" and "ISO-8601" in msg


def test_a_hearing_year_out_of_range_is_refused_by_the_schema():
    assert _problems(_case(at="9999-12-14T09:00:00+07:00")) == [("events.0.at", "must be between 1900 and 2199")]


def test_a_case_that_is_not_a_pseudonym_is_refused():
    [(path, _)] = _problems(_case(cases=["W-7K3Q9X", f"Aung Min {SECRET}"]))
    assert path == "events.0.cases.1"


def test_more_than_500_named_cases_is_refused():
    [(path, msg)] = _problems(_case(cases=["W-7K3Q9X"] * 501))
    assert path == "events.0.cases" and "500" in msg


def test_an_unknown_stage_is_refused_naming_the_stages():
    [(path, msg)] = _problems(_case(kind="stage_changed", to_stage=SECRET))
    assert path == "events.0.to_stage" and "'trial'" in msg
