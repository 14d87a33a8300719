"""Need to know (R-70): who may do what, and who may see which identity fields.

Policy is data so that a reviewer can read it in one place. Everything not granted is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from witness.errors import Forbidden


class Role(StrEnum):
    coordinator = "coordinator"
    prosecutor = "prosecutor"
    legal_aid = "legal_aid"
    escort = "escort"
    interpreter = "interpreter"
    auditor = "auditor"
    admin = "admin"
    system = "system"  # the scheduled flows; sees no identity


@dataclass(frozen=True)
class Actor:
    user: str
    role: Role

    @classmethod
    def parse(cls, text: str) -> "Actor":
        """An identity claimed by a person (--actor, WITNESS_ACTOR). The `system` role is not one of
        theirs: it belongs to the scheduled flows, which build their Actor in code."""
        user, sep, role = text.partition(":")
        user, role = user.strip(), role.strip()
        if not sep or not user:
            raise Forbidden("actor: write it as USER:ROLE, e.g. amara:coordinator")
        # The user name lands in every audit row (80 characters) and on screens: no control characters.
        if len(user) > 80 or not user.isprintable():
            raise Forbidden("actor: the user name must be at most 80 printable characters")
        claimable = [r.value for r in Role if r is not Role.system]
        if role == Role.system.value:
            raise Forbidden("actor: the system role belongs to the scheduled flows and cannot be claimed; "
                            f"roles are {', '.join(claimable)}")
        if role not in claimable:
            # The refused value is not echoed: it may be anything the person typed.
            raise Forbidden(f"actor: unknown role; roles are {', '.join(claimable)}")
        return cls(user, Role(role))

    def __str__(self) -> str:
        return f"{self.user}:{self.role.value}"


IDENTITY_FIELDS = ("legal_name", "aliases", "date_of_birth", "phone", "email", "address", "notes",
                   "guardian_name", "guardian_phone")

# Field-level need to know. The prosecutor needs the name for the court record but not where the
# victim lives; legal aid needs name and contact to pursue restitution; escorts and interpreters
# get only their assignments (pseudonym, time, place), never identity.
IDENTITY_BY_ROLE: dict[Role, frozenset[str]] = {
    Role.coordinator: frozenset(IDENTITY_FIELDS),
    Role.prosecutor: frozenset({"legal_name", "aliases", "date_of_birth"}),
    Role.legal_aid: frozenset({"legal_name", "phone", "email"}),
}

# Function-level permissions.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "case.intake": frozenset({Role.coordinator}),
    "case.read": frozenset({Role.coordinator, Role.prosecutor, Role.legal_aid, Role.auditor}),
    "case.list": frozenset({Role.coordinator, Role.prosecutor, Role.legal_aid, Role.auditor}),
    "case.stage": frozenset({Role.coordinator, Role.prosecutor, Role.system}),
    "case.reflection": frozenset({Role.coordinator}),
    "consent.record": frozenset({Role.coordinator}),
    "service.change": frozenset({Role.coordinator}),
    "appointment.schedule": frozenset({Role.coordinator, Role.prosecutor}),
    "worklist.read": frozenset({Role.coordinator, Role.legal_aid, Role.admin}),
    "sweep.run": frozenset({Role.system, Role.admin, Role.coordinator}),
    "audit.verify": frozenset({Role.auditor, Role.admin}),
    "keys.rotate": frozenset({Role.admin}),
    "custody.record": frozenset({Role.coordinator, Role.prosecutor, Role.system}),
    "risk.assess": frozenset({Role.coordinator}),
    "risk.read": frozenset({Role.coordinator, Role.prosecutor}),
    # Claims: the legal-aid lawyer builds and pursues them; the prosecutor records the demand made in
    # court; the coordinator follows; aggregate reports carry no personal data.
    "claim.write": frozenset({Role.legal_aid}),
    "claim.demand": frozenset({Role.legal_aid, Role.prosecutor}),
    "claim.read": frozenset({Role.legal_aid, Role.coordinator, Role.prosecutor}),
    "claim.portfolio": frozenset({Role.legal_aid, Role.admin}),
    "claim.report": frozenset({Role.legal_aid, Role.coordinator, Role.admin, Role.auditor}),
    "notice.read": frozenset({Role.coordinator, Role.admin, Role.auditor}),
    "notice.ack": frozenset({Role.coordinator, Role.system}),
    "notice.relay": frozenset({Role.system, Role.admin, Role.coordinator}),
    "notice.opt_out": frozenset({Role.coordinator}),
    "event.record": frozenset({Role.coordinator, Role.prosecutor, Role.system}),
    "hearing.schedule": frozenset({Role.coordinator, Role.prosecutor}),
    "hearing.read": frozenset({Role.coordinator, Role.prosecutor, Role.auditor}),
    "measure.request": frozenset({Role.coordinator, Role.prosecutor}),
    "measure.decide": frozenset({Role.coordinator, Role.prosecutor}),  # records the court's decision
    "measure.read": frozenset({Role.coordinator, Role.prosecutor, Role.auditor}),
    "resource.manage": frozenset({Role.coordinator, Role.admin}),
    "resource.read": frozenset({Role.coordinator, Role.prosecutor, Role.admin}),
    "plan.run": frozenset({Role.coordinator, Role.system, Role.admin}),
    "calendar.export": frozenset({Role.coordinator, Role.prosecutor, Role.escort, Role.interpreter}),
    "document.generate": frozenset({Role.coordinator, Role.prosecutor, Role.legal_aid}),
    "document.read": frozenset({Role.coordinator, Role.prosecutor, Role.legal_aid, Role.auditor}),
}


def require(actor: Actor, permission: str) -> None:
    allowed = PERMISSIONS.get(permission, frozenset())
    if actor.role not in allowed:
        raise Forbidden(f"{actor.role.value} may not {permission}")


def visible_identity_fields(actor: Actor, assigned_coordinator: str | None) -> frozenset[str]:
    """Coordinators see identity only for the cases assigned to them (record-level check)."""
    if actor.role is Role.coordinator and actor.user != assigned_coordinator:
        return frozenset()
    return IDENTITY_BY_ROLE.get(actor.role, frozenset())
