"""Restitution claim commands: `witness claim new|item|judgment|file|demand|award|pay|resolve|status`,
`witness claims [--lawyer ID] [--overdue]` and `witness claims report [--csv FILE]`.

Amounts are taken as text and handed to the domain unparsed: typer never turns them into floats.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.terminal import echo, echo_json, table, when  # every line escaped; JSON through json_text


def _plain(value):
    """Money as exact text, dates as ISO, for --json and CSV."""
    from datetime import date

    from witness.domain.money import Money

    if isinstance(value, Money):
        return value.plain()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _m(value) -> str:
    return "-" if value is None else str(value)


def _instalments(items: list[str] | None) -> list[tuple[str, str]] | None:
    from witness.errors import InputProblems

    out = []
    for n, raw in enumerate(items or [], start=1):
        due, sep, amount = raw.partition("=")
        if not sep or not due.strip() or not amount.strip():
            raise InputProblems([(f"--instalment {n}", "write DATE=AMOUNT, e.g. 2027-03-01=2500000")])
        out.append((due.strip(), amount.strip()))
    return out or None


def register(app: typer.Typer) -> None:
    claim_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                            help="Restitution and compensation claims, from calculation to the last payment (R-90…R-94).")
    claims_app = typer.Typer(invoke_without_command=True, pretty_exceptions_enable=False,
                             help="A lawyer's claims portfolio; `claims report` for the shortfall across the caseload.")
    app.add_typer(claim_app, name="claim")
    app.add_typer(claims_app, name="claims")

    @claim_app.command("new")
    def claim_new(case_id: str,
                  judgment_date: Annotated[Optional[str], typer.Option(help="Date of the judgment (YYYY-MM-DD), if given: starts the post-judgment filing deadline")] = None,
                  note: Annotated[Optional[str], typer.Option(help="Free text (encrypted)")] = None,
                  as_json: Annotated[bool, typer.Option("--json")] = False):
        """Start a claim for a case; prints its id and the jurisdiction's legal basis."""
        from witness.services.claims import new

        r = new(context.app(), context.actor(), case_id, judgment_date, note)
        if as_json:
            echo_json(_plain(r))
            return
        echo(f"{r['claim']}: claim for {r['case']} in {r['jurisdiction']} ({r['currency']})")
        _basis(r["basis"])
        if r["guardian_acts"]:
            echo("  the victim is (presumed) a child: the guardian recorded on the case acts in this claim (R-15)")

    @claim_app.command("item")
    def claim_item(claim_id: str,
                   category: Annotated[str, typer.Argument(help="emotional_suffering, lost_earnings, unpaid_wages, medical_costs, psychological_treatment, transport_relocation, lost_property, other")],
                   amount: Annotated[Optional[str], typer.Argument(help="Amount in the claim's currency, e.g. 2500000 (not needed with the helpers below)")] = None,
                   evidence: Annotated[Optional[str], typer.Option(help="Evidence reference (encrypted)")] = None,
                   note: Annotated[Optional[str], typer.Option(help="Note; for intangible harm, how the amount was reached (encrypted)")] = None,
                   start: Annotated[Optional[str], typer.Option("--from", help="unpaid_wages: first day worked (YYYY-MM-DD)")] = None,
                   end: Annotated[Optional[str], typer.Option("--to", help="unpaid_wages: last day worked")] = None,
                   rate: Annotated[Optional[str], typer.Option(help="unpaid_wages: the agreed rate")] = None,
                   per: Annotated[str, typer.Option(help="unpaid_wages: the rate is per day, week or month")] = "month",
                   less_paid: Annotated[Optional[str], typer.Option(help="unpaid_wages: wages actually paid for the period")] = None,
                   days: Annotated[Optional[int], typer.Option(help="lost_earnings: days spent on the proceedings")] = None,
                   daily_rate: Annotated[Optional[str], typer.Option(help="lost_earnings: what the victim earns a day")] = None):
        """Add an item. unpaid_wages with --from/--to/--rate and lost_earnings with --days/--daily-rate
        compute the amount and keep the working."""
        from witness.errors import InputProblems
        from witness.services import claims as svc

        a, actor = context.app(), context.actor()
        if category == "unpaid_wages" and rate is not None:
            r = svc.add_unpaid_wages(a, actor, claim_id, start, end, rate, per, less_paid, evidence, note)
        elif category == "lost_earnings" and days is not None:
            r = svc.add_lost_earnings(a, actor, claim_id, days, daily_rate if daily_rate is not None else "", evidence, note)
        elif amount is None:
            raise InputProblems([("amount", "required (or use --from/--to/--rate for unpaid_wages, --days/--daily-rate for lost_earnings)")])
        else:
            r = svc.add_item(a, actor, claim_id, category, amount, evidence, note)
        echo(f"{claim_id} item {r['item']}: {r['category']} {r['amount']}")
        for line in r["working"]:
            echo(f"  {line}")

    @claim_app.command("judgment")
    def claim_judgment(claim_id: str, judgment_date: Annotated[str, typer.Argument(help="YYYY-MM-DD")]):
        """Record the judgment date (starts the profile's post-judgment filing deadline)."""
        from witness.services.claims import set_judgment

        r = set_judgment(context.app(), context.actor(), claim_id, judgment_date)
        deadline = f"; file by {r['filing_deadline'].isoformat()}" if r["filing_deadline"] else ""
        echo(f"{claim_id}: judgment of {r['judgment_date'].isoformat()}{deadline}")

    @claim_app.command("file")
    def claim_file(claim_id: str, on: Annotated[Optional[str], typer.Option(help="Filing date (default: today in the jurisdiction)")] = None):
        """drafting -> filed."""
        from witness.services.claims import file

        r = file(context.app(), context.actor(), claim_id, on)
        echo(f"{claim_id}: filed {r['filed_on'].isoformat()}, calculated {r['calculated']}")
        for w in r["warnings"]:
            echo(f"  warning: {w}")

    @claim_app.command("demand")
    def claim_demand(claim_id: str, amount: str,
                     on: Annotated[Optional[str], typer.Option(help="Date of the demand (default: today)")] = None):
        """Record the amount the prosecutor demanded in court."""
        from witness.services.claims import demand

        r = demand(context.app(), context.actor(), claim_id, amount, on)
        echo(f"{claim_id}: demanded {r['demanded']} on {r['demanded_on'].isoformat()}")

    @claim_app.command("award")
    def claim_award(claim_id: str, amount: str,
                    order_date: Annotated[str, typer.Option(help="Date of the court's order (YYYY-MM-DD)")],
                    payer: Annotated[Optional[str], typer.Option(help="Who must pay (encrypted)")] = None,
                    due: Annotated[Optional[str], typer.Option(help="The whole amount is due on this date")] = None,
                    instalment: Annotated[Optional[list[str]], typer.Option(help="DATE=AMOUNT, repeated; must add up to the award")] = None):
        """filed -> awarded, with the court's schedule."""
        from witness.services.claims import award

        r = award(context.app(), context.actor(), claim_id, amount, order_date, payer, due, _instalments(instalment))
        echo(f"{claim_id}: awarded {r['awarded']} by order of {r['order_date'].isoformat()}")
        for n, (d, a) in enumerate(r["schedule"], start=1):
            echo(f"  instalment {n}: {a} due {d.isoformat()}")
        if r["shortfall_from_demand"] is not None:
            echo(f"  {r['shortfall_from_demand']} less than the prosecutor demanded")

    @claim_app.command("pay")
    def claim_pay(claim_id: str, amount: str,
                  currency: Annotated[str, typer.Option(help="Currency of the amount credited (must be the award's)")],
                  reference: Annotated[str, typer.Option(help="Bank, court or receipt reference (encrypted)")],
                  on: Annotated[Optional[str], typer.Option(help="Date paid (default: today in the jurisdiction)")] = None,
                  note: Annotated[Optional[str], typer.Option(help="Note (encrypted)")] = None):
        """Record a payment received."""
        from witness.services.claims import pay

        r = pay(context.app(), context.actor(), claim_id, amount, currency, on, reference, note)
        echo(f"{claim_id}: {r['paid']} paid {r['paid_on'].isoformat()}; balance {r['balance']}; {r['status']}")

    @claim_app.command("resolve")
    def claim_resolve(claim_id: str,
                      status: Annotated[str, typer.Argument(help="unenforced, substituted_by_imprisonment, state_fund_claimed, rejected, withdrawn")],
                      reason: Annotated[str, typer.Option(help="Why (encrypted)")],
                      override: Annotated[Optional[list[str]], typer.Option(
                          "--override", help="RULE=REASON: override a Do No Harm warning (audited)")] = None):
        """Record how a claim ended without full payment."""
        from witness.services.claims import resolve

        r = resolve(context.app(), context.actor(), claim_id, status, reason, context.overrides(override))
        echo(f"{claim_id}: {r['from']} -> {r['status']}")

    @claim_app.command("status")
    def claim_status(claim_id: str, as_json: Annotated[bool, typer.Option("--json")] = False):
        """A claim: every stage's amount, shortfalls, schedule, payments, what is overdue, the legal basis."""
        from witness.services.claims import status

        v = status(context.app(), context.actor(), claim_id)
        if as_json:
            echo_json(_plain(v))
            return
        _show(v)

    @claims_app.callback()
    def claims_portfolio(ctx: typer.Context,
                         lawyer: Annotated[Optional[str], typer.Option(help="admin: this lawyer's claims (default: your own, or all)")] = None,
                         overdue: Annotated[bool, typer.Option("--overdue", help="Only claims with overdue instalments")] = False,
                         as_json: Annotated[bool, typer.Option("--json")] = False):
        """Your claims, one line each (most urgent questions first: overdue, next due)."""
        if ctx.invoked_subcommand is not None:
            return
        from witness.services.claims import portfolio

        rows = portfolio(context.app(), context.actor(), lawyer, overdue)
        if as_json:
            echo_json(_plain(rows))
            return
        if not rows:
            echo("no claims" + (" with overdue instalments" if overdue else ""))
            return
        table(["CLAIM", "CASE", "STATE", "STATUS", "CALCULATED", "DEMANDED", "AWARDED", "PAID", "BALANCE", "OVERDUE",
               "NEXT DUE"],
              [[r["claim"], r["case"], r["jurisdiction"], r["status"], _m(r["calculated"]), _m(r["demanded"]),
                _m(r["awarded"]), _m(r["paid"]), _m(r["balance"]),
                f"{r['overdue']} since {r['overdue_since'].isoformat()}" if r["overdue_since"] else "-",
                f"{r['next_due'][1]} on {r['next_due'][0].isoformat()}" if r["next_due"] else "-"] for r in rows])

    @claims_app.command("report")
    def claims_report(csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Also write the report as CSV here")] = None,
                      as_json: Annotated[bool, typer.Option("--json")] = False):
        """Shortfall between calculated, demanded, awarded and paid, by jurisdiction (no personal data)."""
        from witness.private_files import refuse_unsafe_target, write_private
        from witness.services.claims import report

        if csv_file is not None:
            refuse_unsafe_target(csv_file, "--csv")
        rep = report(context.app(), context.actor())
        table = _report_table(rep.rows)
        if csv_file is not None:
            import csv
            import io

            text = io.StringIO(newline="")
            w = csv.DictWriter(text, fieldnames=list(table[0]) if table else ["jurisdiction"])
            w.writeheader()
            w.writerows(table)
            write_private(csv_file, text.getvalue(), "--csv")
        if as_json:
            echo_json(table)
            return
        echo(f"Restitution shortfall as of {when(rep.as_of)} (each shortfall over the claims that reached the later stage)")
        for r in rep.rows:
            m = r.money
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(r.by_status.items()))
            echo()
            echo(f"{r.jurisdiction} ({r.currency.code}): {r.claims} claims ({statuses})")
            echo(f"  calculated  {m('calculated')}")
            echo(f"  demanded    {m('demanded')}   short of calculated by {m('calculated_to_demanded')}")
            echo(f"  awarded     {m('awarded')}   short of demanded by {m('demanded_to_awarded')}, "
                       f"of calculated by {m('calculated_to_awarded')}")
            echo(f"  paid        {m('paid')}   unpaid of awards {m('awarded_to_paid')}; overdue {m('overdue')} "
                       f"on {r.claims_overdue} claim(s)")
        if csv_file is not None:
            echo()
            echo(f"CSV written to {csv_file}")


