"""The Do No Harm guardrail engine (R-30…R-32).

Every proposed action — stage change, scheduling an appearance, requesting a measure, assigning an
escort or interpreter, sharing data, sending a notice, generating a document, ending a service —
is described as a `Proposed` action about a case (`CaseFacts`) and passed to `evaluate`. It returns
findings: rule id, `block`/`warn`/`escalate`, a plain-language explanation and the Guide section.

- `block`: the action is not carried out. Rules marked `overridable` (gender preference) may be
  overridden with a recorded reason and actor; the rest never.
- `warn`: carried out only with a recorded override reason (audited).
- `escalate`: a person must act now (put on the worklist by the caller); the action is not stopped.

A jurisdiction profile may tighten a rule (warn -> block), never loosen it (R-32).
The engine is pure: callers gather the facts, the service layer enforces (services/guardrails.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable

from witness.domain.consent import Consent, Method, has_consent
from witness.domain.proceeding import FREE_AGAIN, Custody
from witness.domain.reflection import ReflectionPeriod, VictimDecision
from witness.domain.stage import CONSENT_FOR_STAGE, Stage
from witness.domain.support import ACCOMMODATION_KINDS, COOPERATION_REASONS
from witness.domain.victim import AgeStatus, presumed_child


class Severity(StrEnum):
    warn = "warn"
    escalate = "escalate"
    block = "block"


_ORDER = {Severity.warn: 0, Severity.escalate: 1, Severity.block: 2}


class ActionKind(StrEnum):
    stage_change = "stage_change"
    schedule_appearance = "schedule_appearance"  # interview, testimony, hearing appearance, medical exam
    request_measure = "request_measure"
    assign_escort = "assign_escort"
    assign_interpreter = "assign_interpreter"
    share_data = "share_data"
    send_notice = "send_notice"
    generate_document = "generate_document"
    publish_calendar = "publish_calendar"
    start_service = "start_service"
    end_service = "end_service"
    plan_return = "plan_return"
    resolve_claim = "resolve_claim"  # a restitution claim ends without full payment (withdrawn, ...)
    custody_followup = "custody_followup"  # the sweep's check after an accused is freed
    give_consent = "give_consent"  # recording the victim's consent (a notification channel must be safe)
    open_claim = "open_claim"  # a restitution claim made in the victim's name


# What the rules of each kind read from `Proposed.details`. `witness check --detail` refuses any
# other key, so a mistyped one can never give a false all-clear.
DETAILS: dict[ActionKind, frozenset[str]] = {
    ActionKind.stage_change: frozenset({"target"}),
    ActionKind.schedule_appearance: frozenset({"act", "at", "interviewer_gender", "examiner_gender",
                                               "in_person_cross_examination_by_defendant"}),
    ActionKind.request_measure: frozenset({"measure", "in_person_cross_examination_by_defendant"}),
    ActionKind.assign_escort: frozenset({"genders"}),
    ActionKind.assign_interpreter: frozenset({"interpreter", "blocklisted", "community_link", "accused_link",
                                              "declared_conflict", "vetted", "speaks"}),
    ActionKind.share_data: frozenset({"recipient", "includes_identity", "recipient_role", "recipient_country"}),
    ActionKind.send_notice: frozenset({"channel", "includes_identity", "recipient_role"}),
    ActionKind.generate_document: frozenset({"includes_identity", "recipient_role", "document", "about"}),
    ActionKind.publish_calendar: frozenset({"includes_identity", "recipient_role"}),
    ActionKind.start_service: frozenset({"service"}),
    ActionKind.end_service: frozenset({"service", "reason"}),
    ActionKind.plan_return: frozenset({"data_to_origin", "stay_tied_to_testimony"}),
    ActionKind.resolve_claim: frozenset({"status"}),
    ActionKind.custody_followup: frozenset({"deadline_minutes"}),
    ActionKind.give_consent: frozenset({"scope"}),
    ActionKind.open_claim: frozenset(),
}


# Measures that protect the victim's safety: allowed for a child even before a guardian is recorded.
SAFETY_MEASURES = frozenset({"escort", "secure_accommodation", "secure_route", "separate_waiting_room",
                             "private_entrance", "security_checks", "pseudonym", "closed_hearing"})
# Outputs that reveal identity need both a need-to-know recipient and name_disclosure consent.
NEED_TO_KNOW_ROLES = frozenset({"coordinator", "prosecutor", "legal_aid", "court"})
# Who receives a document or a calendar without it being "data shared with another party" (DNH-10):
# the need-to-know roles; the victim; the police, which decide the escort an escort request asks
# for, as the court decides the other measures (the request carries the pseudonym only, R-63); and a
# child's guardian, who acts for the child. Anyone else, an adult victim's guardian or family
# member included (who may be the trafficker), needs the victim's data_sharing:<recipient> consent.
OWN_CIRCLE = NEED_TO_KNOW_ROLES | {"victim", "police"}


@dataclass(frozen=True)
class AccusedFacts:
    label: str
    custody: Custody
    custody_changed_at: datetime
    relationship: str


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about the case; gathered by the service layer."""

    case_id: str
    jurisdiction: str
    stage: str
    age_status: AgeStatus
    has_guardian: bool
    gender: str
    escort_gender_preference: str | None
    safe_channels: tuple[str, ...]
    consents: tuple[Consent, ...]
    reflection: ReflectionPeriod
    nationality: str | None = None
    accused: tuple[AccusedFacts, ...] = ()
    pending_claim: bool = False
    stay_until_resolved_note: bool = False
    settlement_pressure_reported: bool = False
    settlement_followed_up: bool = False
    victim_notified_since_custody_change: bool = False
    reassessed_since_custody_change: bool = False
    unresolved_claims: tuple[str, ...] = ()  # "CL-… (status)" of each claim not yet resolved (DNH-14)
    guardian_accused_link: str | None = None  # why the child's guardian is linked to an accused (DNH-21)
    explained_scopes: tuple[str, ...] = ()  # scopes whose information sheet was explained to the victim (DNH-31)

    @property
    def child(self) -> bool:
        return presumed_child(self.age_status)

    @property
    def foreign(self) -> bool:
        return self.nationality is not None and self.nationality != self.jurisdiction


