"""Restitution claims through the services, on SQLite and PostgreSQL (R-90…R-94).

Expected figures are written out by hand in each test, never computed by the code under test."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from tests.conftest import COORDINATOR, OTHER_COORDINATOR, PROSECUTOR, T0, adult_form, child_form
from tests.people import put_on_case
from witness import wiring
from witness.domain.access import Actor, Role
from witness.domain.events import RestitutionAwarded, RestitutionPaid
from witness.domain.guardrails import ActionKind
from witness.errors import ActionBlocked, Forbidden, IllegalTransition, InputProblems
from witness.services import cases as case_service
from witness.services import claims, reflection
from witness.services import guardrails as guardrail_service
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run
from witness.store.claim_tables import claim_items, claim_payments
from witness.store.claim_tables import claims as claims_table
from witness.store.tables import identities, worklist

LAWYER = Actor("hana", Role.legal_aid)
OTHER_LAWYER = Actor("budi", Role.legal_aid)
TODAY_JAKARTA = "2026-11-02"  # T0 is 10:00 in Jakarta


def _case(app, form, coordinator=COORDINATOR):
    """A case with the lawyer and the prosecutor assigned to it: need to know lets only them act on it."""
    case = open_case(app, coordinator, form)
    put_on_case(app, LAWYER, case)
    put_on_case(app, PROSECUTOR, case)
    return case


def _amount(view, key):
    return view["amounts"][key].amount


def _indonesian_claim(app, coordinator=COORDINATOR):
    case = _case(app, child_form(), coordinator)
    cid = claims.new(app, LAWYER, case)["claim"]
    claims.add_item(app, LAWYER, cid, "medical_costs", "10000000", evidence="RS receipts 1-4")
    claims.add_item(app, LAWYER, cid, "emotional_suffering", "5000000",
                    note="Months of confinement and threats; LPSK psychologist's assessment")
    return case, cid


def test_the_balance_is_exact_after_an_award_and_partial_payments(app):
    case, cid = _indonesian_claim(app)
    claims.file(app, LAWYER, cid)
    claims.demand(app, PROSECUTOR, cid, "12000000")
    claims.award(app, LAWYER, cid, "8000000.10", TODAY_JAKARTA, payer="the convicted person",
                 instalments=[("2026-12-01", "4000000.05"), ("2027-01-01", "4000000.05")])
    first = claims.pay(app, LAWYER, cid, "0.10", "IDR", TODAY_JAKARTA, "TRX-1")
    assert first["status"] == "partially_paid" and first["balance"].amount == Decimal("8000000.00")
    claims.pay(app, LAWYER, cid, "2999999.95", "IDR", TODAY_JAKARTA, "TRX-2")
    view = claims.status(app, LAWYER, cid)
    assert _amount(view, "calculated") == Decimal("15000000.00")
    assert _amount(view, "demanded") == Decimal("12000000.00")
    assert _amount(view, "awarded") == Decimal("8000000.10")
    assert _amount(view, "paid") == Decimal("3000000.05")
    assert _amount(view, "balance") == Decimal("5000000.05")
    assert view["status"] == "partially_paid"
    assert view["shortfalls"]["demanded_to_awarded"].amount == Decimal("3999999.90")
    # The store holds exact integers of minor units, not floats.
    with app.engine.connect() as c:
        assert sorted(c.execute(select(claim_payments.c.amount_minor)).scalars()) == [10, 299999995]
    last = claims.pay(app, LAWYER, cid, "5000000.05", "IDR", TODAY_JAKARTA, "TRX-3")
    assert last["status"] == "paid" and last["balance"].amount == 0


def test_an_overpayment_is_refused_with_a_clear_message_and_nothing_is_written(app):
    _, cid = _indonesian_claim(app)
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "1000000", TODAY_JAKARTA, due_on="2026-12-01")
    claims.pay(app, LAWYER, cid, "600000", "IDR", TODAY_JAKARTA, "TRX-1")
    with pytest.raises(InputProblems) as exc:
        claims.pay(app, LAWYER, cid, "400000.01", "IDR", TODAY_JAKARTA, "TRX-2")
    assert exc.value.problems[0][0] == "amount"
    assert "IDR 400,000.01 is more than the balance of IDR 400,000.00" in str(exc.value)
    assert "overpayment is refused" in str(exc.value)
    with app.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(claim_payments)).scalar() == 1
    assert _amount(claims.status(app, LAWYER, cid), "balance") == Decimal("400000.00")


def test_a_payment_in_the_wrong_currency_is_refused(app):
    _, cid = _indonesian_claim(app)
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "1000000", TODAY_JAKARTA, due_on="2026-12-01")
    with pytest.raises(InputProblems) as exc:
        claims.pay(app, LAWYER, cid, "100", "USD", TODAY_JAKARTA, "WIRE-9")
    assert exc.value.problems[0][0] == "currency"
    assert "award is in IDR" in str(exc.value) and "USD is refused" in str(exc.value)
    with app.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(claim_payments)).scalar() == 0


def test_a_float_amount_is_refused_at_the_service_too(app):
    _, cid = _indonesian_claim(app)
    with pytest.raises(InputProblems, match="float"):
        claims.add_item(app, LAWYER, cid, "medical_costs", 0.1 + 0.2)


def test_a_claim_with_intangible_harm_cannot_be_filed_without_the_reasoning_behind_the_amount(app):
    case = _case(app, child_form())
    cid = claims.new(app, LAWYER, case)["claim"]
    claims.add_item(app, LAWYER, cid, "emotional_suffering", "5000000")
    with pytest.raises(InputProblems) as exc:
        claims.file(app, LAWYER, cid)
    assert exc.value.problems[0][0] == "items.1.note"
    assert claims.status(app, LAWYER, cid)["status"] == "drafting"


def test_wage_and_lost_earnings_items_keep_their_working(app):
    case = _case(app, child_form())
    cid = claims.new(app, LAWYER, case)["claim"]
    wages = claims.add_unpaid_wages(app, LAWYER, cid, "2026-01-01", "2026-03-31", "1500000", "month", less_paid="500000")
    assert wages["amount"].amount == Decimal("4000000.00")  # 3 x 1.5M - 0.5M
    lost = claims.add_lost_earnings(app, LAWYER, cid, 9, "120000")
    assert lost["amount"].amount == Decimal("1080000.00")
    items = claims.status(app, LAWYER, cid)["items"]
    assert [i["category"] for i in items] == ["unpaid_wages", "lost_earnings"]
    assert any("3 whole month(s)" in line for line in items[0]["working"])
    assert "9 day(s)" in items[1]["working"][0]


def test_free_text_is_encrypted_at_rest_and_shown_only_to_the_owner_and_the_coordinator(app):
    case, cid = _indonesian_claim(app)
    with app.engine.connect() as c:
        stored = list(c.execute(select(claim_items.c.note, claim_items.c.evidence)).all())
    assert all("LPSK" not in (v or "") and "receipts" not in (v or "") for row in stored for v in row)
    mine = claims.status(app, LAWYER, cid)
    assert mine["items"][1]["note"].startswith("Months of confinement")
    assert claims.status(app, COORDINATOR, cid)["items"][0]["evidence"] == "RS receipts 1-4"
    prosecutor = claims.status(app, PROSECUTOR, cid)
    assert "note" not in prosecutor["items"][1] and "evidence" not in prosecutor["items"][0]
    with pytest.raises(Forbidden):
        claims.status(app, OTHER_COORDINATOR, cid)
    with pytest.raises(Forbidden):
        claims.add_item(app, OTHER_LAWYER, cid, "other", "1")
    with pytest.raises(Forbidden):
        claims.new(app, COORDINATOR, case)


def test_a_childs_claim_records_that_the_guardian_acts(app):
    case, cid = _indonesian_claim(app)
    view = claims.status(app, LAWYER, cid)
    assert view["guardian_acts"] is True
    assert any("guardian" in a for a in view["advice"])


def test_no_claim_is_made_in_a_childs_name_without_a_guardian_recorded(app):
    case = _case(app, child_form())
    with app.engine.begin() as c:  # as if the guardian's record had been erased
        c.execute(update(identities).where(identities.c.case_id == case).values(guardian_name=None))
    with pytest.raises(ActionBlocked, match="DNH-04-child-guardian: the victim is .presumed. a child and no guardian"):
        claims.new(app, LAWYER, case)
    with app.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(claims_table)).scalar() == 0


def test_award_and_payment_are_published_for_the_notices(app, monkeypatch):
    seen = []
    real = wiring.handlers_for
    monkeypatch.setattr(wiring, "handlers_for", lambda event_type: (lambda uow, event: seen.append(event),)
                        if event_type in (RestitutionAwarded, RestitutionPaid) else real(event_type))
    case, cid = _indonesian_claim(app)
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "1000000", TODAY_JAKARTA, due_on="2026-12-01")
    claims.pay(app, LAWYER, cid, "250000", "IDR", TODAY_JAKARTA, "TRX-1")
    assert [(type(e), e.case_ids) for e in seen] == [(RestitutionAwarded, (case,)), (RestitutionPaid, (case,))]
    assert seen[1].balance == "750000.00" and seen[1].status == "partially_paid"


def _fixture_caseload(app):
    """Five Indonesian claims and one Thai, at different stages (see the figures in the test)."""
    ids = {}
    for name in "ABCDE":
        case = _case(app, child_form())
        ids[name] = claims.new(app, LAWYER, case)["claim"]
    claims.add_item(app, LAWYER, ids["A"], "unpaid_wages", "10000000")
    claims.add_item(app, LAWYER, ids["A"], "emotional_suffering", "5000000", note="rationale")
    claims.add_item(app, LAWYER, ids["B"], "medical_costs", "7000000.25")
    claims.add_item(app, LAWYER, ids["C"], "lost_property", "3000000")
    claims.add_item(app, LAWYER, ids["D"], "other", "2000000")
    claims.add_item(app, LAWYER, ids["E"], "medical_costs", "4000000")
    for name in "ABDE":
        claims.file(app, LAWYER, ids[name])
    claims.demand(app, PROSECUTOR, ids["A"], "12000000")
    claims.demand(app, PROSECUTOR, ids["B"], "7000000.25")
    claims.demand(app, PROSECUTOR, ids["E"], "4000000")
    claims.award(app, LAWYER, ids["A"], "8000000", TODAY_JAKARTA,
                 instalments=[("2026-12-01", "4000000"), ("2027-01-01", "4000000")])
    claims.pay(app, LAWYER, ids["A"], "4000000", "IDR", TODAY_JAKARTA, "T-A1")
    claims.pay(app, LAWYER, ids["A"], "1500000.50", "IDR", TODAY_JAKARTA, "T-A2")
    claims.award(app, LAWYER, ids["B"], "7000000.25", TODAY_JAKARTA, due_on="2026-12-15")
    claims.pay(app, LAWYER, ids["B"], "7000000.25", "IDR", TODAY_JAKARTA, "T-B1")
    claims.resolve(app, LAWYER, ids["D"], "withdrawn", "the victim chose not to pursue it")
    claims.resolve(app, LAWYER, ids["E"], "rejected", "the court awarded nothing")
    thai = _case(app, adult_form())
    ids["F"] = claims.new(app, LAWYER, thai)["claim"]
    claims.add_item(app, LAWYER, ids["F"], "unpaid_wages", "50000.50")
    claims.file(app, LAWYER, ids["F"])
    claims.award(app, LAWYER, ids["F"], "30000", "2026-11-02", due_on="2026-12-01")
    return ids


def test_the_shortfall_report_matches_the_figures_computed_by_hand(app):
    ids = _fixture_caseload(app)
    app.clock.at = datetime(2027, 1, 10, 3, 0, tzinfo=timezone.utc)
    report = claims.report(app, Actor("root-1", Role.admin))
    by = {r.jurisdiction: r for r in report.rows}
    assert set(by) == {"ID", "TH"}
    idr, thb = by["ID"], by["TH"]
    money = lambda row, name: row.money(name).amount  # noqa: E731
    assert (idr.currency.code, idr.claims, idr.withdrawn) == ("IDR", 5, 1)
    assert idr.by_status == {"partially_paid": 1, "paid": 1, "drafting": 1, "withdrawn": 1, "rejected": 1}
    assert money(idr, "calculated") == Decimal("29000000.25")  # A 15M + B 7M.25 + C 3M + E 4M; D withdrawn
    assert money(idr, "demanded") == Decimal("23000000.25")  # 12M + 7M.25 + 4M
    assert money(idr, "awarded") == Decimal("15000000.25")  # 8M + 7M.25 + E rejected 0
    assert money(idr, "paid") == Decimal("12500000.75")  # 5,500,000.50 + 7,000,000.25
    assert money(idr, "calculated_to_demanded") == Decimal("3000000.00")  # (15-12) + 0 + (4-4)
    assert money(idr, "demanded_to_awarded") == Decimal("8000000.00")  # (12-8) + 0 + (4-0)
    assert money(idr, "calculated_to_awarded") == Decimal("11000000.00")  # (15-8) + 0 + (4-0)
    assert money(idr, "awarded_to_paid") == Decimal("2499999.50")  # 8M - 5,500,000.50
    assert money(idr, "overdue") == Decimal("2499999.50") and idr.claims_overdue == 1  # both instalments due by 10 Jan
    assert (thb.currency.code, thb.claims) == ("THB", 1)
    assert money(thb, "calculated") == Decimal("50000.50") and money(thb, "demanded") == 0
    assert money(thb, "calculated_to_awarded") == Decimal("20000.50")
    assert money(thb, "awarded_to_paid") == Decimal("30000.00") and money(thb, "overdue") == Decimal("30000.00")
    portfolio = {r["claim"]: r for r in claims.portfolio(app, LAWYER, overdue_only=True)}
    assert set(portfolio) == {ids["A"], ids["F"]}
    assert portfolio[ids["A"]]["overdue"].amount == Decimal("2499999.50")
    assert portfolio[ids["A"]]["overdue_since"] == date(2027, 1, 1)  # instalment 1 is covered by the payments


def test_the_portfolio_shows_the_next_instalment_and_is_the_lawyers_own(app):
    ids = _fixture_caseload(app)
    app.clock.at = datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc)
    rows = {r["claim"]: r for r in claims.portfolio(app, LAWYER)}
    assert len(rows) == 6
    a = rows[ids["A"]]
    # 5,500,000.50 paid covers instalment 1 (4M) and 1,500,000.50 of instalment 2.
    assert a["overdue"].amount == 0 and a["next_due"][0] == date(2027, 1, 1)
    assert a["next_due"][1].amount == Decimal("2499999.50")
    assert rows[ids["F"]]["overdue"].amount == Decimal("30000.00")
    assert claims.portfolio(app, OTHER_LAWYER) == []
    with pytest.raises(Forbidden):
        claims.portfolio(app, OTHER_LAWYER, lawyer="hana")


def _deadline_items(app):
    with app.engine.connect() as c:
        return c.execute(select(worklist.c.key, worklist.c.assignee, worklist.c.due_at)
                         .where(worklist.c.kind == "claim_filing_deadline")).all()


def test_the_sweep_puts_the_post_judgment_deadline_on_the_lawyers_worklist_on_the_right_jakarta_day_once(app):
    case = _case(app, child_form())
    cid = claims.new(app, LAWYER, case, judgment_date="2026-11-02")["claim"]
    claims.add_item(app, LAWYER, cid, "medical_costs", "1000000")
    # Indonesia: 90 days after the judgment of 2 Nov 2026 is 31 Jan 2027; the lawyer is told 14 days
    # before, i.e. from 17 Jan 2027 in Jakarta, which begins at 16 Jan 2027 17:00 UTC.
    run(app, SYSTEM, datetime(2027, 1, 16, 16, 59, tzinfo=timezone.utc))
    assert _deadline_items(app) == []
    opening = datetime(2027, 1, 16, 17, 0, tzinfo=timezone.utc)
    first = run(app, SYSTEM, opening)
    assert first.changed["claim_filing_deadline"] == 1
    again = run(app, SYSTEM, opening)
    later = run(app, SYSTEM, opening + timedelta(days=3))
    assert again.selected["claim_filing_deadline"] == 0 and later.changed["claim_filing_deadline"] == 0
    [(key, assignee, due_at)] = _deadline_items(app)
    assert assignee == "hana" and key == f"{cid}:claim_filing_deadline:2027-01-31"
    assert due_at == datetime(2027, 1, 30, 17, 0, tzinfo=timezone.utc)  # 31 Jan 00:00 in Jakarta
    claims.file(app, LAWYER, cid)
    with app.engine.connect() as c:
        assert c.execute(select(worklist.c.done_by).where(worklist.c.key == key)).scalar() == "hana"


def test_the_sweep_flags_overdue_instalments_and_unpaid_awards_once(app):
    _, cid = _indonesian_claim(app)
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "1000000", TODAY_JAKARTA,
                 instalments=[("2026-11-20", "400000"), ("2026-12-20", "600000")])
    # 20 Nov is a full day to pay in Jakarta; overdue from 21 Nov 00:00 +07:00 = 20 Nov 17:00 UTC.
    run(app, SYSTEM, datetime(2026, 11, 20, 16, 59, tzinfo=timezone.utc))
    def kinds():
        with app.engine.connect() as c:
            return sorted(c.execute(select(worklist.c.key).where(worklist.c.kind.like("claim%"))).scalars())

    assert kinds() == []
    run(app, SYSTEM, datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc))
    run(app, SYSTEM, datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc))
    assert kinds() == [f"{cid}:claim_instalment_overdue:1:2026-11-20"]
    # 30 days after the order of 2 Nov with nothing paid: 2 Dec in Jakarta.
    run(app, SYSTEM, datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc))
    assert kinds() == [f"{cid}:claim_award_unpaid:2026-11-02", f"{cid}:claim_instalment_overdue:1:2026-11-20"]
    app.clock.at = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)
    claims.pay(app, LAWYER, cid, "400000", "IDR", "2026-12-02", "TRX-1")
    with app.engine.connect() as c:
        open_ = list(c.execute(select(worklist.c.key).where(worklist.c.kind.like("claim%"), worklist.c.done_at.is_(None))))
    assert open_ == []


def test_singapore_says_there_is_no_statutory_basis_and_lists_the_alternatives(app):
    case = _case(app, adult_form(jurisdiction="SG", proceedings=[]))
    made = claims.new(app, LAWYER, case)
    assert made["currency"] == "SGD"
    assert made["basis"]["statutory"] is False
    assert "no statutory restitution" in made["basis"]["statement"]
    assert made["basis"]["alternatives"][0].startswith("Civil suit for damages")
    assert len(made["basis"]["alternatives"]) == 4
    view = claims.status(app, LAWYER, made["claim"])
    assert "not a statutory claim" in view["basis"]["statement"]
    assert any("No statutory basis" in a for a in view["advice"])


def _withdrawn_case(app):
    case = _case(app, adult_form(opened_at=(T0 - timedelta(days=20)).isoformat()))
    reflection.decide(app, COORDINATOR, case, "not_cooperate")
    run(app, SYSTEM, T0)  # moves the case to withdrawn
    return case


def test_a_case_cannot_close_while_its_claim_is_unresolved(app):
    case = _withdrawn_case(app)
    cid = claims.new(app, LAWYER, case)["claim"]
    with pytest.raises(ActionBlocked) as exc:
        case_service.change_stage(app, COORDINATOR, case, "closed", "support plan completed")
    assert cid in str(exc.value) and "unresolved" in str(exc.value)
    claims.resolve(app, LAWYER, cid, "withdrawn", "the victim decided not to claim")
    assert case_service.change_stage(app, COORDINATOR, case, "closed", "support plan completed")["to"] == "closed"


def test_a_foreign_victim_with_a_pending_claim_gets_the_stay_until_resolved_warning(app):
    case = _case(app, adult_form())  # a Myanmar national in Thailand
    with app.uow(COORDINATOR) as uow:
        assert not any(f.rule == "DNH-11-foreign-stay" for f in guardrail_service.check(uow, ActionKind.plan_return, case))
    claims.new(app, LAWYER, case)
    with app.uow(COORDINATOR) as uow:
        rules = [f.rule for f in guardrail_service.check(uow, ActionKind.plan_return, case)]
    assert "DNH-11-foreign-stay" in rules


def test_a_claim_is_not_withdrawn_while_settlement_pressure_is_not_followed_up(app):
    from witness.services import risk
    case = _case(app, child_form())
    cid = claims.new(app, LAWYER, case)["claim"]
    risk.report(app, COORDINATOR, case, "settlement_pressure")
    with pytest.raises(ActionBlocked, match="settle informally"):
        claims.resolve(app, LAWYER, cid, "withdrawn", "family wants to settle")
    risk.report(app, COORDINATOR, case, "settlement_followed_up")
    assert claims.resolve(app, LAWYER, cid, "withdrawn", "victim's informed choice")["status"] == "withdrawn"


def test_illegal_lifecycle_steps_are_refused_with_the_allowed_ones(app):
    _, cid = _indonesian_claim(app)
    with pytest.raises(IllegalTransition, match="allowed: filed, withdrawn"):
        claims.award(app, LAWYER, cid, "1000", TODAY_JAKARTA, due_on="2026-12-01")
    with pytest.raises(IllegalTransition):
        claims.pay(app, LAWYER, cid, "1000", "IDR", TODAY_JAKARTA, "T")
    claims.file(app, LAWYER, cid)
    with pytest.raises(IllegalTransition, match="items are added while drafting"):
        claims.add_item(app, LAWYER, cid, "other", "1")
    with pytest.raises(InputProblems, match="difference is IDR 1.00"):
        claims.award(app, LAWYER, cid, "1000", TODAY_JAKARTA, instalments=[("2026-12-01", "999")])
    with app.engine.connect() as c:
        assert c.execute(select(claims_table.c.status)).scalar() == "filed"


def test_the_case_page_summary_gives_what_is_overdue_and_the_next_instalment_after_a_partial_payment(app):
    """An overdue instalment partly paid is owed in what is left; the next one is owed in full until
    the payments reach it (payments cover the earliest instalment first)."""
    from witness.services.case_summary import summary

    case, cid = _indonesian_claim(app)
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "1000000", "2026-10-20",
                 instalments=[("2026-11-01", "400000"), ("2026-12-20", "600000")])
    claims.pay(app, LAWYER, cid, "100000", "IDR", TODAY_JAKARTA, "TRX-1")

    def line():
        (only,) = summary(app, COORDINATOR, case)["claims"]
        return (only["overdue"] and only["overdue"].amount,
                only["next_due"] and (only["next_due"][0], only["next_due"][1].amount))

    assert line() == (Decimal("300000.00"), (date(2026, 12, 20), Decimal("600000.00")))
    claims.pay(app, LAWYER, cid, "400000", "IDR", TODAY_JAKARTA, "TRX-2")
    assert line() == (None, (date(2026, 12, 20), Decimal("500000.00")))
    claims.pay(app, LAWYER, cid, "500000", "IDR", TODAY_JAKARTA, "TRX-3")
    assert line() == (None, None)


def test_a_batch_of_cases_lists_only_their_unresolved_claims_as_the_single_case_facts_do(app):
    # The batch reads claims by case and keeps the unresolved ones itself (no status filter in SQL).
    case = _case(app, adult_form())
    other = _case(app, adult_form())
    kept = claims.new(app, LAWYER, case)["claim"]
    gone = claims.new(app, LAWYER, case)["claim"]
    claims.resolve(app, LAWYER, gone, "withdrawn", "the victim decided not to claim")
    with app.engine.connect() as conn:
        many = claims.case_facts_many(conn, [case, other], T0)
        one = claims.case_facts(conn, case, T0)
    assert many[case] == one == {"pending_claim": True, "unresolved_claims": (f"{kept} (drafting)",)}
    assert many[other] == {"pending_claim": False, "unresolved_claims": ()}
