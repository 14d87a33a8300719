"""Accounts, sign-in and sessions (R-110). One transaction per action; every sign-in, failure, lock
and account change is audited in the same transaction as what it records.

Secrets never leave this module in clear except the two a person must be given: a new session id
(as a cookie) and a one-time set-up token (as a link). Both are stored only as SHA-256 hashes.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, insert, select, update

from witness.domain.access import Actor, Role
from witness.domain.user_ids import USER_ID, USER_ID_RULE
from witness.domain.guardrails import ungated
from witness.domain.account import (SETUP_VALID_FOR, SessionState, after_failure, is_locked, language_problem,
                                    needs_second_factor, password_problem, role_problem, user_name_problem)
from witness.errors import Forbidden, InputProblems, NotFound
from witness.services.access import need_to_know
from witness.store.account_tables import account_cases, accounts, web_sessions
from witness.store.tables import cases

# The sign-in answer must not tell a wrong name from a wrong password, in words or in time.
GENERIC_FAILURE = "sign-in failed: the name, password or code is wrong, or the account is locked for a while"
# Touch a session at most once a minute: each touch is a write, and every page asks.
_TOUCH_EVERY = timedelta(minutes=1)
MANAGE_ROLES = frozenset({Role.admin})


class SignInFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__(GENERIC_FAILURE)


@dataclass(frozen=True)
class Session:
    actor: Actor
    csrf: str
    language: str


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: whose link it is and, for roles with a second factor, the secret."""

    login: str
    role: Role
    totp_uri: str | None
    totp_secret: str | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@lru_cache(maxsize=1)