@dataclass(frozen=True)
class Proposed:
    """An action someone wants to carry out. `details` holds what the rules of that kind read:

    stage_change: target ("investigation", ...); schedule_appearance: act ("interview", "testimony",
    "hearing", "medical_exam"), at (datetime), in_person_cross_examination_by_defendant (bool);
    request_measure: measure; assign_escort: genders (list of str); schedule_appearance may carry
    interviewer_gender; assign_interpreter: interpreter, blocklisted (bool), community_link (bool),
    accused_link (bool); share_data: recipient; send_notice: channel, includes_identity (bool),
    recipient_role; generate_document / publish_calendar: includes_identity (bool), recipient_role,
    document, about ("hearing" for a request about the victim's appearance); start_service: service;
    end_service: service, reason; resolve_claim: status; give_consent: scope. `DETAILS` lists them.
    """

    kind: ActionKind
    case: CaseFacts
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    explanation: str
    guide: str
    overridable: bool = False

    def line(self) -> str:
        return f"[{self.severity.value}] {self.rule}: {self.explanation} (Guide: {self.guide})"


@dataclass(frozen=True)
class Rule:
    id: str
    guide: str
    kinds: frozenset[ActionKind]
    severity: Severity
    check: Callable[[Proposed, datetime], str | None]  # returns the explanation when the rule fires
    overridable: bool = False


def _consent(case: CaseFacts, scope: str, now: datetime) -> bool:
    return has_consent(list(case.consents), scope, now)


# The consent each act needs. A hearing appearance is testimony; a request to the court or
# the police about an appearance is made only for an appearance the victim agreed to.
_ACT_SCOPE = {"interview": "interview", "testimony": "testimony", "hearing": "testimony", "medical_exam": "medical_exam"}


def act_scope(a: Proposed) -> str | None:
    """The consent scope the proposed action needs, if any (DNH-01 and DNH-13 read it)."""
    d = a.details
    if a.kind is ActionKind.stage_change:
        target = d.get("target")
        return CONSENT_FOR_STAGE.get(Stage(target)) if target in Stage.__members__ else None
    if a.kind is ActionKind.schedule_appearance:
        return _ACT_SCOPE.get(d.get("act"))
    if a.kind is ActionKind.generate_document and d.get("about") == "hearing":
        return "testimony"
    if a.kind is ActionKind.start_service and d.get("service") in ACCOMMODATION_KINDS:
        return "shelter_stay"  # Guide: Recovery §4, written consent upon entry at a shelter (any accommodation)
    if a.kind is ActionKind.end_service and d.get("reason") == "returned_home":
        return "return"  # a service ended because the victim went home: that return must be voluntary
    if a.kind is ActionKind.plan_return:
        return "return"
    return None


