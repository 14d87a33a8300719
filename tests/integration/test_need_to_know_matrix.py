"""Need to know on every read and write (R-70, R-111; issue 11, item 3): every service command x
every role x on the victim's records or not, on SQLite and PostgreSQL.

A refusal raises Forbidden, writes exactly one audit row of the denial (who, which record) and
changes nothing else in the store. An allowed command succeeds. Who may do what is written out
here by hand, from the roles in the specification, not read from the policy under test.

One store per backend for the whole module: refusals change nothing, so they all run against one
victim's records; an allowed write runs on a fresh victim of its own in the same store.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Callable

import pytest
from sqlalchemy import func, select

from tests.conftest import T0, adult_form, drop_schema, make_app, postgres_schema_url
from tests.helpers import dump
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.errors import Forbidden
from witness.services import (acknowledgements, appointments, calendar_feeds, cases, claims, consent, documents,
                              guardrails, hearings, measures, notices, preparation, reflection, risk, support, worklist)
from witness.services.intake import open_case
from witness.store.tables import audit_log

WHEN = T0 + timedelta(days=30)  # after the reflection period
# Who stands where. The first of each pair is on the victim's records: amara coordinates the case,
# somchai prosecutes its proceeding, hana is assigned to it as legal aid (and owns its claims),
# officer-9 and interp-07 are named on her appearance. The second of each pair is on none of them.
ON = {"coordinator": "amara", "prosecutor": "somchai", "legal_aid": "hana", "escort": "officer-9",
      "interpreter": "interp-07", "auditor": "audit-1", "admin": "root-1"}
OFF = {"coordinator": "dewi", "prosecutor": "preecha", "legal_aid": "budi", "escort": "officer-7",
       "interpreter": "interp-99"}
NOT_BOUND = {"auditor", "admin"}  # read every case (auditor) or run what names no victim (admin)
AMARA, SOMCHAI, HANA = Actor("amara", Role.coordinator), Actor("somchai", Role.prosecutor), Actor("hana", Role.legal_aid)


class World:
    """One victim's records, each made the first time a command needs it."""

    def __init__(self, app, n: int):
        self.app, self._docket = app, f"TH-NTK-{n:04d}"

    @cached_property
    def case(self) -> str:
        form = adult_form(consents=[{"scope": s, "method": "written", "language": "my", "explained": True}
                                    for s in ("shelter_stay", "medical_exam", "testimony")],
                          services=["shelter", "medical"])
        form["proceedings"][0]["docket"] = self._docket  # prosecutor somchai (tests/conftest.py)
        case = open_case(self.app, AMARA, form)
        put_on_case(self.app, HANA, case)
        return case

    @property
    def docket(self) -> str:
        """Her proceeding's docket (made with her case)."""
        self.case
        return self._docket

    @cached_property
    def decided(self) -> str:
        """The victim decided to cooperate and consented to an interview."""
        reflection.decide(self.app, AMARA, self.case, "cooperate")
        consent.give(self.app, AMARA, self.case, "interview", "oral", "my")
        return self.case

    @cached_property
    def assessed(self) -> str:
        risk.record(self.app, AMARA, self.case, {"trigger": "initial", "case": {},
                                                 "victim": {"own_words": "afraid", "fear_scale": 2}})
        return self.case

    @cached_property
    def hearing(self) -> str:
        witness = {"case": self.case, "interpreter": "interp-07", "escorts": ["officer-9"]}
        return hearings.add(self.app, SOMCHAI, self.docket, WHEN, WHEN + timedelta(hours=2),
                            witnesses=[witness])["hearing"]

    @cached_property
    def measure(self) -> str:
        """The escort recommended for her appearance."""
        [m] = [m["id"] for m in measures.list_measures(self.app, AMARA, self.hearing) if m["kind"] == "escort"]
        return m

    @cached_property
    def requested(self) -> str:
        measures.request(self.app, SOMCHAI, [self.measure])
        return self.measure

    def _claim(self) -> str:
        cid = claims.new(self.app, HANA, self.case)["claim"]
        claims.add_item(self.app, HANA, cid, "medical_costs", "15000", evidence="receipts 1-3")
        return cid

    @cached_property
    def claim(self) -> str:
        return self._claim()

    @cached_property
    def filed_claim(self) -> str:
        cid = self._claim()
        claims.file(self.app, HANA, cid)
        return cid

    @cached_property
    def awarded_claim(self) -> str:
        cid = self.filed_claim
        claims.award(self.app, HANA, cid, "15000", "2026-11-02", due_on="2026-12-01")
        return cid

    def everything(self) -> "World":
        for name in ("decided", "assessed", "requested", "claim", "awarded_claim"):
            getattr(self, name)
        return self


