"""The end-to-end demonstration (`witness demo --out DIR`), on the embedded default: a fresh SQLite
store under DIR, the sweep run as a Prefect flow with no server, and simulated time.

Three cases drawn from the Guide's situations: a Myanmar fisherman in Thailand, a second victim of
the same boat who decides not to testify, and a girl of uncertain age in Indonesia trafficked by her
aunt. Everything written to DIR is pseudonymised, as it would be for anyone without need-to-know.

DIR is deleted and rewritten on every run, so the demo marks it (MARKER) and refuses any other
non-empty folder: `--out ~` must never cost a user their files.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import yaml

from witness.bootstrap import build_app
from witness.clock import Clock, FixedClock, SystemClock
from witness.domain.access import Actor, Role
from witness.errors import InputProblems, WitnessError
from witness.private_files import secure_folder, write_private
from witness.services import accounts, appointments, cases, consent, reflection, support
from witness.services.audit import verify
from witness.services.intake import open_case
from witness.services.keys import init
from witness.services.sweep import SYSTEM
from witness.services.worklist import open_items
from witness.settings import PROJECT_ROOT, Settings

AMARA = Actor("amara", Role.coordinator)  # coordinator in Thailand
DEWI = Actor("dewi", Role.coordinator)  # coordinator in Indonesia
SOMCHAI = Actor("somchai", Role.prosecutor)
AUDITOR = Actor("audit-1", Role.auditor)
# The story runs in simulated time, and all of it must lie in the past. Afterwards people sign in
# to `witness web` on the demo's store at the real time, and every sign-in is an audit row: were the
# story's last rows dated after the real now, `witness audit verify` would rightly report time
# running backwards. So the story starts STORY_DAYS before today — on a Monday at 03:00 UTC (10:00
# in Bangkok and Jakarta), so the weekdays its hearings fall on are the same on every run — and the
# demo accounts are made at the real time, after the story's last instant.
STORY_DAYS = 180  # the chapters span about 167 days; tests/e2e/test_demo_accounts.py keeps this true
MARKER = ".witness-demo"
# Prefect's default (20 s) is too short for its temporary server on a busy machine: it needs ~20 s
# with a new PREFECT_HOME (migrations) on an idle one (../shared/notes/prefect.md).
PREFECT_STARTUP_SECONDS = "120"


class DemoRefused(WitnessError):
    """The output folder cannot be used; nothing was written or deleted."""


class DemoFailed(WitnessError):
    """The demonstration could not run to the end; the message says what to do."""


def demo_locations(out: Path) -> tuple[Path, Path]:
    """The output folder and the Prefect home beside it (`DIR.prefect`, kept between runs so the
    next start skips Prefect's migrations), absolute, a relative DIR taken from the current folder."""
    out = Path(out).expanduser().resolve()
    if out == out.parent:
        raise DemoRefused(f"--out: {out} is the root folder; give a folder of its own")
    return out, out.with_name(out.name + ".prefect")


def prepare_output(out: Path) -> Path:
    """An empty (or new) folder, or one a previous demo wrote (it carries MARKER): emptied and
    marked first, so that a run stopped half-way can still be replaced by the next one."""
    out, _ = demo_locations(out)
    if out.exists() and not out.is_dir():
        raise DemoRefused(f"--out: {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        marker = out / MARKER
        if marker.is_symlink() or not marker.is_file():
            raise DemoRefused(f"--out: {out} is not empty and holds no previous demonstration; "
                              "give a new or empty folder (the demo deletes what is in it)")
        shutil.rmtree(out)
    secure_folder(out)
    write_private(out / MARKER, "Output of `witness demo`: the next run deletes and rewrites this folder.\n")
    return out


class Story:
    """Collects what happened, day by day, for the report."""

    def __init__(self, clock: FixedClock):
        self.clock, self.lines, self.start = clock, [], clock.now()

    def day(self, title: str) -> None:
        d = (self.clock.now() - self.start).days
        self.lines.append(f"\n## Day {d} — {self.clock.now().date().isoformat()}: {title}\n")

    def say(self, text: str) -> None:
        self.lines.append(f"- {text}")

    def attempt(self, what: str, action) -> object:
        """Try an action; a refusal is part of the story, with the rule's own words."""
        try:
            result = action()
            self.say(f"{what}: done.")
            return result
        except WitnessError as exc:
            self.say(f"{what}: **refused** — {exc}")
            return None


def story_start(now: datetime) -> datetime:
    """The Monday 03:00 UTC at least STORY_DAYS before `now` (the real time)."""
    day = (now.astimezone(timezone.utc) - timedelta(days=STORY_DAYS)).date()
    start = datetime.combine(day - timedelta(days=day.weekday()), time(3, 0), timezone.utc)
    return start if start <= now - timedelta(days=STORY_DAYS) else start - timedelta(days=7)


def _form(name: str, opened_at: datetime, **over) -> dict:
    data = yaml.safe_load((PROJECT_ROOT / "examples" / name).read_text())
    data = json.loads(json.dumps(data, default=str))  # dates as text, as from a file
    data["opened_at"] = opened_at.isoformat()
    data.update(over)
    return data


def run_demo(out: Path, use_prefect: bool = True, today: Clock | None = None) -> "DemoRun":
    """Raises DemoRefused (before any work) for a folder it must not delete, DemoFailed when
    Prefect's temporary server does not start. `today` is the real clock (tests fix it)."""
    today = today or SystemClock()
    out = prepare_output(out)
    # A store of its own under DIR; the demo never touches the user's real witness home or keys.
    settings = Settings(home=out / "store", database_url=None, key_file=None)
    init(settings)
    start = story_start(today.now())
    clock = FixedClock(start)
    app = build_app(settings, clock)
    story = Story(clock)
    sweep = _sweeper(app, settings, use_prefect)

    story.day("three victims identified")
    fisher = open_case(app, AMARA, _form("intake-thailand-adult.yaml", start))
    second = _form("intake-thailand-adult.yaml", start, coordinator="amara")
    second["victim"] |= {"legal_name": "Zaw Lin Htet", "date_of_birth": "1998-07-01", "notes": None,
                         "address": "Shelter room 2", "aliases": []}
    crewmate = open_case(app, AMARA, second)
    girl = open_case(app, DEWI, _form("intake-indonesia-child.yaml", start))
    story.say(f"{fisher}: adult man from Myanmar, forced labour on a fishing boat, Thailand (15-day reflection period).")
    story.say(f"{crewmate}: his crewmate, same proceeding and same accused — one proceeding, several victims.")
    story.say(f"{girl}: girl of uncertain age (about 15) in Indonesia, trafficked by her aunt; presumed a child, "
              "so her mother is recorded as guardian and is party to every consent (R-15).")
    story.say("Shelter, medical, legal and psychosocial support start at once, before any decision about testifying.")

    clock.advance(days=1)
    story.day("the police ask for interviews at once")
    story.attempt(f"Prosecutor schedules an interview with {fisher}",
                  lambda: appointments.schedule(app, SOMCHAI, fisher, "interview", clock.now() + timedelta(days=2)))
    story.attempt(f"Prosecutor ends {fisher}'s reflection period early (moves the case to decision)",
                  lambda: cases.change_stage(app, SOMCHAI, fisher, "decision", "evidence may be lost"))

    clock.advance(days=4)
    story.day("the child needs more time")
    ends = story.attempt(f"Coordinator extends {girl}'s reflection period by 10 days",
                         lambda: reflection.extend(app, DEWI, girl, 10, "still in medical care; be flexible"))
    if ends:
        story.say(f"{girl}'s period now ends {ends}.")

    clock.advance(days=5)
    story.day(f"{fisher} decides, informed and with an interpreter")
    reflection.decide(app, AMARA, fisher, "cooperate")
    consent.give(app, AMARA, fisher, "interview", "oral", "my", interpreter="interp-07")
    story.say(f"{fisher} decided to cooperate and consented to an interview (oral, in Burmese, interpreter interp-07).")
    story.say(_sweep_line(sweep(clock.now())))
    story.attempt(f"Prosecutor moves {fisher} to investigation",
                  lambda: cases.change_stage(app, SOMCHAI, fisher, "investigation", "victim consented to interview"))
    story.attempt(f"Prosecutor schedules {fisher}'s interview",
                  lambda: appointments.schedule(app, SOMCHAI, fisher, "interview", clock.now() + timedelta(days=3)))

    clock.advance(days=3)
    story.day("the daily sweep")
    story.say(_sweep_line(sweep(clock.now())))
    reflection.decide(app, AMARA, crewmate, "not_cooperate")
    story.say(f"{crewmate} decides not to take part in the criminal process.")
    story.say(_sweep_line(sweep(clock.now())))
    story.attempt(f"Someone ends {crewmate}'s shelter because he declined to cooperate",
                  lambda: support.end(app, AMARA, crewmate, "shelter", "declined_cooperation"))

    clock.advance(days=20)
    story.day("towards trial")
    consent.give(app, AMARA, fisher, "testimony", "written", "my", interpreter="interp-07", explained=True)
    story.attempt(f"Prosecutor moves {fisher} to pre-trial", lambda: cases.change_stage(
        app, SOMCHAI, fisher, "pre_trial", "charges filed"))
    story.attempt(f"Prosecutor schedules {fisher}'s testimony", lambda: appointments.schedule(
        app, SOMCHAI, fisher, "testimony", clock.now() + timedelta(days=30)))
    story.say(_sweep_line(sweep(clock.now())))

    clock.advance(days=7)
    story.day(f"{fisher} is frightened and withdraws consent to testify")
    result = consent.withdraw(app, AMARA, fisher, "testimony")
    story.say(f"Consent to testimony withdrawn; {result['cancelled']} scheduled testimony cancelled at once. "
              "Support continues unchanged (R-23).")

    clock.advance(days=10)
    story.day(f"{girl}'s extended period ends without a decision")
    story.say(_sweep_line(sweep(clock.now())))

    ctx = DemoContext(app, clock, story, {"fisher": fisher, "crewmate": crewmate, "girl": girl}, out, sweep)
    for chapter in _chapters():
        chapter(ctx)
    made = demo_accounts(ctx, today)
    _write_outputs(app, out, story, [fisher, crewmate, girl])
    app.engine.dispose()
    return DemoRun(out / "report.md", settings.home, made)


@dataclass
class DemoContext:
    """What a feature area's demo chapter gets: the app, the simulated clock (advance it), the story
    (day/say/attempt), the three cases by role ("fisher", "crewmate", "girl"), the output folder, and
    `sweep(now) -> {follow_up: changed}` (the Prefect flow in the real demo)."""

    app: object
    clock: FixedClock
    story: Story
    cases: dict
    out: Path
    sweep: object


def _chapters():
    """Each area's chapter lives in witness/demos/<area>.py as `chapter(ctx)`; witness/wiring.py
    lists them in the order they are told."""
    from witness.wiring import demo_chapters

    return list(demo_chapters())


def _sweeper(app, settings: Settings, use_prefect: bool):
    if not use_prefect:
        from witness.services.sweep import run
        return lambda now: run(app, SYSTEM, now).changed

    os.environ["WITNESS_HOME"] = str(settings.home)
    os.environ.pop("WITNESS_DATABASE_URL", None)
    os.environ.pop("WITNESS_KEY_FILE", None)
    # Prefect reads these when first imported; a value the user set wins.
    _, prefect_home = demo_locations(settings.home.parent)
    for name, value in (("PREFECT_HOME", str(prefect_home)), ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
                        ("PREFECT_LOGGING_LEVEL", "WARNING"),
                        ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", PREFECT_STARTUP_SECONDS)):
        os.environ.setdefault(name, value)
    _start_prefect()
    from flows.sweep import sweep as sweep_flow
    return lambda now: sweep_flow(now=now.isoformat())


def _start_prefect() -> None:
    """With no server configured, the first flow starts Prefect's temporary server. Start it here,
    before the story, so that a slow start is one line saying what to do, not a traceback from
    inside a flow run. The flows then find it running (Prefect keeps one per process)."""
    from prefect.settings import (PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED,
                                  PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return  # a server the user runs: the flows talk to it
    from prefect.server.api.server import SubprocessASGIServer

    waited = PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
    try:
        SubprocessASGIServer().start()
    except Exception:  # Prefect raises a bare RuntimeError carrying the server's whole output
        raise DemoFailed(f"Prefect's temporary server did not start within {waited} s (a busy machine is slow): "
                         f"run again with PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS={max(300, 2 * waited)}") from None


def _sweep_line(changed: dict) -> str:
    parts = [f"{n} {name.replace('_', ' ')}" for name, n in changed.items() if n]
    return "Sweep: " + (", ".join(parts) if parts else "nothing due") + "."


def _write_outputs(app, out: Path, story: Story, ids: list[str]) -> None:
    views = out / "cases"
    final = []
    for case_id in ids:
        view = cases.show(app, AUDITOR, case_id)  # the pseudonymised view
        write_private(views / f"{case_id}.json", json.dumps(view, indent=2, ensure_ascii=False))
        services = ", ".join(f"{s['kind']} ({s['status']})" for s in view["services"])
        final.append(f"- {case_id} ({view['jurisdiction']}): stage **{view['stage']}**; services: {services}")
    work = []
    for who in (AMARA, DEWI):
        # Most urgent first, as `witness worklist` shows it: local time, and the command that deals with each.
        work += [f"- [{who.user}] {'**URGENT** ' if i['urgent'] else ''}{i['due_local']:%Y-%m-%d %H:%M} {i['kind']}: "
                 f"{i['detail']} (next: `{i['next']}`)" for i in open_items(app, who)]
    check = verify(app, AUDITOR)
    text = ["# witness demonstration", "",
            f"Simulated time from {story.start:%-d %B %Y}. Pseudonyms only: this report is what a person without "
            "need-to-know may read. Each refusal below is a Do No Harm rule at work.",
            *story.lines, "", "## Where the cases stand", "", *final, "", "## Coordinators' worklist", "", *work, "",
            "## Audit log", "",
            f"- {check.rows} audit rows; verification: {'intact' if check.ok else 'FAILED: ' + '; '.join(check.problems)}",
            "", f"Store: {app.settings.home} (SQLite, WAL). Case views: cases/*.json.", ""]
    write_private(out / "report.md", "\n".join(text))


# --- Demo accounts (issue 13) ---------------------------------------------------------------------

# One account per role on the demonstration's cases, so that a new user can sign in to `witness web`
# on the demo's store at once: (login, role, the story's cases the account is assigned to). The
# escort is the officer who stays on the fisherman's team after the roster changes.
DEMO_ACCOUNTS = (("amara", "coordinator", ()), ("somchai", "prosecutor", ("fisher", "crewmate")),
                 ("hana", "legal_aid", ("girl",)), ("TH-SSK-M02", "escort", ()), ("audit-1", "auditor", ()),
                 ("root-1", "admin", ()))
DEMO_ADMIN = Actor("root-1", Role.admin)


@dataclass(frozen=True)
class DemoAccount:
    login: str
    role: str
    token: str  # the one-time set-up token: the link is `witness web`'s address + /setup/TOKEN


@dataclass(frozen=True)
class DemoRun:
    report: Path
    store: Path  # WITNESS_HOME for `witness web` on the demo's store
    accounts: list[DemoAccount]


def demo_accounts(ctx: DemoContext, today: Clock) -> list[DemoAccount]:
    """The demo accounts, made at the real time: the story is over by then (story_start), so these
    rows and every sign-in after them come later than anything the story wrote."""
    now = today.now()
    if ctx.clock.now() > now:
        raise DemoFailed(f"the story ran past today ({ctx.clock.now().isoformat()}); raise STORY_DAYS in witness/demo.py")
    ctx.clock.at = now
    ctx.story.day("accounts for the web workspace")
    made = []
    for login, role, names in DEMO_ACCOUNTS:
        try:
            token = accounts.add(ctx.app, DEMO_ADMIN, login, role)
        except InputProblems:  # the lawyer's, made in the story to assign her the girl's case: a new link
            token = accounts.reset(ctx.app, DEMO_ADMIN, login)
        made.append(DemoAccount(login, role, token))
        if names:
            accounts.assign(ctx.app, DEMO_ADMIN, login, add_cases=[ctx.cases[n] for n in names])
    ctx.story.say("One account per role (" + ", ".join(f"{a.login} as {a.role.replace('_', ' ')}" for a in made)
                  + "), each with a one-time set-up link printed on the terminal, never written here. The "
                    "prosecutor is assigned the two Thai cases, the lawyer the girl's; the coordinator sees her own.")
    return made
