"""Tables of the accounts area (R-110): people who sign in, their sessions and case assignments.

Passwords are Argon2id hashes (the hash string carries its own salt and parameters). The TOTP
secret is encrypted like identity fields, bound to the account's login. Session ids and set-up
tokens are stored only as SHA-256 hashes: a copy of the database gives no way in.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from witness.store.tables import UTC, Secret, metadata

accounts = Table(
    "accounts", metadata,
    Column("login", String(80), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text),  # null until the person sets one through their set-up link
    Column("totp_secret", Secret),
    Column("totp_enrolled_at", UTC),
    Column("totp_last_step", BigInteger),  # the last accepted time step: a code is never accepted twice
    Column("language", String(8), nullable=False, default="en"),
    # What a document is signed with (issue 14): the person's name and office, never the login.
    Column("display_name", String(120)),
    Column("office", String(200)),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", UTC),
    Column("disabled_at", UTC),
    Column("setup_token_hash", String(64), unique=True),
    Column("setup_expires_at", UTC),
    Column("created_at", UTC, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("updated_at", UTC, nullable=False),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("login", String(80), ForeignKey("accounts.login"), nullable=False),
    Column("role", String(20), nullable=False),  # the role signed in with; a change ends the session
    Column("csrf", String(64), nullable=False),  # the synchroniser token for this session's forms
    Column("created_at", UTC, nullable=False),
    Column("last_seen_at", UTC, nullable=False),
    Column("ended_at", UTC),
    Column("end_reason", String(20)),
    Index("ix_web_sessions_login_ended", "login", "ended_at"),
)

account_cases = Table(
    "account_cases", metadata,
    Column("login", String(80), ForeignKey("accounts.login"), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True, index=True),
    Column("assigned_at", UTC, nullable=False),
    Column("assigned_by", String(80), nullable=False),
)

# A person's secret calendar feed URL, one live link per audience. The token is the only
# key a calendar app can hold, so it is stored as a SHA-256 hash like a session id; revoking the
# link (or rotating it: revoke and issue anew) makes the old URL answer 404.
calendar_subscriptions = Table(
    "calendar_subscriptions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("login", String(80), ForeignKey("accounts.login"), nullable=False),
    Column("audience", String(20), nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("revoked_at", UTC),
    Index("ix_calendar_subscriptions_login", "login", "audience", "revoked_at"),
)

ENCRYPTED = [(accounts, "login", ("totp_secret",), "login")]