def _hasher():
    """argon2-cffi's defaults are Argon2id (RFC 9106's second recommended option: t=3, m=64 MiB,
    p=4). Made on first use, with pyotp imported where a code is checked: the command line checks
    that --actor names an account at every start, and needs neither (issue 16, item 7)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _verify(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _require_manager(actor: Actor) -> None:
    if actor.role not in MANAGE_ROLES:
        raise Forbidden(f"{actor.role.value} may not manage accounts")


def _account(conn, login: str, lock: bool = False):
    q = select(accounts).where(accounts.c.login == login)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFound(f"user: no account {login!r}")
    return row


def _end_sessions(uow, login: str, reason: str) -> int:
    return uow.conn.execute(update(web_sessions).where(web_sessions.c.login == login, web_sessions.c.ended_at.is_(None))
                            .values(ended_at=uow.now, end_reason=reason)).rowcount


def _new_setup(uow, login: str) -> tuple[str, dict]:
    import pyotp

    token = secrets.token_urlsafe(32)
    values = dict(password_hash=None, totp_secret=uow.cipher.encrypt("accounts", "totp_secret", login, pyotp.random_base32()),
                  totp_enrolled_at=None, totp_last_step=None, failures=0, locked_until=None,
                  setup_token_hash=_digest(token), setup_expires_at=uow.now + SETUP_VALID_FOR, updated_at=uow.now)
    return token, values


# Managing accounts (`witness user ...`)

@ungated("accounts and sessions: no victim's case changes")
def add(app, actor: Actor, login: str, role: str) -> str:
    """A new account, with no password yet. Returns the one-time set-up token."""
    _require_manager(actor)
    problems = [(f, p) for f, p in (("user", user_name_problem(login)), ("role", role_problem(role))) if p]
    if problems:
        raise InputProblems(problems)
    with app.uow(actor) as uow:
        if uow.conn.execute(select(accounts.c.login).where(accounts.c.login == login)).first():
            raise InputProblems([("user", f"an account {login!r} exists already; use `witness user reset`")])
        token, values = _new_setup(uow, login)
        uow.conn.execute(insert(accounts).values(login=login, role=role, language="en", created_at=uow.now,
                                                 created_by=actor.user, **values))
        uow.audit("account.add", login, f"role {role}")
        uow.commit()
    return token


@ungated("accounts and sessions: no victim's case changes")
def add_first_admin(app, login: str) -> str:
    """The first admin account, made by `witness init --admin NAME`: whoever can set up the store
    holds its keys already. Refused once an admin account exists (more admins are added by an
    admin with `witness user add`). Returns the one-time set-up token."""
    # The first admin's work is on the command line, so the name must be one --actor accepts too.
    if p := user_name_problem(login) or (None if USER_ID.fullmatch(login) else f"use {USER_ID_RULE}"):
        raise InputProblems([("--admin", p)])
    with app.uow(Actor(login, Role.admin)) as uow:
        if uow.conn.execute(select(accounts.c.login).where(accounts.c.role == Role.admin.value)).first():
            raise InputProblems([("--admin", "an admin account exists already; "
                                             "an admin adds another with `witness user add NAME --role admin`")])
        if uow.conn.execute(select(accounts.c.login).where(accounts.c.login == login)).first():
            raise InputProblems([("--admin", f"an account {login!r} exists already")])
        token, values = _new_setup(uow, login)
        uow.conn.execute(insert(accounts).values(login=login, role=Role.admin.value, language="en", created_at=uow.now,
                                                 created_by=login, **values))
        uow.audit("account.add", login, "role admin; the first admin, made by witness init")
        uow.commit()
    return token


@ungated("accounts and sessions: no victim's case changes")
def disable(app, actor: Actor, login: str) -> int:
    """No more sign-ins; every open session ends at once. Returns how many sessions ended."""
    _require_manager(actor)
    with app.uow(actor) as uow:
        _account(uow.conn, login, lock=True)
        uow.conn.execute(update(accounts).where(accounts.c.login == login).values(
            disabled_at=uow.now, setup_token_hash=None, setup_expires_at=None, updated_at=uow.now))
        ended = _end_sessions(uow, login, "disabled")
        uow.audit("account.disable", login, f"{ended} sessions ended")
        uow.commit()
    return ended


@ungated("accounts and sessions: no victim's case changes")
def reset(app, actor: Actor, login: str) -> str:
    """Password and second factor cleared, lock lifted, account enabled, sessions ended; returns a
    new one-time set-up token."""
    _require_manager(actor)
    with app.uow(actor) as uow:
        _account(uow.conn, login, lock=True)
        token, values = _new_setup(uow, login)
        uow.conn.execute(update(accounts).where(accounts.c.login == login).values(disabled_at=None, **values))
        ended = _end_sessions(uow, login, "reset")
        uow.audit("account.reset", login, f"set-up link issued; {ended} sessions ended")
        uow.commit()
    return token


@ungated("accounts and sessions: no victim's case changes")
def assign(app, actor: Actor, login: str, role: str | None = None, add_cases: list[str] = (),
           remove_cases: list[str] = ()) -> dict:
    """Change the role (ends the person's sessions) and link or unlink cases."""
    _require_manager(actor)
    if role is not None and role_problem(role):
        raise InputProblems([("role", role_problem(role))])
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _account(conn, login, lock=True)
        ended = 0
        if role is not None and role != row.role:
            if needs_second_factor(Role(role)) and row.totp_enrolled_at is None and row.password_hash is not None:
                raise InputProblems([("role", f"{role} needs a second factor and {login} has none; "
                                              "change the role with a reset (`witness user reset`)")])
            conn.execute(update(accounts).where(accounts.c.login == login).values(role=role, updated_at=uow.now))
            ended = _end_sessions(uow, login, "role_changed")
            uow.audit("account.role", login, f"{row.role} -> {role}; {ended} sessions ended")
        known = set(conn.execute(select(cases.c.id).where(cases.c.id.in_(list(add_cases)))).scalars())
        problems = [(f"case.{i}", f"no case {c!r}") for i, c in enumerate(add_cases) if c not in known]
        if problems:
            raise InputProblems(problems)
        have = set(conn.execute(select(account_cases.c.case_id).where(account_cases.c.login == login)).scalars())
        for c in dict.fromkeys(add_cases):
            if c not in have:
                conn.execute(insert(account_cases).values(login=login, case_id=c, assigned_at=uow.now,
                                                          assigned_by=actor.user))
                uow.audit("account.assign", c, f"{login} assigned")
        for c in dict.fromkeys(remove_cases):
            if c in have:
                conn.execute(delete(account_cases).where(account_cases.c.login == login, account_cases.c.case_id == c))
                uow.audit("account.unassign", c, f"{login} unassigned")
        result = {"user": login, "role": role or row.role, "sessions_ended": ended,
                  "cases": sorted((have | set(add_cases)) - set(remove_cases))}
        uow.commit()
    return result


@ungated("accounts and sessions: no victim's case changes")
def require_account(app, actor: Actor) -> None:
    """The actor must be an existing, enabled account with that role (for the CLI's --actor)."""
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(accounts.c.role, accounts.c.disabled_at)
                               .where(accounts.c.login == actor.user)).first()
    if row is None or row.disabled_at is not None or row.role != actor.role.value:
        raise Forbidden(f"actor: no enabled account {actor.user!r} with the role {actor.role.value}")


# Set-up link: the person chooses a password and enrols the second factor

def _setup_row(conn, token: str, now: datetime, lock: bool = False):
    q = select(accounts).where(accounts.c.setup_token_hash == _digest(token or ""))
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None or row.disabled_at is not None or row.setup_expires_at is None or now >= row.setup_expires_at:
        # One answer for unknown, used and expired links: the page must not confirm a guess.
        raise NotFound("setup: this set-up link is not valid (used, expired or mistyped); ask an admin for a new one")
    return row


