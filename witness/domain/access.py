"""Need to know (R-70): who may do what, and who may see which identity fields.

Policy is data so that a reviewer can read it in one place. Everything not granted is refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from witness.domain.user_ids import USER_ID, USER_ID_RULE
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
        # The user name lands in every audit row and on screens, and must be the account's login
        # exactly: the one id shape of witness.domain.user_ids (ASCII, so no look-alike letters).
        if not USER_ID.fullmatch(user):
            raise Forbidden(f"actor: the user name is {USER_ID_RULE}")
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
    "worklist.everyone": frozenset({Role.admin}),  # everyone's open items, to see what is stuck
    # An escort's or interpreter's own assignments page (what their calendar holds for them).
    "assignments.read": frozenset({Role.escort, Role.interpreter}),
    "sweep.run": frozenset({Role.system, Role.admin, Role.coordinator}),
    "audit.verify": frozenset({Role.auditor, Role.admin}),
    "keys.rotate": frozenset({Role.admin}),
    "case.erase": frozenset({Role.admin}),  # crypto-shredding a closed case's victim: a key operation
    "store.backup": frozenset({Role.admin}),  # a copy of everything, sealed (R-101b)
    "custody.record": frozenset({Role.coordinator, Role.prosecutor, Role.system}),
    "risk.assess": frozenset({Role.coordinator}),
    "risk.read": frozenset({Role.coordinator, Role.prosecutor}),
    # Claims: the legal-aid lawyer builds and pursues them; the prosecutor records the demand made in
    # court; the coordinator follows; aggregate reports carry no personal data.
    "claim.write": frozenset({Role.legal_aid}),
    "claim.demand": frozenset({Role.legal_aid, Role.prosecutor}),
    "claim.read": frozenset({Role.legal_aid, Role.coordinator, Role.prosecutor}),
    # A claim's free text (notes, evidence, payer, references): its lawyer and the case's coordinators.
    "claim.notes": frozenset({Role.legal_aid, Role.coordinator}),
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
    # The victim's and the guardian's own calendars: handed over by the coordinators of the case.
    "calendar.victim": frozenset({Role.coordinator}),
    "document.generate": frozenset({Role.coordinator, Role.prosecutor, Role.legal_aid}),
    "document.read": frozenset({Role.coordinator, Role.prosecutor, Role.legal_aid, Role.auditor}),
    # Issue 12: the interpreter registry (staff, no victim data); sharing a victim's data with another
    # agency and planning a return are the coordinator's, with the victim.
    "interpreter.manage": frozenset({Role.coordinator, Role.admin}),
    "data.share": frozenset({Role.coordinator}),
    "return.plan": frozenset({Role.coordinator}),
}


def require(actor: Actor, permission: str) -> None:
    allowed = PERMISSIONS.get(permission, frozenset())
    if actor.role not in allowed:
        raise Forbidden(f"{actor.role.value} may not {permission}")


# Record-level need to know. The roles below are not bound to cases: the auditor reads
# every case, pseudonymised (what the auditor may read is already only that); the admin runs
# operations that name no victim (resources, the sweep, accounts); the system role is the scheduled
# flows. Every other role acts only on the cases it is on.
NOT_BOUND_TO_CASES = frozenset({Role.auditor, Role.admin, Role.system})


@dataclass(frozen=True)
class CaseAccess:
    """Who is on a case, each as the records say (witness.store.records.case_access):

    coordinators  the case's coordinator (cases.coordinator) and coordinators assigned to it
    prosecutors   the prosecutor of each of the case's proceedings, and prosecutors assigned to it
    lawyers       the legal-aid lawyer of each of the case's claims, and lawyers assigned to it
    escorts       officers named on or booked for the victim's appearances
    interpreters  interpreters named on the victim's appearances

    "Assigned" is an account's case assignment (R-110: `witness user assign`). For a hearing or a
    proceeding the access is the union over its cases (`|`): everyone on one of them acts on it.
    `open_to` names roles whose every member may act on the record (a coordinator hands any staff
    calendar on): empty for a case."""

    record: str
    coordinators: frozenset[str] = frozenset()
    prosecutors: frozenset[str] = frozenset()
    lawyers: frozenset[str] = frozenset()
    escorts: frozenset[str] = frozenset()
    interpreters: frozenset[str] = frozenset()
    open_to: frozenset[Role] = field(default=frozenset())

    def team(self, role: Role) -> frozenset[str]:
        return {Role.coordinator: self.coordinators, Role.prosecutor: self.prosecutors, Role.legal_aid: self.lawyers,
                Role.escort: self.escorts, Role.interpreter: self.interpreters}.get(role, frozenset())

    def __or__(self, other: "CaseAccess") -> "CaseAccess":
        return CaseAccess(self.record, self.coordinators | other.coordinators, self.prosecutors | other.prosecutors,
                          self.lawyers | other.lawyers, self.escorts | other.escorts,
                          self.interpreters | other.interpreters, self.open_to | other.open_to)

    def of_claim(self, claim_id: str, lawyer: str) -> "CaseAccess":
        """A claim is pursued by one lawyer: among legal aid only they act on it, while the case's
        coordinators follow it and its prosecutors record the demand made in court."""
        return replace(self, record=claim_id, lawyers=frozenset({lawyer}))

    def only(self, *roles: Role) -> "CaseAccess":
        """The same case, for an act only some of its people do (a victim's own calendar is handed
        over by the coordinators, not by everyone on the case)."""
        return CaseAccess(self.record, **{name: getattr(self, name) for name, role in _TEAMS.items() if role in roles})


_TEAMS = {"coordinators": Role.coordinator, "prosecutors": Role.prosecutor, "lawyers": Role.legal_aid,
          "escorts": Role.escort, "interpreters": Role.interpreter}


def staff_feed(audience: str, subject: str) -> CaseAccess:
    """A staff calendar (one person's assignments) as a record: its subject is on it, and any
    coordinator, who hands feeds on to people without an account."""
    role = Role(audience)
    return CaseAccess(f"{audience}:{subject}", open_to=frozenset({Role.coordinator}),
                      **{name: frozenset({subject}) for name, r in _TEAMS.items() if r is role})


def may_act_on(actor: Actor, case: CaseAccess | None, action: str) -> bool:
    """The one need-to-know rule (R-70, R-111): the role must be granted `action` (PERMISSIONS),
    and a role bound to cases must be on this one. `case=None` is an action about no one record
    (a list, the sweep, a report): the role decides, and lists keep only the rows this rule allows."""
    if actor.role not in PERMISSIONS.get(action, frozenset()):
        return False
    if case is None or actor.role in NOT_BOUND_TO_CASES or actor.role in case.open_to:
        return True
    return actor.user in case.team(actor.role)


def require_on(actor: Actor, case: CaseAccess | None, action: str) -> None:
    """`may_act_on`, or Forbidden naming what was refused (pseudonyms and ids only). The web shows
    every Forbidden as a 404, so there a refusal looks exactly like a record that does not exist."""
    if actor.role not in PERMISSIONS.get(action, frozenset()):
        raise Forbidden(f"{actor.role.value} may not {action}")
    if not may_act_on(actor, case, action):
        raise Forbidden(f"{case.record}: not one of your cases; a {actor.role.value} may {action} only on the cases "
                        "they are on (need to know)")


def identity_fields(actor: Actor, case: CaseAccess) -> frozenset[str]:
    """The identity fields this actor reads on this case: their role's (IDENTITY_BY_ROLE), and only
    on a case they are on (a prosecutor or lawyer of another case reads no name)."""
    if not may_act_on(actor, case, "case.read"):
        return frozenset()
    return IDENTITY_BY_ROLE.get(actor.role, frozenset())


def visible_identity_fields(actor: Actor, assigned_coordinator: str | None) -> frozenset[str]:
    """Coordinators see identity only for the cases assigned to them (record-level check).

    Knows only the case's coordinator, not who else is on the case: the services use
    `identity_fields` with the case's CaseAccess; this stays for the web's "show identity" button
    until it reads the same."""
    if actor.role is Role.coordinator and actor.user != assigned_coordinator:
        return frozenset()
    return IDENTITY_BY_ROLE.get(actor.role, frozenset())
