"""What the demonstration's report must show (issue 14, acceptance): a notice that cannot be
delivered is a dead letter listed with its reason, and its coordinator is given the task of reaching
the victim another way — a failure never looks like a success."""
import re

from tests.conftest import ADMIN
from tests.e2e.conftest import TODAY
from witness.bootstrap import build_app
from witness.clock import FixedClock
from witness.services import notices, worklist
from witness.settings import Settings


def test_the_report_lists_each_dead_letter_with_its_reason(demo):
    report = demo.report.read_text()
    listed = re.search(r"^- Dead-letter list: (\d+) notices?\.", report, re.M)
    assert listed and int(listed.group(1)) >= 1
    letters = re.findall(r"^- `(W-\w+) (\w+) -> (\w+) by (\w+) \((\w+)\): dead after \d+ tr(?:y|ies), reason: (.+)`$",
                         report, re.M)
    assert len(letters) == int(listed.group(1))
    assert {(kind, channel, reason) for _, kind, _, channel, _, reason in letters} == {
        ("accused_held", "sms", "SMS gateway answered HTTP 400")}


def test_each_dead_letter_in_the_report_is_one_in_the_store_with_a_task_for_the_coordinator(demo):
    app = build_app(Settings(home=demo.store, database_url=None, key_file=None), FixedClock(TODAY))
    dead = notices.list_notices(app, ADMIN, status="dead")
    report = demo.report.read_text()
    assert dead and all(f"`{n['case']} {n['kind']} -> {n['recipient']} by {n['channel']}" in report
                        and n["dead_reason"] in report for n in dead)
    tasks = [i for i in worklist.open_items(app, ADMIN, True) if i["kind"] == "notice_dead_letter"]
    assert sorted(t["case_id"] for t in tasks) == sorted(n["case"] for n in dead)
    assert all(t["assignee"] == "amara" and "could not be delivered (SMS gateway answered HTTP 400)" in t["detail"]
               for t in tasks)
    app.engine.dispose()


def _worklist_lines(report: str) -> list[str]:
    section = report.split("## Coordinators' worklist", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("- [")]


def test_the_worklist_in_the_report_puts_the_urgent_release_call_first(demo):
    lines = _worklist_lines(demo.report.read_text())
    by_coordinator: dict[str, list[str]] = {}
    for line in lines:
        by_coordinator.setdefault(line[3:line.index("]")], []).append(line)
    assert set(by_coordinator) == {"amara", "dewi"}
    for who, items in by_coordinator.items():
        urgent = [n for n, line in enumerate(items) if "**URGENT**" in line]
        assert urgent == list(range(len(urgent))), f"{who}: an urgent item after a routine one"
    # The girl's accused was released: the call to her is urgent, in the urgent block, with what to do.
    release = [n for n, line in enumerate(by_coordinator["dewi"]) if "has been released" in line]
    assert release and "**URGENT**" in by_coordinator["dewi"][release[0]]
    assert "(next: `call or visit now" in by_coordinator["dewi"][release[0]]


def test_the_thai_application_in_the_demo_output_reads_back_exactly_with_pdftotext(demo):
    """Read the PDF the demo wrote with Poppler's pdftotext, not with the demo's own check."""
    import subprocess

    pdfs = sorted((demo.report.parent / "documents").glob("*-protective_measures-th.pdf"))
    assert pdfs, "no Thai application was written"
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for expected in ("คำร้องขอมาตรการคุ้มครองผู้เสียหายที่เป็นพยาน", "ศาลจังหวัดสมุทรสาคร",
                     "พระราชบัญญัติคุ้มครองพยานในคดีอาญา พ.ศ. 2546", "Somchai Rattanakul"):
        assert expected in flat, expected
    assert "คาร้อง" not in flat  # SARA AM lost (the defect of issue 14 item 4)
    assert "its text extracts exactly" in demo.report.read_text()


def test_the_readmes_demo_command_runs_with_prefect_and_exits_quietly(tmp_path):
    """`witness demo` as `scripts/demo.sh` runs it (Prefect, no server), in a fresh process: exit 0,
    the report with its worklist and dead letters, the accounts' links on the terminal — and nothing
    on stderr: no traceback at exit (WeasyPrint's font folder was removed in __del__ after its module
    was torn down; render.py removes it at exit)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WITNESS_", "PREFECT_"))}
    proc = subprocess.run([str(Path(sys.executable).with_name("witness")), "demo", "--out", str(out)], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr[-2000:]
    report = (out / "report.md").read_text()
    assert "## Coordinators' worklist" in report and re.search(r"^- Dead-letter list: \d+ notices?\.", report, re.M)
    assert proc.stdout.count("/setup/") == 6  # one link per demo account, on the terminal only
    assert "/setup/" not in report
