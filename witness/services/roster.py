"""The admin's list of the people who sign in (R-112 "Accounts"): role, whether the account is
enabled, set up, second factor enrolled, locked, and the cases each is assigned to.

Read only; changes go through witness/services/accounts.py. Nothing secret leaves here: no hash,
no second-factor secret, no set-up token (only whether a set-up link is waiting, and until when).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from witness.domain.access import Actor, Role
from witness.domain.account import is_locked, needs_second_factor
from witness.domain.guardrails import ungated
from witness.errors import Forbidden, NotFound
from witness.services.accounts import MANAGE_ROLES
from witness.store.account_tables import account_cases, accounts, web_sessions


@ungated("a read of the accounts (audited); no victim's case changes")
def people(app, actor: Actor, login: str | None = None) -> list[dict]:
    """Every account (or the one named), by login."""
    if actor.role not in MANAGE_ROLES:
        raise Forbidden(f"{actor.role.value} may not manage accounts")
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        q = select(accounts.c.login, accounts.c.role, accounts.c.password_hash.is_not(None).label("set_up"),
                   accounts.c.totp_enrolled_at, accounts.c.locked_until, accounts.c.disabled_at,
                   accounts.c.setup_expires_at, accounts.c.language, accounts.c.created_at).order_by(accounts.c.login)
        if login is not None:
            q = q.where(accounts.c.login == login)
        rows = conn.execute(q).all()
        if login is not None and not rows:
            raise NotFound(f"user: no account {login!r}")
        logins = [r.login for r in rows]
        assigned: dict[str, list[str]] = defaultdict(list)
        last_seen: dict[str, object] = {}
        for i in range(0, len(logins), 500):  # bounded IN lists
            chunk = logins[i:i + 500]
            for a in conn.execute(select(account_cases.c.login, account_cases.c.case_id)
                                  .where(account_cases.c.login.in_(chunk)).order_by(account_cases.c.case_id)):
                assigned[a.login].append(a.case_id)
            for s in conn.execute(select(web_sessions.c.login, func.max(web_sessions.c.last_seen_at).label("seen"))
                                  .where(web_sessions.c.login.in_(chunk)).group_by(web_sessions.c.login)):
                last_seen[s.login] = s.seen
        out = []
        for r in rows:
            role = Role(r.role)
            waiting = r.setup_expires_at is not None and now < r.setup_expires_at
            out.append({"login": r.login, "role": role.value, "enabled": r.disabled_at is None,
                        "set_up": bool(r.set_up), "setup_link_until": r.setup_expires_at if waiting else None,
                        "second_factor": ("enrolled" if r.totp_enrolled_at else "not enrolled")
                        if needs_second_factor(role) else "not needed",
                        "locked_until": r.locked_until if is_locked(r.locked_until, now) else None,
                        "language": r.language, "cases": assigned[r.login], "last_seen": last_seen.get(r.login),
                        "created_at": r.created_at})
        uow.audit("account.list", login or "*", f"{len(out)} accounts listed")
        uow.commit()
    return out
