"""Money never passes through a float (R-91), and every amount has its currency's minor units."""
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import PROFILES
from witness.domain.claim import (Award, Category, Claim, ClaimFigures, Instalment, Item, Payment, RatePer, Status, basis_of,
                                  lost_earnings, make_award, next_due_minor, overdue_minor, shortfall_report,
                                  unpaid_wages)
from witness.domain.money import Currency, Money, parse_amount
from witness.errors import InputProblems

IDR = Currency.of(PROFILES["ID"].currency)
VND = Currency.of(PROFILES["VN"].currency)
THB = Currency.of(PROFILES["TH"].currency)
PHP = Currency.of(PROFILES["PH"].currency)


def test_a_float_is_refused_with_a_message_saying_how_to_give_the_amount():
    with pytest.raises(InputProblems) as exc:
        parse_amount(0.1 + 0.2, THB)
    assert exc.value.problems[0][0] == "amount"
    assert "float" in str(exc.value) and "as text" in str(exc.value)
    with pytest.raises(InputProblems):
        Money.parse(1500000.0, IDR)


def test_a_float_cannot_sneak_into_arithmetic_either():
    with pytest.raises(TypeError):
        Money.parse("10", THB).times(0.5)
    with pytest.raises(TypeError):
        Money(0.3, THB)  # type: ignore[arg-type]


def test_tenths_given_as_text_add_up_exactly():
    a, b = Money.parse("0.1", THB), Money.parse("0.2", THB)
    assert (a + b).amount == Decimal("0.30")
    assert a + b == Money.parse("0.3", THB)
    # Ten payments of 0.10 are exactly one baht: nothing drifts.
    ten = Money.zero(THB)
    for _ in range(10):
        ten = ten + Money.parse("0.10", THB)
    assert ten.amount == Decimal("1.00")


@pytest.mark.parametrize("code, minor", [("IDR", 2), ("VND", 0), ("THB", 2), ("PHP", 2)])
def test_minor_units_come_from_the_profile(code, minor):
    profile = next(p for p in PROFILES.values() if p.currency.code == code)
    assert Currency.of(profile.currency).minor_units == profile.currency.minor_units == minor


def test_an_amount_with_more_decimals_than_the_currency_has_is_refused_not_rounded():
    assert Money.parse("1500000", VND).amount == Decimal("1500000")
    with pytest.raises(InputProblems) as exc:
        Money.parse("1500000.5", VND)
    assert "VND has no decimal places" in str(exc.value)
    # Indonesian writing uses '.' for thousands: "1.000" must not become one rupiah.
    with pytest.raises(InputProblems, match="IDR has 2 decimal places"):
        Money.parse("1.000", IDR)
    assert Money.parse("12.34", PHP).amount == Decimal("12.34")
    with pytest.raises(InputProblems):
        Money.parse("12.345", PHP)


@pytest.mark.parametrize("bad", ["1,500,000", "1 500 000", "", "abc", "-5", "NaN", "Infinity", True, None, [1]])
def test_anything_but_a_plain_non_negative_amount_is_refused(bad):
    with pytest.raises(InputProblems):
        parse_amount(bad, IDR)


def test_ints_and_decimals_are_accepted_and_quantized_to_the_minor_unit():
    assert Money.parse(2500000, IDR).amount == Decimal("2500000.00")
    assert str(Money.parse(Decimal("2500000"), IDR)) == "IDR 2,500,000.00"
    assert str(Money.parse(2500000, VND)) == "VND 2,500,000"
    assert Money.parse("1234.5", THB).minor == 123450
    assert Money.from_minor(123450, THB) == Money.parse("1234.50", THB)
    assert Money.from_minor(987, VND).amount == Decimal("987")


def test_currencies_are_never_mixed():
    with pytest.raises(ValueError):
        Money.parse("1", THB) + Money.parse("1", PHP)


def test_unpaid_wages_for_whole_months_show_their_working():
    rate = Money.parse("2500000", IDR)
    c = unpaid_wages(date(2026, 1, 1), date(2026, 6, 30), rate, RatePer.month)
    assert c.amount == Money.parse("15000000", IDR)  # 6 months x 2.5M
    assert any("6 whole month(s)" in line for line in c.working)