def _inside_reflection(a: Proposed, now: datetime) -> bool:
    at = a.details.get("at") if isinstance(a.details.get("at"), datetime) else now
    return a.case.reflection.is_running(now) or a.case.reflection.is_running(at)


def _reflection_consent(a: Proposed, now: datetime) -> str | None:
    period = a.case.reflection
    if a.kind is ActionKind.stage_change and a.case.stage == Stage.reflection.value:
        if period.is_running(now):
            return (f"the reflection period runs until {period.ends_at.date().isoformat()} and only the victim's "
                    "recorded decision ends it early; record it (witness reflection decide) or extend the period")
        if a.details.get("target") == Stage.decision.value and period.decision is VictimDecision.not_cooperate:
            return "the victim decided not to cooperate; the case moves to withdrawn and support continues"
    scope = act_scope(a)
    if scope not in ("interview", "testimony") or a.kind is ActionKind.generate_document:
        return None
    if _inside_reflection(a, now) and not _consent(a.case, scope, now):
        return (f"the victim is in the reflection and recovery period and has not consented to {scope}; "
                "nobody may interview or call them to testify before they decide")
    return None


# Acts whose consent must be written, not only recorded (Guide: Recovery §4, "a written consent of
# victims upon entry at a shelter").
# A return too: "based on the victim's informed, and when possible, written consent" (Return and
# Reintegration §1); a return plan is made ahead of time, so writing it down is always possible.
WRITTEN_SCOPES = frozenset({"shelter_stay", "return"})


def _act_consent(a: Proposed, now: datetime) -> str | None:
    scope = act_scope(a)
    if scope is None:
        return None
    active = [c for c in a.case.consents if c.scope == scope and c.active_at(now)]
    if not active:  # inside the reflection period DNH-01 fires as well: both are true, and both are shown
        return (f"the victim has no active consent to {scope}; nothing is done without their voluntary, "
                "informed and recorded consent to this act")
    if a.case.child and not any(c.guardian_agreed for c in active):
        return f"the victim is (presumed) a child; the guardian must be party to the {scope} consent"
    if scope in WRITTEN_SCOPES and not any(c.method is Method.written for c in active):
        return (f"the victim's consent to {scope} is recorded as oral; the Guide asks for their written consent, "
                "given with full information in a language they understand")
    return None


def _services_cooperation(a: Proposed, now: datetime) -> str | None:
    if a.details.get("reason") in COOPERATION_REASONS:
        return ("support may not end because the victim declined or withdrew from the criminal process; "
                "shelter and assistance are delinked from cooperation")
    return None


def _real_name(a: Proposed, now: datetime) -> str | None:
    if not a.details.get("includes_identity"):
        return None
    role = a.details.get("recipient_role")
    if role not in NEED_TO_KNOW_ROLES:
        return f"the victim's real identity would reach a {role or 'recipient'} with no need to know it; use the pseudonym"
    if not _consent(a.case, "name_disclosure", now):
        return "the victim has not consented to disclose their name; use the pseudonym"
    return None


def _child_guardian(a: Proposed, now: datetime) -> str | None:
    if not a.case.child or a.case.has_guardian:
        return None
    if a.kind is ActionKind.request_measure and a.details.get("measure") in SAFETY_MEASURES:
        return None
    if a.kind is ActionKind.assign_escort:
        return None
    return "the victim is (presumed) a child and no guardian is recorded; only safety measures may go ahead"


def _gender(a: Proposed, now: datetime) -> str | None:
    pref = a.case.escort_gender_preference
    if not pref or pref == "unknown":
        return None
    genders = a.details.get("genders") or ([a.details["interviewer_gender"]] if a.details.get("interviewer_gender") else [])
    if genders and pref not in genders:
        who = "escort team" if a.kind is ActionKind.assign_escort else "interviewer"
        return f"the victim asked for a {pref} {who.split()[0]}, and this {who} has none"
    return None


