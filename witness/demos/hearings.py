"""Demo chapter: hearings with protection. The fisherman re-consents to testify after support and
is escorted to court in Thailand behind a screen; the girl in Indonesia gives evidence by video
link from the protection agency's safe house (allowed there for children only); the court moves
his hearing; an officer falls sick and the team changes; every feed is written to calendars/.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import yaml

from witness.domain.access import Actor, Role
from witness.domain.measure import MeasureKind
from witness.domain.protection import WitnessConditions, eligibility
from witness.private_files import make_private_folder, write_private
from witness.services import calendar_feeds, consent, hearings, measures, preparation, reflection, resources
from witness.settings import PROJECT_ROOT

AMARA = Actor("amara", Role.coordinator)
DEWI = Actor("dewi", Role.coordinator)
SOMCHAI = Actor("somchai", Role.prosecutor)
RAHMAT = Actor("rahmat", Role.prosecutor)
FISHER_WANTS = ("escort", "screen", "separate_waiting_room", "pseudonym")
GIRL_WANTS = ("escort", "video_link", "intermediary", "no_defendant_cross_examination", "support_person")


def _next_weekday(now: datetime, tz, days: int, hour: int, weekday: int = 0) -> datetime:
    d = (now + timedelta(days=days)).astimezone(tz).date()
    d += timedelta(days=(weekday - d.weekday()) % 7)
    return datetime.combine(d, time(hour), tz)


def _ask(app, prosecutor: Actor, judge_says: dict, hearing_id: str, case_id: str, wanted: tuple[str, ...]) -> list[str]:
    """The prosecutor files what the coordinator and the victim agreed on; the court decides."""
    have = {m["kind"]: m for m in measures.list_measures(app, prosecutor, hearing_id) if m["case"] == case_id}
    for kind in wanted:
        if kind not in have:
            measures.propose(app, prosecutor, hearing_id, case_id, kind)
    have = {m["kind"]: m for m in measures.list_measures(app, prosecutor, hearing_id) if m["case"] == case_id}
    filed = measures.request(app, prosecutor, [have[k]["id"] for k in wanted])
    lines = [f"{r['kind']}{' (LATE)' if r['late'] else ''}" for r in filed]
    for kind in wanted:
        decision, note = judge_says.get(kind, ("granted", None))
        measures.decide(app, prosecutor, have[kind]["id"], decision, note)
    return lines


def chapter(ctx) -> None:
    app, clock, story = ctx.app, ctx.clock, ctx.story
    fisher, girl = ctx.cases["fisher"], ctx.cases["girl"]
    th, idn = app.profile("TH"), app.profile("ID")

    clock.advance(days=1)
    story.day("protection resources for the courts")
    data = yaml.safe_load((PROJECT_ROOT / "config" / "resources.example.yaml").read_text(encoding="utf-8"))
    loaded = resources.load(app, AMARA, data)
    story.say(f"{loaded['active']} resources loaded from config/resources.example.yaml: trained escort officers by "
              "call sign and gender, video-link suites, screens, waiting rooms, secure accommodation (R-62).")

    story.day(f"{fisher} decides to testify after all")
    consent.give(app, AMARA, fisher, "testimony", "written", "my", interpreter="interp-07", explained=True)
    story.say(f"After weeks of counselling, and with the boat captain detained, {fisher} asks to give evidence. "
              "His consent is recorded again, in Burmese with interpreter interp-07; he can withdraw it at any time (R-22).")
    reflection.decide(app, DEWI, girl, "cooperate")
    consent.give(app, DEWI, girl, "testimony", "written", "id", guardian_agreed=True, explained=True)
    story.say(f"{girl} and her mother decide, with her counsellor, that she will give evidence if she need not see "
              "her aunt; the mother is party to the consent (R-15).")

    clock.advance(days=1)
    story.day("hearings set")
    at = _next_weekday(clock.now(), th.tz, 21, 9)
    r = hearings.add(app, SOMCHAI, "TH-SSK-2026-0141", at, at + timedelta(hours=3), "witness_examination",
                     witnesses=[{"case": fisher, "interpreter": "interp-07", "language": "my", "travel_minutes": 60,
                                 "pickup_address": "Shelter annex, Mahachai (room 4)"}])
    fisher_hearing = r["hearing"]
    story.say(f"Hearing {fisher_hearing} set for {r['at']} at Samut Sakhon Provincial Court; {r['recommended']} measures "
              f"recommended for {fisher} from his latest risk assessment and the Guide (an escort for every witness "
              "who travels). The pick-up address is stored encrypted; calendars carry a pick-up reference only.")
    at2 = _next_weekday(clock.now(), idn.tz, 22, 9, weekday=1)
    r2 = hearings.add(app, RAHMAT, "ID-IDM-2026-077", at2, at2 + timedelta(hours=2), "witness_examination",
                      witnesses=[{"case": girl, "mode": "video_link", "travel_minutes": 45}])
    girl_hearing = r2["hearing"]
    story.say(f"Hearing {girl_hearing} set for {r2['at']} at Pengadilan Negeri Indramayu; {girl} will appear by "
              f"video link; {r2['recommended']} measures recommended, the Guide's child-witness list among them.")
    ok = eligibility(MeasureKind.video_link, idn.measures[MeasureKind.video_link], idn.name, WitnessConditions(True, False))
    adult = eligibility(MeasureKind.video_link, idn.measures[MeasureKind.video_link], idn.name, WitnessConditions(False, False))
    story.say(f"Indonesia's condition is reported, not dropped: {ok.note}. For an adult with no trauma on record the "
              f"system would have said: \"{adult.note}\".")

    clock.advance(days=2)
    story.day("applications filed, the courts decide")
    filed = _ask(app, SOMCHAI, {"pseudonym": ("partially_granted", "pseudonym in the record; name given to the judge")},
                 fisher_hearing, fisher, FISHER_WANTS)
    story.say(f"Prosecutor somchai files for {fisher}: {', '.join(filed)}. Granted; the pseudonym partially "
              "(the judge hears the name).")
    filed = _ask(app, RAHMAT, {}, girl_hearing, girl, GIRL_WANTS)
    story.say(f"Prosecutor rahmat files for {girl}: {', '.join(filed)}. All granted.")
    for hid, coordinator in ((fisher_hearing, AMARA), (girl_hearing, DEWI)):  # each victim's own coordinator
        v = preparation.plan_hearing(app, coordinator, hid)
        booked = "; ".join(f"{b['measure']} {b['resource']} {b['window']}" for b in v["bookings"])
        story.say(f"Plan for {hid}: {booked}." + (f" Conflicts: {' | '.join(v['conflicts'])}" if v["conflicts"] else
                                                  " No conflicts."))
    before = calendar_feeds.export(app, AMARA, "victim", case_id=fisher)

    clock.advance(days=3)
    story.day("the court adjourns the fisherman's hearing")
    new_at = at + timedelta(days=7)
    moved = hearings.move(app, SOMCHAI, fisher_hearing, new_at, reason="defence asked for time; adjourned by the court")
    after = calendar_feeds.export(app, AMARA, "victim", case_id=fisher)
    story.say(f"{fisher_hearing} moved to {moved['at']}. Measures re-planned: {moved['booked']} booked, "
              f"{moved['released']} released. His calendar event keeps its UID "
              f"({'unchanged' if _uid(before) == _uid(after) else 'CHANGED'}) and its SEQUENCE goes "
              f"{_seq(before)} -> {_seq(after)}; the escort, interpreter, prosecutor and coordinator feeds "
              "change the same way. He is told by the notices (R-24).")

    clock.advance(days=1)
    story.day("an escort officer falls sick")
    team = [b["resource"] for b in hearings.show(app, AMARA, fisher_hearing)["bookings"] if b["measure"] == "escort"]
    sick = team[0]
    day = new_at.astimezone(th.tz).date().isoformat()
    for res in data["resources"]:
        if res["id"] == sick:
            res["leave"] = list(res.get("leave", [])) + [{"from": day, "to": day, "reason": "sick"}]
    resources.load(app, AMARA, data)
    new_team = [b["resource"] for b in hearings.show(app, AMARA, fisher_hearing)["bookings"] if b["measure"] == "escort"]
    story.say(f"{sick} reports sick for {day}; reloading the roster re-plans every booked hearing: {fisher}'s team is now "
              f"{', '.join(new_team)} (he asked for men; the planner never books a team he did not ask for). "
              f"{sick}'s calendar shows the assignment as cancelled.")

    out = ctx.out / "calendars"
    make_private_folder(out)
    feeds = [("coordinator", "amara", None), ("coordinator", "dewi", None), ("prosecutor", "somchai", None),
             ("prosecutor", "rahmat", None), ("interpreter", "interp-07", None), ("victim", None, fisher),
             ("victim", None, girl), ("guardian", None, girl)]
    feeds += [("escort", o, None) for o in sorted(set(team + new_team + _officers(app, DEWI, girl_hearing)))]
    for audience, who, case in feeds:
        # Staff feeds are handed on by a coordinator; a victim's own, by the coordinator of her case.
        data_ics = calendar_feeds.export(app, DEWI if case == girl else AMARA, audience, who, case)
        write_private(out / f"{audience}-{who or case}.ics", data_ics)
    story.say(f"{len(feeds)} iCalendar feeds written to calendars/: one per coordinator, prosecutor, escort officer "
              "and interpreter, the fisherman's in Burmese, the girl's and her mother's in Bahasa Indonesia. "
              "No feed carries a real name or an address.")


def _officers(app, coordinator: Actor, hearing_id: str) -> list[str]:
    return [b["resource"] for b in hearings.show(app, coordinator, hearing_id)["bookings"] if b["measure"] == "escort"]


def _uid(ics: bytes) -> str | None:
    m = re.search(rb"BEGIN:VEVENT.*?\r\nUID:([^\r]+)", ics, re.S)
    return m.group(1).decode() if m else None


def _seq(ics: bytes) -> int | None:
    m = re.search(rb"\r\nSEQUENCE:(\d+)", ics)
    return int(m.group(1)) if m else None