def _report_table(rows) -> list[dict]:
    from witness.domain.claim import Status

    out = []
    for r in rows:
        line = {"jurisdiction": r.jurisdiction, "currency": r.currency.code, "claims": r.claims, "withdrawn": r.withdrawn}
        for name in r.MONEY:
            line[name] = r.money(name).plain()
        line["claims_overdue"] = r.claims_overdue
        for s in Status:
            line[f"status_{s.value}"] = r.by_status.get(s.value, 0)
        out.append(line)
    return out


def _basis(b: dict) -> None:
    echo(f"  {b['statement']}")
    for alt in b["alternatives"]:
        echo(f"    - {alt}")
    if b["state_fund"]:
        echo(f"  state fund: {b['state_fund']}")
    if b["post_judgment_deadline_days"]:
        echo(f"  post-judgment application: within {b['post_judgment_deadline_days']} days of the judgment")


def _show(v: dict) -> None:
    echo(f"{v['claim']}  case {v['case']}  {v['jurisdiction']} ({v['currency']})  status {v['status']}  "
               f"lawyer {v['lawyer']}  as of {v['as_of'].isoformat()}")
    _basis(v["basis"])
    if v["guardian_acts"]:
        echo("  the guardian recorded on the case acts for the child (R-15)")
    if v["judgment_date"]:
        deadline = f"; file by {v['filing_deadline'].isoformat()}" if v["filing_deadline"] else ""
        echo(f"  judgment {v['judgment_date'].isoformat()}{deadline}")
    if v["filed_on"]:
        echo(f"  filed {v['filed_on'].isoformat()}")
    echo("  items:")
    for i in v["items"]:
        tag = " [intangible]" if i["intangible"] else ""
        ev = f"  evidence: {i['evidence']}" if i.get("evidence") else ""
        echo(f"    {i['n']}. {i['label']}{tag}  {i['amount']}{ev}")
        if i.get("note"):
            echo(f"       note: {i['note']}")
        for line in i["working"]:
            echo(f"       {line}")
    a, s = v["amounts"], v["shortfalls"]
    echo(f"  calculated  {_m(a['calculated'])} (of which intangible {_m(a['intangible'])})")
    echo(f"  demanded    {_m(a['demanded'])}" + (f"   short of calculated by {s['calculated_to_demanded']}" if s["calculated_to_demanded"] is not None else ""))
    echo(f"  awarded     {_m(a['awarded'])}" + (f"   short of demanded by {s['demanded_to_awarded']}" if s["demanded_to_awarded"] is not None else "")
               + (f"; of calculated by {s['calculated_to_awarded']}" if s["calculated_to_awarded"] is not None else ""))
    echo(f"  paid        {_m(a['paid'])}   balance {_m(a['balance'])}")
    if v["award"]:
        payer = f", payer {v['award']['payer']}" if v["award"].get("payer") else ""
        echo(f"  award: order of {v['award']['order_date'].isoformat()}{payer}")
        for i in v["award"]["schedule"]:
            echo(f"    instalment {i['n']}: {i['amount']} due {i['due_on'].isoformat()}")
    for p in v["payments"]:
        ref = f"  ref {p['reference']}" if p.get("reference") else ""
        echo(f"  paid {p['paid_on'].isoformat()}: {p['amount']}{ref}")
    for o in v["overdue"]:
        echo(f"  OVERDUE: instalment {o['n']} due {o['due_on'].isoformat()}, {o['unpaid']} unpaid")
    if v.get("resolution_reason"):
        echo(f"  ended: {v['resolution_reason']}")
    for line in v["advice"]:
        echo(f"  - {line}")