def _interpreter(a: Proposed, now: datetime) -> str | None:
    d = a.details
    if d.get("blocklisted"):
        return "the interpreter is on the blocklist (e.g. 'persuasive' translation reported)"
    if d.get("declared_conflict"):
        return "the interpreter declared a conflict of interest in this case"
    if d.get("community_link") or d.get("accused_link"):
        return "the interpreter is linked to the victim's community or to the accused"
    return None


def _interpreter_vetting(a: Proposed, now: datetime) -> str | None:
    if a.details.get("vetted") is False:  # None: not in the registry, nothing known either way
        return ("the interpreter is registered but not vetted; use trained and vetted interpreters "
                "(record the vetting: witness interpreter vet)")
    if a.details.get("speaks") is False:
        return "the interpreter is not registered for the language of this act; use one vetted for it"
    return None


# Consents that need the information sheet explained first: what the victim agrees to changes their
# situation for good (Criminal Justice §1: "full information of what the process is about and the
# risks"; Medical §3: "informed of the steps and the process involved and why it is required").
INFORMED_SCOPES = frozenset({"testimony", "name_disclosure", "medical_exam", "return"})


def _informed_consent(a: Proposed, now: datetime) -> str | None:
    scope = a.details.get("scope")
    if scope not in INFORMED_SCOPES or scope in a.case.explained_scopes:
        return None
    return (f"no record that the information sheet on {scope} was explained to the victim (when, in which "
            f"language, through which interpreter); record it first (witness consent explain), consent "
            "without it is not informed")


def _data_to_origin(a: Proposed, now: datetime) -> str | None:
    if not a.case.foreign:
        return None
    if a.kind is ActionKind.plan_return:
        recipient = a.details.get("data_to_origin")
    else:
        recipient = a.details.get("recipient") if a.details.get("recipient_country") == a.case.nationality else None
    if not recipient:
        return None
    explicit = [c for c in a.case.consents if c.scope == f"data_sharing:{recipient}" and c.active_at(now)
                and c.method is Method.written]
    if not explicit:
        return (f"{recipient} is in the victim's country of origin; no personal data goes there without the victim's "
                f"explicit, written permission (consent data_sharing:{recipient}, written)")
    return None


def _residence_testimony(a: Proposed, now: datetime) -> str | None:
    if a.details.get("stay_tied_to_testimony"):
        return ("the victim's stay may not depend on testifying: a temporary residence permit is granted on social "
                "or humanitarian grounds, whether or not they serve as a witness")
    return None


def _examiner_gender(a: Proposed, now: datetime) -> str | None:
    if a.details.get("act") != "medical_exam":
        return None
    pref = a.case.escort_gender_preference
    if not pref or pref == "unknown":
        return None
    examiner = a.details.get("examiner_gender")
    if not examiner:
        return f"the victim asked for a {pref} examiner; say who examines them (--examiner-gender)"
    if examiner != pref:
        return f"the victim asked for a {pref} examiner, and this examiner is {examiner}"
    return None


RELEASE_FOLLOWUP_MINUTES = 15  # the victim told and the risk reassessed this soon after a release


def _release_followup(a: Proposed, now: datetime) -> str | None:
    deadline = a.details.get("deadline_minutes", RELEASE_FOLLOWUP_MINUTES)
    for acc in a.case.accused:
        if acc.custody in FREE_AGAIN and now - acc.custody_changed_at > timedelta(minutes=deadline):
            missing = [w for w, done in (("the victim has not been notified", a.case.victim_notified_since_custody_change),
                                         ("the risk has not been reassessed", a.case.reassessed_since_custody_change)) if not done]
            if missing:
                return f"{acc.label} was {acc.custody.value} and {' and '.join(missing)} within {deadline} minutes"
    return None


def _child_cross_exam(a: Proposed, now: datetime) -> str | None:
    if a.case.child and a.details.get("in_person_cross_examination_by_defendant"):
        return "the defendant may not cross-examine a child witness in person"
    return None


