"""The audit chain's external head (issue 10.2, 10.8): a deleted, emptied or rewritten head file,
a chain re-MACed by someone holding the key, and time running backwards are all caught; an empty
log with no head file is a fresh start; an append-only head file keeps working."""
import hashlib
import hmac
import json
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from tests.conftest import AUDITOR, COORDINATOR, T0, adult_form
from tests.audit_rows import audit_rows
from witness.services import cases as case_service
from witness.services.audit import verify
from witness.services.intake import open_case
from witness.store import audit
from witness.store.tables import audit_head, audit_log


@pytest.fixture
def logged(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    for _ in range(3):
        case_service.show(app, COORDINATOR, case_id)
    assert verify(app, AUDITOR).ok
    return app





def _problems(app) -> list[str]:
    result = verify(app, AUDITOR)
    assert not result.ok
    return result.problems


def test_an_empty_log_without_a_head_file_is_a_fresh_start(app):
    assert not app.settings.audit_head_path.exists()
    assert verify(app, AUDITOR).ok


def test_a_deleted_head_file_is_a_failure_not_a_fresh_start(logged):
    logged.settings.audit_head_path.unlink()
    assert any("head file is missing" in p for p in _problems(logged))


def test_an_emptied_head_file_is_a_failure(logged):
    logged.settings.audit_head_path.write_text("")
    assert any("records no head" in p for p in _problems(logged))


def test_an_edited_line_of_the_head_file_is_a_failure(logged):
    with open(logged.settings.audit_head_path, "a") as f:
        f.write("seq 99 trust me\n")
    assert any("not a head record" in p for p in _problems(logged))


def test_every_commit_appends_a_head_and_earlier_heads_stay(logged):
    heads = [json.loads(line) for line in logged.settings.audit_head_path.read_text().splitlines() if line]
    assert [h["seq"] for h in heads] == [r.seq for r in audit_rows(logged)]
    assert [h["mac"] for h in heads] == [r.mac for r in audit_rows(logged)]


def test_a_chain_re_macced_by_someone_holding_the_key_is_caught_by_the_heads_recorded_before(logged):
    """The attacker edits row 2 and recomputes every MAC after it (they have the key), rewinds the
    database head and appends the new last head: the file cannot forget the old ones."""
    key = logged.keyring.audit_key
    rows = audit_rows(logged)
    with logged.engine.connect() as c:
        c.begin()
        if logged.engine.dialect.name == "postgresql":
            c.execute(text("SET LOCAL session_replication_role = replica"))
        prev = rows[0].mac
        for r in rows[1:]:
            actor = "someone-else" if r.seq == 2 else r.actor
            body = json.dumps([r.seq, r.at.isoformat(), actor, r.role, r.action, r.record, r.purpose, prev], ensure_ascii=True)
            mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
            c.execute(update(audit_log).where(audit_log.c.seq == r.seq).values(actor=actor, prev=prev, mac=mac))
            prev = mac
        c.execute(update(audit_head).values(seq=rows[-1].seq, mac=prev))
        c.commit()
    audit.write_head_file(logged.settings.audit_head_path, audit.Head(rows[-1].seq, prev))
    problems = _problems(logged)
    assert problems == [f"head: {len(rows) - 1} recorded head(s) do not match the log, the first at seq 2 (rewritten history)"]


def test_time_running_backwards_along_the_chain_fails_verification(logged):
    from witness.domain.access import Actor, Role

    last = audit_rows(logged)[-1]
    with logged.uow(Actor("amara", Role.coordinator), last.at - timedelta(days=30)) as uow:
        uow.audit("case.read", "W-XXXXXX", "backdated")
        uow.commit()
    problems = _problems(logged)
    assert len(problems) == 1 and problems[0].startswith(f"seq {last.seq + 1}: time runs backwards")


def test_a_clock_with_an_offset_is_recorded_in_utc_and_still_verifies(logged):
    from datetime import timezone as tz

    from witness.domain.access import Actor, Role

    bangkok = tz(timedelta(hours=7))
    with logged.uow(Actor("amara", Role.coordinator), (T0 + timedelta(days=1)).astimezone(bangkok)) as uow:
        uow.audit("case.read", "W-XXXXXX", "as of a +07:00 clock")
        uow.commit()
    assert audit_rows(logged)[-1].at == T0 + timedelta(days=1)
    assert verify(logged, AUDITOR).ok


def test_a_head_file_of_the_older_single_record_format_is_read_and_appended_to(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    first = audit_rows(app)[0]
    app.settings.audit_head_path.write_text(json.dumps({"seq": first.seq, "mac": first.mac}))  # no newline
    case_service.show(app, COORDINATOR, case_id)
    assert verify(app, AUDITOR).ok
    assert [h.seq for h in audit.read_head_file(app.settings.audit_head_path).heads] == [1, 2]


def test_a_refusal_recorded_in_the_audit_log_keeps_the_chain_valid(logged):
    from witness.domain.access import Actor, Role
    from witness.services.access import DENIED, record_denial

    record_denial(logged, Actor("officer-9", Role.escort), "W-XXXXXX", "case show: escort may not case.read" + "x" * 400)
    last = audit_rows(logged)[-1]
    assert (last.actor, last.role, last.action, last.record) == ("officer-9", "escort", DENIED, "W-XXXXXX")
    assert len(last.purpose) == 300  # cut to the column, not lost to a database error
    assert verify(logged, AUDITOR).ok


def _chattr(flag: str, path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_an_append_only_head_file_keeps_working_and_cannot_be_rewritten(logged):
    """The deployment of docs/audit-head.md: `chattr +a` (needs root and a file system with the
    attribute; skipped elsewhere)."""
    path = logged.settings.audit_head_path
    if not _chattr("+a", path):
        pytest.skip("chattr +a is not available here (needs root and ext4/xfs/btrfs)")
    try:
        case_id = audit_rows(logged)[0].record
        case_service.show(logged, COORDINATOR, case_id)  # the application still appends its heads
        with pytest.raises(PermissionError):
            path.write_text("")  # ...but cannot truncate or rewrite the file
        with pytest.raises(PermissionError):
            path.unlink()
        assert verify(logged, AUDITOR).ok
    finally:
        _chattr("-a", path)
