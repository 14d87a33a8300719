"""Care (issue 12): `witness guardian record`, `witness detention start|end`, `witness shelter
providers|place`, `witness media breach`, `witness care show`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context, new_group
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    guardian_app = new_group(app, "guardian", "A child's guardian (R-15; recorded later for a child found without one).")
    guardian_app.command("record")(guardian_record)
    detention_app = new_group(app, "detention", "A victim held in detention: escalated past the profile's limit.")
    detention_app.command("start")(detention_start)
    detention_app.command("end")(detention_end)
    shelter_app = new_group(app, "shelter", "Accommodation providers and placements (written shelter_stay consent).")
    shelter_app.command("providers")(shelter_providers)
    shelter_app.command("place")(shelter_place)
    media_app = new_group(app, "media", "Media exposure of the victim (a breach is urgent and makes a risk review due).")
    media_app.command("breach")(media_breach)
    care_app = new_group(app, "care", "A victim's care at a glance: guardian, detention, accommodation, intake facts.")
    care_app.command("show")(care_show)


def care_show(case_id: str):
    from witness.services.care import summary
    from witness.terminal import echo_json

    echo_json(summary(context.app(), context.actor(), case_id))


def _when(text: Optional[str], field: str):
    if text is None:
        return None
    from witness.clock import parse_instant
    from witness.errors import InputProblems

    try:
        return parse_instant(text)
    except ValueError as exc:
        raise InputProblems([(field, str(exc))]) from None


def guardian_record(case_id: str, file: Annotated[Path, typer.Argument(
        help="YAML or JSON: name, relationship, phone, language, accused_link (as the intake file's guardian)")]):
    """Record a child's guardian from a file (a name never goes on the command line: shell history)."""
    from witness.forms import read_data
    from witness.services.guardians import record

    link = record(context.app(), context.actor(), case_id, read_data(file))
    echo(f"{case_id}: guardian recorded")
    if link:
        echo(f"{case_id}: URGENT: the guardian is linked to an accused ({link}); on the worklist")


def detention_start(case_id: str, kind: Annotated[str, typer.Argument(
        help="immigration_detention, protective_custody, police_cell or prison")],
                    since: Annotated[Optional[str], typer.Option(help="when it began (ISO 8601); default now")] = None):
    from witness.services.detention import record

    record(context.app(), context.actor(), case_id, kind, _when(since, "since"))
    echo(f"{case_id}: detention ({kind}) recorded; on the worklist until it ends")


def detention_end(case_id: str,
                  at: Annotated[Optional[str], typer.Option(help="when it ended (ISO 8601); default now")] = None):
    from witness.services.detention import end

    end(context.app(), context.actor(), case_id, _when(at, "at"))
    echo(f"{case_id}: detention ended")


def shelter_providers(case_id: str, kind: Annotated[Optional[str], typer.Option(help="accommodation kind")] = None):
    """Providers in the case's jurisdiction, those that fit the victim first, with why the others do not."""
    from witness.services.accommodation import providers

    for p in providers(context.app(), context.actor(), case_id, kind):
        fit = "fits" if not p["unsuitable"] else "does not fit: " + "; ".join(p["unsuitable"])
        echo(f"{p['id']}  {p['name']}  ({p['operator']}, {', '.join(p['kinds'])}"
             f"{'' if p['accredited'] else ', not accredited'})  {fit}")


def shelter_place(case_id: str, kind: str, provider: str):
    """Start an accommodation with a provider; needs the victim's written shelter_stay consent."""
    from witness.services.accommodation import place

    place(context.app(), context.actor(), case_id, kind, provider)
    echo(f"{case_id}: {kind} started with {provider}")


def media_breach(case_id: str):
    """The victim's identity or story reached the media: urgent worklist item, risk reassessment due."""
    from witness.services.media import report_breach

    report_breach(context.app(), context.actor(), case_id)
    echo(f"{case_id}: media breach recorded; URGENT item on the worklist, risk reassessment due")