def enrolment(app, token: str) -> Enrolment:
    with app.uow(Actor("web", Role.system)) as uow:
        row = _setup_row(uow.conn, token, uow.now)
        role = Role(row.role)
        secret = uow.cipher.decrypt("accounts", "totp_secret", row.login, row.totp_secret)
    if not needs_second_factor(role):
        return Enrolment(row.login, role, None, None)
    import pyotp

    return Enrolment(row.login, role, pyotp.TOTP(secret).provisioning_uri(name=row.login, issuer_name="witness"), secret)


def complete_setup(app, token: str, password: str, repeat: str, code: str = "") -> Actor:
    """Set the password (and confirm the authenticator with one code). The link is then used up."""
    with app.uow(Actor("web", Role.system)) as uow:
        row = _setup_row(uow.conn, token, uow.now, lock=True)
        actor = Actor(row.login, Role(row.role))
        problems = []
        if p := password_problem(password, row.login):
            problems.append(("password", p))
        elif password != repeat:
            problems.append(("repeat", "does not match the password"))
        step = None
        if needs_second_factor(actor.role):
            secret = uow.cipher.decrypt("accounts", "totp_secret", row.login, row.totp_secret)
            step = _totp_step(secret, code, uow.now, None)
            if step is None:
                problems.append(("code", "not the code your authenticator shows now; check its clock"))
        if problems:
            raise InputProblems(problems)
        uow.conn.execute(update(accounts).where(accounts.c.login == row.login).values(
            password_hash=_hasher().hash(password), totp_enrolled_at=uow.now if step is not None else None,
            totp_last_step=step, setup_token_hash=None, setup_expires_at=None, updated_at=uow.now))
        uow.actor = actor
        uow.audit("account.setup", row.login, "password set" + ("; second factor enrolled" if step is not None else ""))
        uow.commit()
    return actor