class StubRenderer:
    """The PDF is not what is tested here (tests/integration/test_documents.py renders them)."""

    def pdf(self, data):
        from witness.outputs.documents.render import Rendered

        return Rendered(b"%PDF-1.7 stub", 1)


@dataclass(frozen=True)
class Command:
    name: str
    roles: frozenset[str]  # the roles that may, on the victim's records
    run: Callable  # (app, actor, world)
    record: Callable  # (world) -> the record a refusal's audit row names
    writes: bool = True
    open_to: frozenset[str] = field(default_factory=frozenset)  # roles that may, on her records or not


def cmd(name, roles, run, record=lambda w: w.case, writes=True, open_to=()):
    return Command(name, frozenset(roles.split()), run, record, writes, frozenset(open_to))


COMMANDS = [
    cmd("case show", "coordinator prosecutor legal_aid auditor", lambda a, who, w: cases.show(a, who, w.case), writes=False),
    cmd("check", "coordinator prosecutor legal_aid auditor",
        lambda a, who, w: guardrails.dry_run(a, who, "stage_change", w.case, {"target": "withdrawn"}), writes=False),
    cmd("consent give", "coordinator", lambda a, who, w: consent.give(a, who, w.case, "interview", "oral", "my")),
    cmd("consent withdraw", "coordinator", lambda a, who, w: consent.withdraw(a, who, w.case, "medical_exam")),
    cmd("reflection extend", "coordinator", lambda a, who, w: reflection.extend(a, who, w.case, 5, "in hospital")),
    cmd("reflection decide", "coordinator", lambda a, who, w: reflection.decide(a, who, w.case, "cooperate")),
    cmd("service start", "coordinator", lambda a, who, w: support.start(a, who, w.case, "psychosocial")),
    cmd("service end", "coordinator", lambda a, who, w: support.end(a, who, w.case, "medical", "completed")),
    cmd("stage", "coordinator prosecutor",
        lambda a, who, w: cases.change_stage(a, who, w.decided, "decision", "the victim decided")),
    cmd("schedule", "coordinator prosecutor",
        lambda a, who, w: appointments.schedule(a, who, w.decided, "interview", T0 + timedelta(days=2))),
    cmd("assess", "coordinator", lambda a, who, w: risk.record(
        a, who, w.case, {"trigger": "scheduled", "case": {}, "victim": {"own_words": "calmer", "fear_scale": 1}})),
    cmd("risk read", "coordinator prosecutor", lambda a, who, w: risk.history(a, who, w.assessed), writes=False),
    cmd("report fact", "coordinator", lambda a, who, w: risk.report(a, who, w.case, "threat_reported")),
    cmd("hearing add", "coordinator prosecutor",
        lambda a, who, w: hearings.add(a, who, w.docket, WHEN + timedelta(days=1), WHEN + timedelta(days=1, hours=2)),
        record=lambda w: w.docket),
    cmd("hearing move", "coordinator prosecutor",
        lambda a, who, w: hearings.move(a, who, w.hearing, WHEN + timedelta(days=7), reason="adjourned"),
        record=lambda w: w.hearing),
    cmd("hearing show", "coordinator prosecutor auditor", lambda a, who, w: hearings.show(a, who, w.hearing),
        record=lambda w: w.hearing, writes=False),
    cmd("measures list", "coordinator prosecutor auditor", lambda a, who, w: measures.list_measures(a, who, w.case),
        writes=False),
    cmd("measure request", "coordinator prosecutor", lambda a, who, w: measures.request(a, who, [w.measure]),
        record=lambda w: w.measure),
    cmd("measure decide", "coordinator prosecutor", lambda a, who, w: measures.decide(a, who, w.requested, "granted"),
        record=lambda w: w.requested),
    cmd("plan", "coordinator admin", lambda a, who, w: preparation.plan_hearing(a, who, w.hearing),
        record=lambda w: w.hearing),
    cmd("calendar of the victim", "coordinator", lambda a, who, w: calendar_feeds.export(a, who, "victim", case_id=w.case),
        writes=False),
    # An escort's own feed is theirs; any coordinator may hand it on to someone without an account.
    cmd("calendar of an escort", "escort coordinator", lambda a, who, w: calendar_feeds.export(a, who, "escort", "officer-9"),
        record=lambda w: "escort:officer-9", writes=False, open_to=("coordinator",)),
    cmd("doc generate", "coordinator prosecutor legal_aid",
        lambda a, who, w: documents.generate(a, who, documents.Request("victim_letter", w.case), renderer=StubRenderer())),
    cmd("docs register", "coordinator prosecutor legal_aid auditor",
        lambda a, who, w: documents.register(a, who, w.case), writes=False),
    cmd("claim new", "legal_aid", lambda a, who, w: claims.new(a, who, w.case)),
    cmd("claim item", "legal_aid", lambda a, who, w: claims.add_item(a, who, w.claim, "transport_relocation", "500"),
        record=lambda w: w.claim),
    cmd("claim demand", "legal_aid prosecutor", lambda a, who, w: claims.demand(a, who, w.filed_claim, "15000"),
        record=lambda w: w.filed_claim),
    cmd("claim pay", "legal_aid", lambda a, who, w: claims.pay(a, who, w.awarded_claim, "100", "THB", "2026-11-02", "TRX-1"),
        record=lambda w: w.awarded_claim),
    cmd("claim status", "legal_aid coordinator prosecutor", lambda a, who, w: claims.status(a, who, w.claim),
        record=lambda w: w.claim, writes=False),
    cmd("notices list", "coordinator admin auditor", lambda a, who, w: notices.list_notices(a, who, case_id=w.case),
        writes=False),
    cmd("ack by contact", "coordinator", lambda a, who, w: acknowledgements.record_contact(a, who, w.case)),
    # Everyone's worklist is their own: the role decides, not the case.
    cmd("worklist", "coordinator legal_aid admin", lambda a, who, w: worklist.open_items(a, who), record=lambda w: "-",
        writes=False, open_to=("coordinator", "legal_aid")),
]


