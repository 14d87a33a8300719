"""What a lawyer types into a claim is bounded and named when refused (issue 10 follow-up): dates in
YYYY-MM-DD only, free text with a length limit and no control characters, schedules and computed
amounts that fit the store. Pure domain: witness.domain.claim."""
from datetime import date
from decimal import Decimal

import pytest

from witness.domain.claim import (MAX_INSTALMENTS, EvidenceRef, Instalment, Note, PaymentReference, RatePer, Reason,
                                  date_given, lost_earnings, make_award, text_given, unpaid_wages)
from witness.domain.money import Currency, Money
from witness.errors import InputProblems

IDR = Currency("IDR", 2)
SECRET = "Quokkanote Zyxwvut"


def _refused(call) -> list[tuple[str, str]]:
    with pytest.raises(InputProblems) as err:
        call()
    assert SECRET not in str(err.value)
    return err.value.problems


@pytest.mark.parametrize("typed", ["20260115", "2026-W03-4", "2026-015", "2026-1-15", "15/01/2026", "２０２６-01-15"])
def test_a_date_typed_other_than_yyyy_mm_dd_is_refused_naming_the_field(typed):
    assert _refused(lambda: date_given(typed, "judgment_date")) == [("judgment_date", "write the date as YYYY-MM-DD")]


@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_a_date_outside_1900_to_2199_is_refused(typed):
    assert _refused(lambda: date_given(typed, "order_date")) == [("order_date", "must be between 1900 and 2199")]


def test_a_plain_date_is_read_and_none_stays_none():
    assert date_given(" 2026-01-15 ", "on") == date(2026, 1, 15)
    assert date_given(date(2026, 1, 15), "on") == date(2026, 1, 15)
    assert date_given(None, "on") is None


@pytest.mark.parametrize("kind, limit", [(Note, 5000), (Reason, 2000), (EvidenceRef, 200), (PaymentReference, 120)])
def test_free_text_longer_than_its_kind_is_refused_and_its_limit_accepted(kind, limit):
    assert text_given("x" * limit, kind, "note") == "x" * limit
    [(field, message)] = _refused(lambda: text_given(SECRET + "x" * limit, kind, "note"))
    assert field == "note" and str(limit) in message


def test_a_note_keeps_its_lines_but_not_an_escape_sequence():
    assert text_given("Months of confinement.\nThreats.\r\n", Note, "note") == "Months of confinement.\nThreats."
    assert _refused(lambda: text_given(f"{SECRET}\x1b[2K", Note, "note")) == [
        ("note", "contains a control character (U+001B at position 19); remove it")]


def test_a_reference_is_one_line():
    [(field, message)] = _refused(lambda: text_given(f"TRX-1\n{SECRET}", PaymentReference, "reference"))
    assert field == "reference" and "U+000A" in message


def test_blank_text_is_no_text():
    assert text_given("   ", Note, "note") is None and text_given(None, Note, "note") is None


def test_a_schedule_of_more_instalments_than_any_court_orders_is_refused():
    day = date(2026, 1, 1)
    schedule = [Instalment(date.fromordinal(day.toordinal() + n), Money(Decimal(1), IDR))
                for n in range(MAX_INSTALMENTS + 1)]
    problems = _refused(lambda: make_award(Money(Decimal(MAX_INSTALMENTS + 1), IDR), day, None, schedule, day))
    assert problems == [("schedule", f"at most {MAX_INSTALMENTS} instalments")]


def test_lost_earnings_for_more_days_than_ten_years_are_refused():
    assert _refused(lambda: lost_earnings(100_000, Money(Decimal(100), IDR))) == [
        ("days", "must be at most 3660 (ten years of days)")]


def test_unpaid_wages_that_would_not_fit_the_store_are_a_named_problem_not_a_database_error():
    rate = Money(Decimal("999999999999999"), IDR)
    problems = _refused(lambda: unpaid_wages(date(1900, 1, 1), date(2199, 12, 31), rate, RatePer.day))
    assert problems == [("rate", "the computed amount is larger than any claim this system keeps (10^15); "
                                 "check the rate and the period")]
