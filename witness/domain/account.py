"""People who sign in (R-110): the rules about accounts, passwords, second factors, sessions and
lockout, as data and pure functions. The service (witness/services/accounts.py) does the I/O.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from witness.domain.access import IDENTITY_BY_ROLE, Actor, Role

# OWASP ASVS 5.0 7.3: an idle limit and an absolute limit, both enforced on the server.
IDLE_LIMIT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)
# Five wrong tries lock the account for a quarter of an hour: slow enough to stop guessing, short
# enough that a coordinator who mistyped is not kept from an urgent release alert for long.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# A set-up link is a credential: short-lived and usable once.
SETUP_VALID_FOR = timedelta(hours=72)
# ASVS 6.2.1/6.2.9: at least 12 characters (no composition rules), and long pass phrases allowed.
MIN_PASSWORD, MAX_PASSWORD = 12, 128

# Roles that can see identity need a second factor. Admin too: an admin resets accounts, so a
# stolen admin password alone would hand over every other account.
SECOND_FACTOR_ROLES = frozenset(IDENTITY_BY_ROLE) | {Role.admin}
# The scheduled flows act as `system`; nobody signs in as it.
SIGN_IN_ROLES = frozenset(Role) - {Role.system}

_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
# The languages the interface has catalogs for (witness/web/locale): each person picks one.
INTERFACE_LANGUAGES = ("en", "th", "id")


def language_problem(language: str) -> str | None:
    return None if language in INTERFACE_LANGUAGES else f"use one of {', '.join(INTERFACE_LANGUAGES)}"


def needs_second_factor(role: Role) -> bool:
    return role in SECOND_FACTOR_ROLES


def user_name_problem(name: str) -> str | None:
    # Letters, digits, dots, dashes: an escort's name is their officer id (e.g. TH-SSK-F01), which
    # is how the calendars already know them. Never a person's full name with spaces.
    if not _USER.match(name or ""):
        return "2 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit"
    return None


def role_problem(role: str) -> str | None:
    try:
        parsed = Role(role)
    except ValueError:
        return f"use one of {', '.join(r.value for r in sorted(SIGN_IN_ROLES))}"
    if parsed not in SIGN_IN_ROLES:
        return "the system role is for scheduled flows; nobody signs in as it"
    return None


def password_problem(password: str, user: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"at most {MAX_PASSWORD} characters"
    if user.lower() in password.lower():
        return "must not contain the user name"
    return None


@dataclass(frozen=True)
class Lock:
    failures: int
    locked_until: datetime | None


def after_failure(failures: int, now: datetime) -> Lock:
    """One more wrong try; the count starts again once a lock is set."""
    failures += 1
    if failures >= MAX_FAILURES:
        return Lock(0, now + LOCK_FOR)
    return Lock(failures, None)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


@dataclass(frozen=True)
class SessionState:
    user: str
    role: Role
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None

    def end_reason(self, now: datetime, account_role: Role | None, account_enabled: bool) -> str | None:
        """Why this session may no longer be used, or None if it may."""
        if self.ended_at is not None:
            return "ended"
        if not account_enabled or account_role is None:
            return "disabled"
        if account_role is not self.role:
            return "role_changed"  # ASVS 8.3.2: a permission change takes effect at once
        if now - self.created_at >= ABSOLUTE_LIMIT:
            return "absolute"
        if now - self.last_seen_at >= IDLE_LIMIT:
            return "idle"
        return None

    @property
    def actor(self) -> Actor:
        return Actor(self.user, self.role)


def sees_case(actor: Actor, coordinator: str | None, assigned: bool) -> bool:
    """Record-level need to know for opening a case (R-111): the case's coordinator or a person
    assigned to it; the auditor sees every case (pseudonymised, by the services' field rules);
    nobody else. One function for web and CLI alike — the single gate of issue 11 takes it over."""
    if actor.role is Role.auditor:
        return True
    if actor.role is Role.coordinator and actor.user == coordinator:
        return True
    return actor.role in (Role.coordinator, Role.prosecutor, Role.legal_aid) and assigned


def setup_link(base_url: str, token: str) -> str:
    """The one-time set-up address handed to a new user, the same from the CLI and the web."""
    return f"{base_url.rstrip('/')}/setup/{token}"