def test_unpaid_wages_prorate_leftover_days_over_the_real_month_length_and_subtract_what_was_paid():
    rate = Money.parse("3100000", IDR)
    # 15 Jan to 20 Mar: two whole months (15 Jan-14 Feb, 15 Feb-14 Mar), then 15-20 Mar = 6 days
    # of the month 15 Mar-14 Apr (31 days): 3,100,000 x 6 / 31 = 600,000.
    c = unpaid_wages(date(2026, 1, 15), date(2026, 3, 20), rate, RatePer.month, Money.parse("1000000", IDR))
    assert c.amount == Money.parse(str(2 * 3100000 + 600000 - 1000000), IDR)
    assert any("6 day(s)" in line and "31 days" in line for line in c.working)
    assert any("Less wages actually paid" in line for line in c.working)


def test_prorated_wages_round_half_up_to_the_minor_unit():
    # 100.00 a week for 1 day = 14.2857... -> 14.29
    c = unpaid_wages(date(2026, 5, 1), date(2026, 5, 1), Money.parse("100", THB), RatePer.week)
    assert c.amount.amount == Decimal("14.29")
    c = unpaid_wages(date(2026, 5, 1), date(2026, 5, 1), Money.parse("100000", VND), RatePer.week)
    assert c.amount.amount == Decimal("14286")


def test_lost_earnings_are_days_in_the_proceedings_times_the_daily_rate():
    c = lost_earnings(12, Money.parse("150000", IDR))
    assert c.amount == Money.parse("1800000", IDR)
    assert "12 day(s)" in c.working[0]
    with pytest.raises(InputProblems):
        lost_earnings(1.5, Money.parse("150000", IDR))  # type: ignore[arg-type]


def test_an_award_schedule_must_add_up_to_the_award_exactly():
    award = Money.parse("1000000", IDR)
    with pytest.raises(InputProblems, match="difference is IDR 0.01"):
        make_award(award, date(2027, 1, 10), None, [Instalment(date(2027, 2, 1), Money.parse("500000", IDR)),
                                                     Instalment(date(2027, 3, 1), Money.parse("499999.99", IDR))],
                   today=date(2027, 1, 10))


def _claim(award_amount="1000", paid=(), schedule=(("2027-02-01", "400"), ("2027-03-01", "600"))):
    sched = tuple(Instalment(date.fromisoformat(d), Money.parse(a, THB)) for d, a in schedule)
    return Claim("CL-1", "W-1", "TH", THB, Status.partially_paid if paid else Status.awarded, "lawyer",
                 items=(Item(Category.medical_costs, Money.parse("1500", THB)),),
                 award=Award(Money.parse(award_amount, THB), date(2027, 1, 10), None, sched),
                 payments=tuple(Payment(date(2027, 2, 1), Money.parse(p, THB)) for p in paid))


def test_an_overpayment_is_refused_and_the_exact_balance_pays_the_claim():
    claim = _claim(paid=("399.99",))
    assert claim.balance == Money.parse("600.01", THB)
    with pytest.raises(InputProblems, match="more than the balance of THB 600.01"):
        claim.after_payment(Money.parse("600.02", THB))
    assert claim.after_payment(Money.parse("600.01", THB)) is Status.paid
    assert claim.after_payment(Money.parse("0.01", THB)) is Status.partially_paid


def test_a_payment_in_another_currency_is_refused():
    with pytest.raises(InputProblems, match="in THB; a payment in USD is refused"):
        _claim().check_payment("USD")


def test_instalments_are_overdue_from_the_day_after_their_due_date_and_payments_cover_the_earliest_first():
    sched = [(date(2027, 2, 1), 400), (date(2027, 3, 1), 600)]
    assert overdue_minor(sched, 0, date(2027, 2, 1)) == []
    assert overdue_minor(sched, 0, date(2027, 2, 2)) == [(1, date(2027, 2, 1), 400)]
    assert overdue_minor(sched, 100, date(2027, 3, 2)) == [(1, date(2027, 2, 1), 300), (2, date(2027, 3, 1), 600)]
    assert overdue_minor(sched, 500, date(2027, 3, 2)) == [(2, date(2027, 3, 1), 500)]
    assert overdue_minor(sched, 1000, date(2028, 1, 1)) == []


