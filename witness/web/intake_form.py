"""The intake form as a web form (R-112): the same IntakeForm model and service as `witness intake`.

Field names are the paths the validation reports (`victim.contact.phone`, `proceedings.0.court`),
so each `field.path: message` lands beside its field. The form keeps what was typed; nothing is
written unless the whole form is valid.
"""
from __future__ import annotations

from typing import get_args

from starlette.responses import Response

from witness.domain.access import require
from witness.domain.care import ExploitationType, Pregnancy
from witness.domain.consent import Method
from witness.domain.intake import Channel, Gender
from witness.domain.proceeding import Custody, Relationship
from witness.domain.support import ServiceKind
from witness.errors import InputProblems
from witness.services.intake import open_case
from witness.web.languages import N_
from witness.web.page import Ctx, see_other, signed_in

LISTS = {"victim.safe_channels", "services", "circumstances.exploitation"}  # checkboxes: several values under one name
LINES = {"victim.aliases"}  # one per line
FLAGS = {"victim.age_determined", "consents.0.guardian_agreed", "consents.1.guardian_agreed",
         "consents.0.explained", "consents.1.explained", "circumstances.media_breach"}
GROUPS = ("guardian", "proceedings.0.accused.0", "proceedings.0", "consents.0", "consents.1")
CHOICES = {
    "genders": list(get_args(Gender)),
    "channels": list(get_args(Channel)),
    "custody": [c.value for c in Custody],
    "relationships": [r.value for r in Relationship],
    "methods": [m.value for m in Method],
    "services": [s.value for s in ServiceKind],
    "exploitation": [e.value for e in ExploitationType],
    "pregnancy": [p.value for p in Pregnancy],
}


def _values(form) -> dict:
    """What was typed, by field name (kept to show the form again)."""
    out: dict = {}
    for name, value in form.multi_items():
        if name == "csrf":
            continue
        if name in LISTS:
            out.setdefault(name, []).append(str(value))
        else:
            out[name] = str(value)
    return out


def data_of(values: dict) -> dict:
    """Dotted field names to the nested document IntakeForm reads; blank fields and wholly blank
    optional sections are left out, as they would be in a YAML file."""
    flat: dict = {}
    for name, value in values.items():
        if name in LISTS:
            flat[name] = list(value)
        elif name in LINES:
            lines = [line.strip() for line in value.splitlines() if line.strip()]
            if lines:
                flat[name] = lines
        elif name in FLAGS:
            flat[name] = True
        elif value.strip():
            flat[name] = value.strip()
    for group in GROUPS:  # a section with only a tick box left is still blank
        keys = [k for k in flat if k.startswith(group + ".")]
        if keys and all(k in FLAGS for k in keys):
            for k in keys:
                del flat[k]
    doc: dict = {}
    for name, value in flat.items():
        node = doc
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(doc)


def _lists(node):
    """{"0": {...}, "1": {...}} becomes a list, in index order."""
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}


def _form(ctx: Ctx, values: dict, errors: list[tuple[str, str]] | None = None, status: int = 200) -> Response:
    return ctx.render("intake.html", status, title=N_("New case"), values=values, errors=dict(errors or []),
                      problems=errors or [], jurisdictions=sorted(ctx.app.profiles), choices=CHOICES)


@signed_in
def intake_page(ctx: Ctx) -> Response:
    require(ctx.actor, "case.intake")
    return _form(ctx, {"coordinator": ctx.actor.user})


@signed_in
def intake_submit(ctx: Ctx) -> Response:
    require(ctx.actor, "case.intake")
    values = _values(ctx.form)
    try:
        case_id = open_case(ctx.app, ctx.actor, data_of(values))
    except InputProblems as exc:
        return _form(ctx, values, exc.problems, 422)
    return see_other(f"/cases/{case_id}")
