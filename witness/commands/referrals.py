"""Referral and data sharing (issue 12): `witness data share|shares`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context, new_group
from witness.terminal import echo, table, when  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    sub = new_group(app, "data", "Share a victim's data with another agency, with their consent; every share recorded.")
    sub.command("share")(data_share)
    sub.command("shares")(data_shares)


def data_share(case_id: str, recipient: str,
               fields: Annotated[str, typer.Option(help="comma-separated, e.g. pseudonym,needs")],
               purpose: Annotated[str, typer.Option(help="why the recipient needs them")],
               kind: Annotated[str, typer.Option(help="ngo, shelter, clinic, authority, embassy, legal_aid, prosecutor, court")],
               country: Annotated[Optional[str], typer.Option(help="the recipient's country, ISO alpha-2, if abroad")] = None,
               override: context.OverrideOpt = None):
    """Share these fields with RECIPIENT (needs the victim's data_sharing:RECIPIENT consent)."""
    from witness.services.referrals import share

    r = share(context.app(), context.actor(), case_id,
              {"recipient": recipient, "recipient_kind": kind, "recipient_country": country,
               "fields": [f.strip() for f in fields.split(",") if f.strip()], "purpose": purpose},
              context.overrides(override))
    echo(f"{case_id}: {', '.join(r['fields'])} shared with {recipient} (share {r['share']})")


def data_shares(case_id: str):
    """Every share of the case's data: who, what, when, under which consent, revoked or not."""
    from witness.services.referrals import shares

    rows = shares(context.app(), context.actor(), case_id)
    if not rows:
        echo("no data shared")
        return
    table(["SHARED", "RECIPIENT", "FIELDS", "CONSENT", "STATE"],
          [[when(s["shared_at"]), s["recipient"], ",".join(s["fields"]), s["consent"],
            f"revoked {when(s['revoked_at'])}" if s["revoked_at"] else "active"] for s in rows])