def _unsafe_channel(a: Proposed, now: datetime) -> str | None:
    if a.kind is ActionKind.give_consent:  # consent to be told by a channel is consent to its use
        scope = a.details.get("scope") or ""
        channel = scope.split(":", 1)[1] if scope.startswith("notification:") else None
    else:
        channel = a.details.get("channel")
    if channel in (None, "worklist"):
        return None
    if channel not in a.case.safe_channels:
        return f"the victim has not marked {channel} as a safe channel; someone else may read it"
    return None


def _data_sharing(a: Proposed, now: datetime) -> str | None:
    if a.kind is ActionKind.share_data:
        recipient = a.details.get("recipient")
    else:  # a document or a calendar: shared when it goes outside the case's own circle
        recipient = a.details.get("recipient_role")
        if recipient is None or recipient in OWN_CIRCLE or (recipient == "guardian" and a.case.child):
            return None
    if not _consent(a.case, f"data_sharing:{recipient}", now):
        return f"the victim has not consented to share their data with {recipient}"
    return None


def _foreign_stay(a: Proposed, now: datetime) -> str | None:
    if a.case.foreign and a.case.pending_claim and not a.case.stay_until_resolved_note:
        return ("a foreign victim has a restitution claim pending and no note that they may stay until it is "
                "resolved; repatriation before a claim is made often loses it")
    return None


def _settlement(a: Proposed, now: datetime) -> str | None:
    if a.kind is ActionKind.resolve_claim and a.details.get("status") != "withdrawn":
        return None  # only dropping the claim is what the pressure is after
    if a.case.settlement_pressure_reported and not a.case.settlement_followed_up:
        return ("pressure to settle informally was reported; advise the victim against informal settlement "
                "and follow up on the pressure")
    return None


def _claims_unresolved(a: Proposed, now: datetime) -> str | None:
    if a.details.get("target") != Stage.closed.value or not a.case.unresolved_claims:
        return None
    return (f"{a.case.case_id} cannot close while its restitution claim(s) {', '.join(a.case.unresolved_claims)} are "
            "unresolved: record the payments or how the claim ended (witness claim resolve) first")


def _guardian_complicity(a: Proposed, now: datetime) -> str | None:
    if not a.case.child or not a.case.has_guardian or not a.case.guardian_accused_link:
        return None
    return (f"the child's guardian is linked to an accused ({a.case.guardian_accused_link}); a guardian who may be "
            "complicit cannot protect the child's interests: have an independent guardian appointed")


RECORDED_LINK = "recorded as linked to "


def link_recorded(link: str | None) -> bool:
    """A link a person recorded (the guardian named as linked to an accused), as against one only
    suspected because guardian and accused are both family. A suspicion escalates (DNH-21) for a person
    to decide; only a recorded link cuts the guardian off (DNH-22): cutting a parent off on a guess
    would leave the child without the adult who consents and is told for her."""
    return bool(link) and RECORDED_LINK in link


def _complicit_guardian_contact(a: Proposed, now: datetime) -> str | None:
    if a.details.get("recipient_role") != "guardian" or not link_recorded(a.case.guardian_accused_link):
        return None
    return (f"the child's guardian is linked to an accused ({a.case.guardian_accused_link}); nothing about the case "
            "goes to them: the coordinator tells the child, or the independent guardian once appointed")


