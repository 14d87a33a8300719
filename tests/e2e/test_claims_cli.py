"""The claim commands through the real CLI (`python -m witness.cli`, fresh processes, SQLite store):
a claim from item to payment, refusals with exit code 1 and a clear line, and free text that
stays encrypted and out of the outputs of roles without need-to-know."""
import csv
import os
import re
import sqlite3

import pytest
import yaml

from tests.e2e.runner import init_store, table_rows, witness

NOTE = "Quokkanote Zyxwvut rationale"
PAYER = "Quokkapayer Vutsrq"
CANARIES = [NOTE, PAYER, "Quokka"]
NOW = "--now", "2026-11-20T10:00:00+07:00"


def _witness(env, *args, check=True):
    return witness(env, *args, check=check)


@pytest.fixture
def home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ALLOW_CLOCK="1")  # --now
    init_store(env)
    holder = sqlite3.connect(tmp_path / "home" / "witness.db")  # keeps the WAL file for the search below
    holder.execute("select count(*) from cases").fetchall()
    form = {"jurisdiction": "ID", "coordinator": "dewi", "opened_at": "2026-11-02T10:00:00+07:00",
            "victim": {"legal_name": "Cli Victim", "date_of_birth": "1990-01-01", "gender": "female",
                       "nationality": "ID", "preferred_language": "id", "safe_channels": ["call"]}}
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(form))
    case_id = _witness(dict(env, WITNESS_ACTOR="dewi:coordinator"), "intake", str(path)).stdout.strip()
    admin = dict(env, WITNESS_ACTOR="root:admin")
    for login in ("hana", "rahmat"):  # need to know: the lawyer and the prosecutor are put on the case
        _witness(admin, "user", "assign", login, "--case", case_id)
    yield env, case_id, tmp_path
    holder.close()


def test_a_claim_from_calculation_to_payment_through_the_cli(home):
    env, case_id, tmp = home
    lawyer = dict(env, WITNESS_ACTOR="hana:legal_aid")
    outputs = []

    def run(e, *args, check=True):
        proc = _witness(e, *NOW, *args, check=check)
        outputs.append(proc.stdout + proc.stderr)
        return proc

    made = run(lawyer, "claim", "new", case_id, "--judgment-date", "2026-11-19").stdout
    claim = made.split(":")[0]
    assert "Law No 21 of 2007" in made and "within 90 days" in made
    wages = run(lawyer, "claim", "item", claim, "unpaid_wages", "--from", "2026-01-01", "--to", "2026-03-31",
                "--rate", "1500000").stdout
    assert "IDR 4,500,000.00" in wages and "3 whole month(s)" in wages
    run(lawyer, "claim", "item", claim, "emotional_suffering", "5000000", "--note", NOTE)
    refused = run(lawyer, "claim", "item", claim, "medical_costs", "1.000", check=False)
    assert refused.returncode == 1 and refused.stderr.startswith("amount: IDR has 2 decimal places")
    run(lawyer, "claim", "file", claim)
    run(dict(env, WITNESS_ACTOR="rahmat:prosecutor"), "claim", "demand", claim, "9000000")
    award = run(lawyer, "claim", "award", claim, "6000000", "--order-date", "2026-11-20", "--payer", PAYER,
                "--instalment", "2026-12-20=3000000", "--instalment", "2027-01-20=3000000").stdout
    assert "IDR 3,000,000.00 less than the prosecutor demanded" in award
    wrong = run(lawyer, "claim", "pay", claim, "100", "--currency", "USD", "--reference", "W-1", check=False)
    assert wrong.returncode == 1 and wrong.stderr.startswith("currency: the award is in IDR")
    over = run(lawyer, "claim", "pay", claim, "6000000.01", "--currency", "IDR", "--reference", "W-2", check=False)
    assert over.returncode == 1 and "overpayment is refused" in over.stderr
    paid = run(lawyer, "claim", "pay", claim, "3000000", "--currency", "IDR", "--reference", "TRX-1").stdout
    assert "balance IDR 3,000,000.00; partially_paid" in paid
    # The owner sees the free text (kept out of `outputs`): proves the canaries really went in.
    status = _witness(lawyer, "--now", "2027-01-25T10:00:00+07:00", "claim", "status", claim).stdout
    assert NOTE in status and PAYER in status  # the owner sees the free text: the canaries really went in
    assert "OVERDUE: instalment 2 due 2027-01-20, IDR 3,000,000.00 unpaid" in status
    portfolio = run(lawyer, "--now", "2027-01-25T10:00:00+07:00", "claims", "--overdue").stdout
    [line] = table_rows(portfolio)
    assert (line["CLAIM"], line["OVERDUE"], line["BALANCE"]) == (claim, "IDR 3,000,000.00 since 2027-01-20",
                                                                 "IDR 3,000,000.00")
    report_csv = tmp / "report.csv"
    said = run(dict(env, WITNESS_ACTOR="root:admin"), "claims", "report", "--csv", str(report_csv)).stdout
    assert re.match(r"Restitution shortfall as of \d{4}-\d\d-\d\d \d\d:\d\d (UTC|[+-]\d\d:\d\d) \(", said), said[:80]
    [row] = list(csv.DictReader(report_csv.open()))
    assert (row["jurisdiction"], row["calculated"], row["demanded"], row["awarded"], row["paid"]) == (
        "ID", "9500000.00", "9000000.00", "6000000.00", "3000000.00")

    # Roles without need-to-know for the free text, and every other command's output:
    prosecutor = run(dict(env, WITNESS_ACTOR="rahmat:prosecutor"), "claim", "status", claim, "--json").stdout
    assert '"awarded": "6000000.00"' in prosecutor
    assert run(dict(env, WITNESS_ACTOR="budi:legal_aid"), "claim", "status", claim, check=False).returncode == 1
    assert run(dict(env, WITNESS_ACTOR="amara:coordinator"), "claim", "status", claim, check=False).returncode == 1
    shown = "\n".join(outputs)
    for canary in CANARIES:
        assert canary not in shown, f"{canary!r} leaked into CLI output"
    files = [p for p in (tmp / "home").rglob("*") if p.is_file()]
    for p in files:
        for canary in CANARIES:
            assert canary.encode() not in p.read_bytes(), f"{canary!r} found in plaintext in {p.name}"
