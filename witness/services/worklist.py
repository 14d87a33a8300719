"""The coordinator's worklist: what is due for whom. Producers insert with a deterministic key so
that running any producer twice adds nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from witness.domain.access import Actor, may_act_on
from witness.domain.guardrails import ungated
from witness.errors import InputProblems, NotFound
from witness.services.access import need_to_know
from witness.store.tables import cases, worklist
from witness.store.dialects import among, insert_rows


def add_items(conn: Connection, items: list[dict]) -> int:
    """Insert items, skipping keys already present. Returns how many were new."""
    # In key order: two transactions inserting some of the same keys (two sweep workers, say) then
    # take the keys' locks in the same order, so neither can end up waiting for the other in turn.
    return insert_rows(conn, worklist, sorted(items, key=lambda i: i["key"]), skip_taken="key")


def listed_keys(conn: Connection, case_ids: list[str], kind: str) -> set[str]:
    """The keys of these cases' items of this kind already on the worklist, open or done (a producer
    that finds mostly the same occasions again skips them before building them)."""
    keys: set[str] = set()
    for i in range(0, len(case_ids), 500):
        keys.update(conn.execute(select(worklist.c.key).where(among(conn, worklist.c.case_id, case_ids[i:i + 500]),
                                                              worklist.c.kind == kind)).scalars())
    return keys


def item(key: str, case_id: str | None, kind: str, assignee: str, due_at: datetime, now: datetime, detail: str) -> dict:
    return dict(key=key, case_id=case_id, kind=kind, assignee=assignee, due_at=due_at, created_at=now, detail=detail)


@ungated("a read (audited)")
def open_items(app, actor: Actor, everyone: bool = False) -> list[dict]:
    """The open items, most urgent first (urgent alerts, then what is due — safety first — then
    what is not due yet; within each, oldest due first). Each row also says whether it is
    `urgent`, its `urgency` class, the `next` command, and `due_local`: the due time in the zone
    of its case's jurisdiction (an item about no one case: the zone most of the person's items are in)."""
    from witness.domain.worklist import is_urgent, next_command, ordered, urgency

    need_to_know(app, actor, "worklist.read")
    with app.uow(actor).reading() as uow:
        q = (select(worklist, cases.c.jurisdiction).outerjoin(cases, cases.c.id == worklist.c.case_id)
             .where(worklist.c.done_at.is_(None)).order_by(worklist.c.due_at, worklist.c.id))
        if not (everyone and may_act_on(actor, None, "worklist.everyone")):
            q = q.where(worklist.c.assignee == actor.user)
        rows = [dict(r._mapping) for r in uow.conn.execute(q)]
        now = uow.now
        uow.audit("worklist.read", actor.user, f"{len(rows)} open items")
        uow.commit()
    rows = ordered(rows, now)
    zones = local_zones(app.profiles, rows)
    for r, zone in zip(rows, zones):
        r["urgent"] = is_urgent(r["kind"], r["detail"])
        r["urgency"] = urgency(r["kind"], r["detail"], r["due_at"], now)
        r["next"] = next_command(r)
        r["due_local"] = r["due_at"].astimezone(zone)
    return rows


def local_zones(profiles, items: list[dict]) -> list:
    """Each item's zone: its case's jurisdiction's; for an item about no one case, the zone most of
    these items are in (the coordinator's own jurisdiction), else UTC."""
    from collections import Counter
    from datetime import timezone

    zones = [profiles.zone(i["jurisdiction"]) for i in items if i.get("jurisdiction") in profiles]
    home = Counter(zones).most_common(1)[0][0] if zones else timezone.utc
    return [profiles.zone(i["jurisdiction"]) if i.get("jurisdiction") in profiles else home for i in items]


def _own_item(uow, actor: Actor, item_id: int):
    row = uow.conn.execute(select(worklist).where(worklist.c.id == item_id, worklist.c.done_at.is_(None))
                           .with_for_update()).first()
    # Only the assignee clears an item; someone else's answers like a missing one, so a refusal
    # does not confirm it exists.
    if row is None or row.assignee != actor.user:
        raise NotFound(f"item: no open item {item_id}")
    return row


@ungated("the assignee closes their own item")
def mark_done(app, actor: Actor, item_id: int, reason: str = "done") -> None:
    """Close an item, with a reason from a list (witness.domain.worklist.DONE_REASONS): free text
    could carry a name, and the audit log holds the reason in clear."""
    from witness.domain.worklist import done_problems

    need_to_know(app, actor, "worklist.read")
    if problems := done_problems(reason):
        raise InputProblems(problems)
    with app.uow(actor) as uow:
        row = _own_item(uow, actor, item_id)
        uow.conn.execute(update(worklist).where(worklist.c.id == item_id).values(done_at=uow.now, done_by=actor.user))
        uow.audit("worklist.done", row.case_id or actor.user, f"{row.kind} item {item_id} done: {reason}")
        uow.commit()


@ungated("the assignee puts off their own item (never an urgent release alert)")
def snooze(app, actor: Actor, item_id: int, period: str, reason: str) -> datetime:
    """Put an item off (never an urgent release alert); returns when it is due again (in the zone
    of the case's jurisdiction)."""
    from witness.domain.worklist import SNOOZE_PERIODS, snooze_problems

    need_to_know(app, actor, "worklist.read")
    with app.uow(actor) as uow:
        row = _own_item(uow, actor, item_id)
        problems = snooze_problems(row.kind, period, reason, row.detail)
        if problems:
            raise InputProblems(problems)
        due = max(row.due_at, uow.now) + SNOOZE_PERIODS[period]
        uow.conn.execute(update(worklist).where(worklist.c.id == item_id).values(due_at=due))
        jurisdiction = uow.conn.execute(select(cases.c.jurisdiction).where(cases.c.id == row.case_id)).scalar()
        uow.audit("worklist.snooze", row.case_id or actor.user,
                  f"{row.kind} item {item_id} due {row.due_at.isoformat(timespec='seconds')} snoozed to "
                  f"{due.isoformat(timespec='seconds')}: {reason}")
        uow.commit()
    # The same instant, in the case's local time (an item about no one case: UTC).
    return due.astimezone(app.profiles.zone(jurisdiction)) if jurisdiction in app.profiles else due


def close_urgent(conn: Connection, case_ids: list[str], now: datetime, by: str) -> int:
    """The victim was reached (a code sent back, or contact recorded): the urgent items of these
    cases — call or visit now, not delivered, release escalation — are answered. Inside the
    caller's transaction (and audited by it). Returns how many were closed."""
    from witness.domain.worklist import URGENT_KINDS, URGENT_WHEN_MARKED

    if not case_ids:
        return 0
    urgent = or_(worklist.c.kind.in_(sorted(URGENT_KINDS)),
                 and_(worklist.c.kind.in_(sorted(URGENT_WHEN_MARKED)), worklist.c.detail.contains("URGENT")))
    return conn.execute(update(worklist).where(worklist.c.case_id.in_(sorted(case_ids)), worklist.c.done_at.is_(None),
                                               urgent).values(done_at=now, done_by=by[:80])).rowcount


def supersede(conn: Connection, key_prefix: str, keep: set[str], now: datetime, by: str = "system") -> int:
    """Close the open items whose key starts with `key_prefix` except those in `keep`: one open item
    per subject (a custody feed), not one more each time it goes quiet again."""
    q = update(worklist).where(worklist.c.key.startswith(key_prefix, autoescape=True), worklist.c.done_at.is_(None))
    if keep:
        q = q.where(worklist.c.key.not_in(sorted(keep)))
    return conn.execute(q.values(done_at=now, done_by=by)).rowcount