ALL = frozenset(ActionKind)
RULES: tuple[Rule, ...] = (
    Rule("DNH-01-reflection-consent", "Recovery, Reflection and Shelter §1; Criminal Justice §1",
         frozenset({ActionKind.stage_change, ActionKind.schedule_appearance}), Severity.block, _reflection_consent),
    Rule("DNH-02-services-cooperation", "Recovery, Reflection and Shelter §3; Criminal Justice §1",
         frozenset({ActionKind.end_service}), Severity.block, _services_cooperation),
    Rule("DNH-03-real-name", "Criminal Justice §2 (privacy and anonymity)",
         frozenset({ActionKind.send_notice, ActionKind.generate_document, ActionKind.publish_calendar,
                    ActionKind.share_data}), Severity.block, _real_name),
    # Never on starting support: an unaccompanied child is sheltered at once, guardian or not. Never
    # on recording a consent: the victim's own decision is recorded (the guardian as a party, R-15).
    Rule("DNH-04-child-guardian", "Victim Identification §1; Criminal Justice (child witnesses)",
         ALL - {ActionKind.custody_followup, ActionKind.send_notice, ActionKind.start_service, ActionKind.give_consent},
         Severity.block, _child_guardian),
    Rule("DNH-05-gender-preference", "Criminal Justice §3 (trained female and male investigators)",
         frozenset({ActionKind.assign_escort, ActionKind.schedule_appearance}), Severity.block, _gender, overridable=True),
    Rule("DNH-06-interpreter", "Criminal Justice §1 (challenge: 'persuasive' translation)",
         frozenset({ActionKind.assign_interpreter}), Severity.block, _interpreter),
    Rule("DNH-07-release-followup", "Criminal Justice §3 (kept informed, especially if the accused is released)",
         frozenset({ActionKind.custody_followup}), Severity.escalate, _release_followup),
    Rule("DNH-08-child-cross-examination", "Criminal Justice (considerations for child witnesses)",
         frozenset({ActionKind.schedule_appearance, ActionKind.request_measure}), Severity.block, _child_cross_exam),
    Rule("DNH-09-unsafe-channel", "Recovery §4 (perpetrators finding the victim); Criminal Justice §2",
         frozenset({ActionKind.send_notice, ActionKind.give_consent}), Severity.block, _unsafe_channel),
    Rule("DNH-10-data-sharing-consent", "Criminal Justice §2 (not sharing details without permission)",
         frozenset({ActionKind.share_data, ActionKind.generate_document, ActionKind.publish_calendar}), Severity.block,
         _data_sharing),
    Rule("DNH-11-foreign-stay", "Criminal Justice §6 (foreign victims repatriated before a claim)",
         frozenset({ActionKind.plan_return, ActionKind.stage_change, ActionKind.end_service}), Severity.warn, _foreign_stay),
    # Never on notices, measures, escorts or appearances: a warning must not delay telling or
    # protecting the victim (the daily hearing prep re-checks appearances with no one to override).
    Rule("DNH-12-settlement-pressure", "Criminal Justice §1 (advise against informal settlement)",
         frozenset({ActionKind.stage_change, ActionKind.plan_return, ActionKind.end_service,
                    ActionKind.share_data, ActionKind.resolve_claim}), Severity.warn, _settlement),
    Rule("DNH-13-act-consent", "Criminal Justice §1 (voluntary and informed consent); Recovery §4 (written "
         "consent upon entry at a shelter); Return and Reintegration §1 (never force a return); Medical and "
         "Mental Healthcare §3 (examinations only with informed consent)",
         frozenset({ActionKind.stage_change, ActionKind.schedule_appearance, ActionKind.generate_document,
                    ActionKind.start_service, ActionKind.end_service, ActionKind.plan_return}),
         Severity.block, _act_consent),
    # Case management ends once the victim has received restitution (the Guide's LPSK practice, R-92).
    Rule("DNH-14-claims-unresolved", "Criminal Justice §6 (case management ends once restitution is received)",
         frozenset({ActionKind.stage_change}), Severity.block, _claims_unresolved),
    # Escalate, never block: the child still gets every measure; a person must act on the guardian.
    Rule("DNH-21-guardian-complicity", "Criminal Justice §7 (a legal guardian for a child deprived of parental "
         "care, e.g. parental complicity); Victim Identification §1 (appoint a legal guardian)",
         frozenset({ActionKind.stage_change, ActionKind.schedule_appearance, ActionKind.give_consent,
                    ActionKind.start_service, ActionKind.share_data, ActionKind.plan_return, ActionKind.open_claim}),
         Severity.escalate, _guardian_complicity),
    # Block: a notice, calendar or letter to a guardian who may be complicit tells the accused where
    # and when the child will be. The relay turns a stopped notice into a task for the coordinator.
    Rule("DNH-22-complicit-guardian-contact", "Criminal Justice §7 (parental complicity); Criminal Justice §2 "
         "(not sharing details without permission); Recovery §4 (perpetrators finding the victim)",
         frozenset({ActionKind.send_notice, ActionKind.publish_calendar, ActionKind.generate_document}),
         Severity.block, _complicit_guardian_contact),
    # Issue 12 (helper GA): interpreters, informed consent, return and data to the country of origin,
    # the medical examiner's gender.
    Rule("DNH-30-interpreter-vetting", "Medical and Mental Healthcare §4 (use trained and vetted interpreters to "
         "ensure that the victims can communicate needs)",
         frozenset({ActionKind.assign_interpreter}), Severity.warn, _interpreter_vetting),
    Rule("DNH-31-informed-consent", "Criminal Justice §1 (free and informed consent); Medical and Mental "
         "Healthcare §3 (informed of the steps; silence is not consent); Return and Reintegration §1 (informed consent)",
         frozenset({ActionKind.give_consent}), Severity.block, _informed_consent),
    Rule("DNH-32-data-to-origin", "Return and Reintegration §2 (no personal data to the country of origin without "
         "explicit permission)", frozenset({ActionKind.share_data, ActionKind.plan_return}), Severity.block,
         _data_to_origin),
    Rule("DNH-33-residence-not-testimony", "Return and Reintegration §1 (residence permit regardless of willingness "
         "to serve as a witness)", frozenset({ActionKind.plan_return}), Severity.block, _residence_testimony),
    Rule("DNH-34-examiner-gender", "Medical and Mental Healthcare §3, §4 (examined by someone of a gender the victim "
         "is comfortable with)", frozenset({ActionKind.schedule_appearance}), Severity.block, _examiner_gender,
         overridable=True),
)
RULES_BY_ID = {r.id: r for r in RULES}