def _people():
    for role in ON:
        yield role, True
        if role not in NOT_BOUND:
            yield role, False


def allowed(c: Command, role: str, on: bool) -> bool:
    return role in c.roles and (on or role in NOT_BOUND or role in c.open_to)


CASES = sorted(((c, role, on) for c in COMMANDS for role, on in _people()),
               key=lambda t: allowed(*t))  # the refusals first, while the store is small
PARAMS = [pytest.param(c, role, on, id=f"{c.name}-{role}-{'on' if on else 'not on'}") for c, role, on in CASES]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("need_to_know")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'home' / 'witness.db'}"
    else:
        url, schema = postgres_schema_url()
    app = make_app(tmp, url)
    world = World(app, 0).everything()
    counter = iter(range(1, 10_000))
    yield Store(app, world, lambda: World(app, next(counter)))
    app.engine.dispose()
    if schema:
        drop_schema(schema)


@dataclass
class Store:
    app: object
    world: World
    fresh: Callable[[], World]
    last: dict | None = None  # the store as the last refusal left it (None: an allowed command ran since)

    def state(self) -> dict:
        return dump(self.app.engine, exclude=("audit_log", "audit_head"))

    def audit_after(self, seq: int) -> list[tuple]:
        with self.app.engine.connect() as c:
            return [(r.actor, r.role, r.action, r.record)
                    for r in c.execute(select(audit_log).where(audit_log.c.seq > seq).order_by(audit_log.c.seq))]

    def last_seq(self) -> int:
        with self.app.engine.connect() as c:
            return c.execute(select(func.max(audit_log.c.seq))).scalar() or 0


