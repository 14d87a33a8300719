"""Calendar subscriptions (R-114): each person's secret feed URL, one live link per audience.

The link's token is the only credential a calendar app can hold, so it is treated like a session
id: 32 random bytes given once, stored only as a SHA-256 hash. Rotating issues a new link and
revokes the old one; a revoked link, a disabled account, or a role that no longer has that
audience answers exactly like a link that never existed (NotFound, a 404 on the web).

The feed is the person's own: their hearing feed (calendar_feeds.export, with its need to know,
Do No Harm gate and audit) and every other dated obligation on their cases (services.obligations).
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import insert, select, update

from witness.domain.access import Actor, Role
from witness.domain.guardrails import ungated
from witness.errors import NotFound
from witness.outputs import obligation_events
from witness.outputs.calendars import AUDIENCES
from witness.services import calendar_feeds, obligations
from witness.store.account_tables import accounts, calendar_subscriptions

# The audience each role's own feed is for. A role with none (auditor, admin) has no feed.
AUDIENCE_BY_ROLE = {Role.coordinator: "coordinator", Role.prosecutor: "prosecutor", Role.escort: "escort",
                    Role.interpreter: "interpreter", Role.legal_aid: "legal_aid"}
NO_FEED = "feed: there is no calendar at this address (the link was revoked, rotated or mistyped)"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audience_of(actor: Actor) -> str | None:
    return AUDIENCE_BY_ROLE.get(actor.role)


def _audience(actor: Actor) -> str:
    audience = audience_of(actor)
    if audience is None:
        raise NotFound(f"feed: {actor.role.value} has no calendar feed")
    return audience


def _revoke_live(uow, login: str, audience: str) -> int:
    return uow.conn.execute(update(calendar_subscriptions).where(
        calendar_subscriptions.c.login == login, calendar_subscriptions.c.audience == audience,
        calendar_subscriptions.c.revoked_at.is_(None)).values(revoked_at=uow.now)).rowcount


@ungated("a person's own calendar link: no victim's case changes")
def issue(app, actor: Actor) -> str:
    """A new secret link for the person's feed; any earlier live link stops working. Returns the
    token, shown once (only its hash is kept)."""
    audience = _audience(actor)
    token = secrets.token_urlsafe(32)
    with app.uow(actor) as uow:
        ended = _revoke_live(uow, actor.user, audience)
        uow.conn.execute(insert(calendar_subscriptions).values(token_hash=_digest(token), login=actor.user,
                                                               audience=audience, created_at=uow.now))
        uow.audit("calendar.link", actor.user, f"{audience} feed link issued" + ("; the old one revoked" if ended else ""))
        uow.commit()
    return token


@ungated("a person's own calendar link: no victim's case changes")
def revoke(app, actor: Actor) -> int:
    """The person's live link stops working. Returns how many links were revoked (0 or 1)."""
    audience = _audience(actor)
    with app.uow(actor) as uow:
        ended = _revoke_live(uow, actor.user, audience)
        uow.audit("calendar.revoke", actor.user, f"{audience} feed link revoked ({ended})")
        uow.commit()
    return ended


@ungated("a read of the person's own link state")
def live_since(app, actor: Actor):
    """When the person's live link was issued, or None."""
    audience = audience_of(actor)
    if audience is None:
        return None
    with app.uow(actor) as uow:
        return uow.conn.execute(select(calendar_subscriptions.c.created_at).where(
            calendar_subscriptions.c.login == actor.user, calendar_subscriptions.c.audience == audience,
            calendar_subscriptions.c.revoked_at.is_(None))).scalar()


def feed(app, token: str) -> bytes:
    """The .ics behind a secret link, read as its owner (their need to know, their audit trail)."""
    with app.uow(Actor("calendar", Role.system)) as uow:
        row = uow.conn.execute(
            select(calendar_subscriptions.c.login, calendar_subscriptions.c.audience, accounts.c.role,
                   accounts.c.disabled_at)
            .join(accounts, accounts.c.login == calendar_subscriptions.c.login)
            .where(calendar_subscriptions.c.token_hash == _digest(token or ""),
                   calendar_subscriptions.c.revoked_at.is_(None))).first()
    if row is None or row.disabled_at is not None or AUDIENCE_BY_ROLE.get(Role(row.role)) != row.audience:
        raise NotFound(NO_FEED)
    owner = Actor(row.login, Role(row.role))
    dated = obligations.of(app, owner)
    now = app.clock.now()
    if row.audience in AUDIENCES:
        return obligation_events.add_to(calendar_feeds.export(app, owner, row.audience), dated, now)
    return obligation_events.calendar(f"Claims – {owner.user}", f"{row.audience}:{owner.user}", dated, now)
