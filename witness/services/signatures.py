"""The name and office a person signs documents with (issue 14, item 4).

A court filing, a police request and a letter name the person who sends them as that person signs:
"Somchai Rattanakul, Office of the Attorney General, Samut Sakhon", never the login "somchai". An
admin sets them for anyone (`witness user signature LOGIN --name ... --office ...`); a person may
set their own. A document from an account without them leaves a line for the name to be written
by hand.
"""
from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select, update

from witness.domain.access import Actor
from witness.domain.fields import PersonName, label
from witness.domain.guardrails import ungated
from witness.errors import Forbidden, InputProblems, NotFound
from witness.store.account_tables import accounts

_NAME = TypeAdapter(PersonName)
_OFFICE = TypeAdapter(label(200))


def _checked(field: str, adapter: TypeAdapter, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return adapter.validate_python(value.strip())
    except ValidationError as exc:
        raise InputProblems([(field, exc.errors()[0]["msg"].removeprefix("Value error, "))]) from None


@ungated("accounts: no victim's case changes")
def set_signature(app, actor: Actor, login: str, name: str | None, office: str | None) -> dict:
    """Set (or clear, with an empty value) the name and office `login` signs with. Audited."""
    from witness.services.accounts import MANAGE_ROLES

    if actor.user != login and actor.role not in MANAGE_ROLES:
        raise Forbidden(f"{actor.role.value} may set only their own signature")
    values = {"display_name": _checked("name", _NAME, name), "office": _checked("office", _OFFICE, office)}
    with app.uow(actor) as uow:
        done = uow.conn.execute(update(accounts).where(accounts.c.login == login).values(**values)).rowcount
        if not done:
            raise NotFound(f"user: no account {login!r}")
        uow.audit("account.signature", login, "name and office " + ("set" if any(values.values()) else "cleared"))
        uow.commit()
    return {"user": login, "name": values["display_name"], "office": values["office"]}


def signer(conn, login: str) -> dict:
    """{"name": ..., "office": ...} of `login` (None where not set, or no such account)."""
    row = conn.execute(select(accounts.c.display_name, accounts.c.office).where(accounts.c.login == login)).first()
    return {"name": row.display_name if row else None, "office": row.office if row else None}