@pytest.mark.parametrize("command, role, on", PARAMS)
def test_every_command_for_every_role_on_the_case_or_not(store, command, role, on):
    app, world = store.app, store.world
    actor = Actor(ON[role] if on else OFF[role], Role(role))
    seq = store.last_seq()
    if not allowed(command, role, on):
        before = store.last if store.last is not None else store.state()
        with pytest.raises(Forbidden):
            command.run(app, actor, world)
        assert store.audit_after(seq) == [(actor.user, role, "access.denied", command.record(world))]
        store.last = store.state()
        assert store.last == before  # nothing else changed
        return
    store.last = None
    command.run(app, actor, store.fresh() if command.writes else world)
    assert not [row for row in store.audit_after(seq) if row[2] == "access.denied"]


def test_the_matrix_covers_every_role_on_and_off_the_case():
    assert {role for _, role, _ in CASES} == {r.value for r in Role if r is not Role.system}
    assert len(CASES) == len(COMMANDS) * 12


def test_lists_show_only_the_cases_their_reader_is_on(store):
    app, world = store.app, store.world
    store.last = None
    other = open_case(app, Actor("dewi", Role.coordinator), adult_form(coordinator="dewi"))
    mine = {r["id"] for r in cases.list_cases(app, AMARA)}
    assert world.case in mine and other not in mine
    assert {r["id"] for r in cases.list_cases(app, Actor("dewi", Role.coordinator))} >= {other}
    assert world.case not in {r["id"] for r in cases.list_cases(app, Actor("dewi", Role.coordinator))}
    assert world.hearing in {h["hearing"] for h in hearings.list_hearings(app, SOMCHAI)}
    assert world.hearing not in {h["hearing"] for h in hearings.list_hearings(app, Actor("preecha", Role.prosecutor))}
    auditor = {r["id"] for r in cases.list_cases(app, Actor("audit-1", Role.auditor))}
    assert {world.case, other} <= auditor
    assert world.case in {n["case"] for n in notices.list_notices(app, AMARA)}  # her hearing was set: she was told
    assert world.case not in {n["case"] for n in notices.list_notices(app, Actor("dewi", Role.coordinator))}
    assert world.case in {n["case"] for n in notices.list_notices(app, Actor("audit-1", Role.auditor))}


def test_a_coordinator_assigned_through_an_account_acts_like_the_cases_own(store):
    app, store.last = store.app, None
    lin = Actor("lin", Role.coordinator)
    w = store.fresh()
    with pytest.raises(Forbidden):
        reflection.extend(app, lin, w.case, 3, "rest")
    put_on_case(app, lin, w.case)
    reflection.extend(app, lin, w.case, 3, "rest")
    assert "identity" in cases.show(app, lin, w.case)


def test_a_prosecutor_or_lawyer_not_on_the_case_never_reads_the_legal_name(store):
    app, world, store.last = store.app, store.world, None
    for outsider in (Actor("preecha", Role.prosecutor), Actor("budi", Role.legal_aid)):
        with pytest.raises(Forbidden):
            cases.show(app, outsider, world.case)
        with pytest.raises(Forbidden):
            documents.generate(app, outsider, documents.Request("consent_record", world.case, recipient="coordinator",
                                                                with_name=True), renderer=StubRenderer())
    assert cases.show(app, SOMCHAI, world.case)["identity"]["legal_name"] == "Aung Min Thein"
    assert cases.show(app, HANA, world.case)["identity"]["legal_name"] == "Aung Min Thein"


def test_only_the_claims_own_lawyer_changes_it_even_when_another_is_on_the_case(store):
    app, store.last = store.app, None
    w = store.fresh()
    other = Actor("nok", Role.legal_aid)
    put_on_case(app, other, w.case)
    with pytest.raises(Forbidden):
        claims.add_item(app, other, w.claim, "other", "1")
    with app.engine.connect() as c:
        denied = c.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.actor == "nok", audit_log.c.action == "access.denied", audit_log.c.record == w.claim)).scalar()
    assert denied == 1
    assert claims.new(app, other, w.case)["claim"] != w.claim  # her own claim on the case she is on