def test_the_next_instalment_is_the_first_not_yet_due_and_not_covered_and_owes_what_payments_left_of_it():
    sched = [(date(2027, 2, 1), 400), (date(2027, 3, 1), 600), (date(2027, 4, 1), 500)]
    assert next_due_minor(sched, 0, date(2027, 2, 1)) == (date(2027, 2, 1), 400)  # due today: not yet overdue
    assert next_due_minor(sched, 100, date(2027, 1, 15)) == (date(2027, 2, 1), 300)
    assert next_due_minor(sched, 500, date(2027, 1, 15)) == (date(2027, 3, 1), 500)  # paid ahead: the rest of no. 2
    # Instalment 1 is overdue and takes the 100 paid: the next one is owed in full.
    assert next_due_minor(sched, 100, date(2027, 2, 2)) == (date(2027, 3, 1), 600)
    assert next_due_minor(sched, 1500, date(2027, 1, 1)) is None
    assert next_due_minor(sched, 0, date(2027, 4, 2)) is None  # everything left is overdue


def _next_due_walk(sched, paid, today):
    """The walk the portfolio did before the rule moved into the domain, kept as the reference."""
    covered = paid
    for due_on, amount in sched:
        if covered >= amount:
            covered -= amount
            continue
        if due_on >= today:
            return due_on, amount - covered
        covered = 0
    return None


def test_the_next_instalment_rule_agrees_with_the_instalment_by_instalment_walk_on_every_small_case():
    sched = [(date(2027, 2, 1), 400), (date(2027, 3, 1), 600), (date(2027, 4, 1), 500)]
    days = [date(2027, 1, 31), date(2027, 2, 1), date(2027, 2, 2), date(2027, 3, 1), date(2027, 3, 2),
            date(2027, 4, 1), date(2027, 4, 2)]
    for n in range(1, 4):
        for paid in range(0, 1600, 50):
            for today in days:
                assert next_due_minor(sched[:n], paid, today) == _next_due_walk(sched[:n], paid, today), (n, paid, today)


def test_money_from_minor_units_is_exact_whatever_the_decimal_context():
    import decimal

    with decimal.localcontext(decimal.Context(prec=3)):  # a context that would round a plain product
        m = Money.from_minor(987_654_321_012_345_678, IDR)
    assert m.amount == Decimal("9876543210123456.78") and m.minor == 987_654_321_012_345_678
    assert Money.from_minor(0, IDR).amount.as_tuple() == Decimal("0.00").as_tuple()
    assert Money.from_minor(Decimal(5), VND) == Money.parse("5", VND)
    with pytest.raises(TypeError):
        Money.from_minor(1.0, THB)
    with pytest.raises(TypeError):
        Money.from_minor(True, THB)


def test_singapore_says_there_is_no_statutory_basis_and_lists_the_alternatives():
    basis = basis_of(PROFILES["SG"])
    assert basis.statutory is False
    assert "no statutory restitution" in basis.statement
    assert list(basis.alternatives) == PROFILES["SG"].restitution.alternatives and basis.alternatives
    indonesia = basis_of(PROFILES["ID"])
    assert indonesia.statutory and "Law No 21 of 2007" in indonesia.statement


def test_the_caseload_shortfall_compares_like_with_like_and_never_mixes_currencies():
    f = [ClaimFigures("ID", "IDR", 2, Status.paid, 1000, 800, 500, 500),
         ClaimFigures("ID", "IDR", 2, Status.filed, 700, None, None, 0),
         ClaimFigures("ID", "IDR", 2, Status.rejected, 300, 300, None, 0),
         ClaimFigures("ID", "IDR", 2, Status.withdrawn, 999, None, None, 0),
         ClaimFigures("VN", "VND", 0, Status.partially_paid, 50, None, 40, 10, overdue=5)]
    idr, vnd = shortfall_report(f)
    assert (idr.jurisdiction, idr.currency.code, vnd.jurisdiction) == ("ID", "IDR", "VN")
    assert (idr.claims, idr.withdrawn) == (4, 1)
    assert (idr.calculated, idr.demanded, idr.awarded, idr.paid) == (2000, 1100, 500, 500)
    assert idr.calculated_to_demanded == (1000 - 800) + (300 - 300)
    assert idr.demanded_to_awarded == (800 - 500) + (300 - 0)
    assert idr.calculated_to_awarded == (1000 - 500) + (300 - 0)
    assert idr.awarded_to_paid == 0
    assert (vnd.awarded_to_paid, vnd.overdue, vnd.claims_overdue) == (30, 5, 1)