# every public service function that takes (app, actor, ...) declares whether it passes the
# gate. Pure markers (an attribute on the function); tests/unit/test_one_gate.py reads them.
def gated(*kinds: ActionKind):
    """Declares that a service function passes the Do No Harm gate for these kinds before it writes."""
    def mark(fn):
        fn.__gate__ = tuple(kinds)
        return fn
    return mark


def ungated(reason: str):
    """Declares, with the reviewed reason, that a service function needs no Do No Harm check
    (a read, a record of a fact nobody may refuse, an account or key operation...)."""
    if not reason.strip():
        raise ValueError("ungated needs a reason")

    def mark(fn):
        fn.__gate__ = reason
        return fn
    return mark


def evaluate(action: Proposed, now: datetime, tighten: dict[str, str] | None = None) -> list[Finding]:
    """All findings for this action, most severe first. `tighten` comes from the jurisdiction profile."""
    findings = []
    for rule in RULES:
        if action.kind not in rule.kinds:
            continue
        explanation = rule.check(action, now)
        if explanation is None:
            continue
        severity = rule.severity
        wanted = (tighten or {}).get(rule.id)
        if wanted and _ORDER[Severity(wanted)] > _ORDER[severity]:
            severity = Severity(wanted)
        findings.append(Finding(rule.id, severity, explanation, rule.guide,
                                overridable=rule.overridable or severity is Severity.warn))
    return sorted(findings, key=lambda f: (-_ORDER[f.severity], f.rule))


def changes_after(case: CaseFacts, now: datetime, details: dict | None = None) -> datetime | None:
    """The first instant after `now` at which a rule that reads the clock may answer differently
    about this case, its facts unchanged: a consent starting or ending, a reflection period ending,
    the follow-up deadline after an accused is freed. None: no such instant ahead.

    The hearing planner re-checks a prepared hearing at that instant (its facts changing is noted by
    the database: witness/store/prep_triggers.py). A new rule that compares the clock with a fact
    must add that fact's instants here: tests/unit/test_guardrail_clock.py evaluates every rule at
    instants before this one and fails when an answer changes there."""
    instants = [c.given_at for c in case.consents] + [c.withdrawn_at for c in case.consents if c.withdrawn_at]
    if case.reflection.decided_at is None:
        instants.append(case.reflection.ends_at)
    deadline = timedelta(minutes=(details or {}).get("deadline_minutes", RELEASE_FOLLOWUP_MINUTES))
    instants += [acc.custody_changed_at + deadline for acc in case.accused
                 if acc.custody in FREE_AGAIN and acc.custody_changed_at is not None]
    return min((t for t in instants if t > now), default=None)


def unresolved(findings: list[Finding], overrides: dict[str, str]) -> list[Finding]:
    """What still stops the action: blocks that cannot be overridden, and blocks or warnings that
    can be but have no recorded reason. Escalations never stop an action."""
    return [f for f in findings if f.severity is not Severity.escalate
            and (not f.overridable or not (overrides.get(f.rule) or "").strip())]