def _totp_step(secret: str | None, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (now, or one step either side for clock drift), or None.
    A step at or before the last accepted one is refused: a code seen over a shoulder is spent."""
    code = (code or "").replace(" ", "")
    if not secret or not code.isdigit():
        return None
    import pyotp

    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# Signing in and out

def sign_in(app, login: str, password: str, code: str = "") -> tuple[str, Session]:
    """Returns (session id for the cookie, the session). Any failure raises SignInFailed with one
    generic message; the failure and any lock are audited and committed first."""
    login = (login or "").strip()
    failed = False
    with app.uow(Actor("web", Role.system)) as uow:
        conn, now = uow.conn, uow.now
        row = conn.execute(select(accounts).where(accounts.c.login == login).with_for_update()).first() \
            if not user_name_problem(login) else None
        if row is None:
            _verify(None, password)  # the same Argon2 work as for a real account
            uow.audit("account.sign_in_failed", "unknown account", "no such account")  # the typed name may be a secret
            uow.commit()
            raise SignInFailed()
        uow.actor = Actor(row.login, Role(row.role))
        ok = _verify(row.password_hash, password)
        step = None
        why = "wrong password"
        if row.disabled_at is not None:
            ok, why = False, "account disabled"
        elif is_locked(row.locked_until, now):
            ok, why = False, "account locked"
        elif ok and needs_second_factor(Role(row.role)):
            secret = uow.cipher.decrypt("accounts", "totp_secret", row.login, row.totp_secret)
            step = _totp_step(secret, code, now, row.totp_last_step) if row.totp_enrolled_at else None
            ok, why = step is not None, "wrong or reused second-factor code"
        if not ok:
            if why != "account locked":
                lock = after_failure(row.failures, now)
                conn.execute(update(accounts).where(accounts.c.login == row.login).values(
                    failures=lock.failures, locked_until=lock.locked_until or row.locked_until, updated_at=now))
            uow.audit("account.sign_in_failed", row.login, why)
            if why != "account locked" and lock.locked_until is not None:
                uow.audit("account.locked", row.login, f"locked until {lock.locked_until.isoformat()}")
            uow.commit()
            failed = True
        else:
            values = dict(failures=0, locked_until=None, updated_at=now)
            if step is not None:
                values["totp_last_step"] = step
            if _hasher().check_needs_rehash(row.password_hash):
                values["password_hash"] = _hasher().hash(password)
            conn.execute(update(accounts).where(accounts.c.login == row.login).values(**values))
            raw, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            conn.execute(insert(web_sessions).values(id_hash=_digest(raw), login=row.login, role=row.role, csrf=csrf,
                                                     created_at=now, last_seen_at=now))
            uow.audit("account.sign_in", row.login, "signed in" + (" with a second factor" if step is not None else ""))
            uow.commit()
    if failed:
        raise SignInFailed()
    return raw, Session(Actor(row.login, Role(row.role)), csrf, row.language)


def session(app, raw_id: str | None) -> Session | None:
    """The live session for this cookie, or None. A session past a limit is ended here, with why.
    Every page asks, so the lookup only reads (no writer lock); it writes only to end a session or,
    at most once a minute, to move its last-seen time (the idle limit is far longer)."""
    if not raw_id:
        return None
    with app.uow(Actor("web", Role.system)).reading() as uow:
        now = uow.now
        s = uow.conn.execute(select(web_sessions, accounts.c.role.label("account_role"), accounts.c.disabled_at,
                                    accounts.c.language)
                             .join(accounts, accounts.c.login == web_sessions.c.login)
                             .where(web_sessions.c.id_hash == _digest(raw_id))).first()
    if s is None:
        return None
    state = SessionState(s.login, Role(s.role), s.created_at, s.last_seen_at, s.ended_at)
    reason = state.end_reason(now, Role(s.account_role), s.disabled_at is None)
    if reason is not None:
        if s.ended_at is None:
            with app.uow(Actor("web", Role.system), now) as uow:
                uow.conn.execute(update(web_sessions).where(web_sessions.c.id_hash == s.id_hash,
                                                            web_sessions.c.ended_at.is_(None))
                                 .values(ended_at=now, end_reason=reason))
                uow.commit()
        return None
    if now - s.last_seen_at >= _TOUCH_EVERY:
        # Only a session still open and not touched since it was read: a logout or a role change
        # in between (which ends it) must not be undone, and two pages at once touch it once.
        with app.uow(Actor("web", Role.system), now) as uow:
            touched = uow.conn.execute(update(web_sessions).where(
                web_sessions.c.id_hash == s.id_hash, web_sessions.c.ended_at.is_(None),
                web_sessions.c.last_seen_at == s.last_seen_at).values(last_seen_at=now)).rowcount
            uow.commit()
        if not touched and _ended(app, s.id_hash):
            return None
    return Session(state.actor, s.csrf, s.language)


def _ended(app, id_hash: str) -> bool:
    with app.uow(Actor("web", Role.system)).reading() as uow:
        return uow.conn.execute(select(web_sessions.c.ended_at).where(web_sessions.c.id_hash == id_hash)).scalar() \
            is not None


def sign_out(app, raw_id: str | None) -> None:
    if not raw_id:
        return
    with app.uow(Actor("web", Role.system)) as uow:
        s = uow.conn.execute(select(web_sessions).where(web_sessions.c.id_hash == _digest(raw_id),
                                                        web_sessions.c.ended_at.is_(None))).first()
        if s is None:
            return
        uow.conn.execute(update(web_sessions).where(web_sessions.c.id_hash == s.id_hash)
                         .values(ended_at=uow.now, end_reason="logout"))
        uow.actor = Actor(s.login, Role(s.role))
        uow.audit("account.sign_out", s.login, "signed out")
        uow.commit()


@ungated("accounts and sessions: no victim's case changes")
def change_password(app, actor: Actor, current: str, new: str, repeat: str) -> int:
    """Every session of the person ends, this one too: they sign in again with the new password."""
    with app.uow(actor) as uow:
        row = _account(uow.conn, actor.user, lock=True)
        problems = []
        if not _verify(row.password_hash, current):
            problems.append(("current", "not your current password"))
        elif p := password_problem(new, actor.user):
            problems.append(("password", p))
        elif new != repeat:
            problems.append(("repeat", "does not match the password"))
        if problems:
            raise InputProblems(problems)
        uow.conn.execute(update(accounts).where(accounts.c.login == actor.user).values(
            password_hash=_hasher().hash(new), updated_at=uow.now))
        ended = _end_sessions(uow, actor.user, "password_changed")
        uow.audit("account.password", actor.user, f"password changed; {ended} sessions ended")
        uow.commit()
    return ended


@ungated("accounts and sessions: no victim's case changes")
def set_language(app, actor: Actor, language: str) -> None:
    """The person's own interface language; their next page is in it."""
    if p := language_problem(language):
        raise InputProblems([("language", p)])
    with app.uow(actor) as uow:
        _account(uow.conn, actor.user, lock=True)
        uow.conn.execute(update(accounts).where(accounts.c.login == actor.user).values(language=language,
                                                                                       updated_at=uow.now))
        uow.audit("account.language", actor.user, f"interface language {language}")
        uow.commit()


# Record-level need to know for pages that open one case

@ungated("accounts and sessions: no victim's case changes")
def require_case(app, actor: Actor, case_id: str) -> None:
    """NotFound unless the actor may open this case at all (the same answer as for a case that
    does not exist, so a refusal confirms nothing)."""
    try:  # the one need-to-know rule; the refusal is audited there
        need_to_know(app, actor, "case.read", case=case_id)
    except Forbidden:
        raise NotFound(f"case: no case {case_id!r}") from None
