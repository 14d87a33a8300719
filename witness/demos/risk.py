"""Demo chapter: risk assessments, a reassessment after a custody change, and the Do No Harm rules
stopping one action and letting another go ahead only with a recorded reason."""
from __future__ import annotations

from datetime import timedelta

from witness.domain.access import Actor, Role
from witness.services import appointments
from witness.services import risk
from witness.services.custody import change_custody, find_accused

AMARA = Actor("amara", Role.coordinator)
DEWI = Actor("dewi", Role.coordinator)
SOMCHAI = Actor("somchai", Role.prosecutor)


def _answers(trigger: str, fear: int, words: str, **case) -> dict:
    return {"trigger": trigger, "case": case, "victim": {"own_words": words, "fear_scale": fear},
            "context": {"trafficking_known_locally": True, "organised_crime_control": True}}


def _line(case_id: str, result) -> str:
    why = ", ".join(f"{f.factor} +{f.weight}" for f in result.factors)
    raised = f"; raised from {result.level_by_score.value} by the victim's own fear" if result.raised_by_victim else ""
    return (f"Risk for {case_id}: **{result.level.value}** (score {result.score}{raised}) — {why}. "
            f"Recommended: {', '.join(m.value for m in result.recommended)}. Next review in {result.review_days} days.")


def chapter(ctx) -> None:
    app, clock, story = ctx.app, ctx.clock, ctx.story
    fisher, girl = ctx.cases["fisher"], ctx.cases["girl"]
    clock.advance(days=1)
    story.day("risk assessments")
    story.say(_line(fisher, risk.record(app, AMARA, fisher, _answers(
        "initial", 6, "The captain's brother knows my village.",
        upcoming_testimony=True))))
    story.say(_line(girl, risk.record(app, DEWI, girl, _answers(
        "initial", 5, "My aunt's friends come to the market near our house.", threats_to_family=True,
        accused_knows_residence=True))))

    clock.advance(days=2)
    story.day("the aunt is granted bail")
    aunt = find_accused(app, "ID-IDM-2026-077", "Accused C (aunt)")
    result = change_custody(app, DEWI, "pn-indramayu-2026-077-bail", aunt, "bailed", clock.now(), source="court")
    story.say(f"Custody event recorded; reassessment due at once for {', '.join(result.case_ids)} "
              "and put on the coordinator's worklist.")
    clock.advance(hours=3)
    story.say(_line(girl, risk.record(app, DEWI, girl, _answers(
        "accused_bailed", 9, "I cannot sleep. She will come to the house.", threats_to_family=True,
        accused_knows_residence=True, threats_to_victim=True))))

    clock.advance(days=1)
    story.day("an interview with the wrong interviewer")
    at = clock.now() + timedelta(days=2)
    story.attempt(f"Prosecutor schedules a follow-up interview of {fisher} with a female investigator "
                  "(he asked for men)", lambda: appointments.schedule(app, SOMCHAI, fisher, "interview", at,
                                                                       interviewer_gender="female"))
    reason = "the only Burmese-speaking investigator is a woman; he agreed in a private conversation with his coordinator"
    story.attempt(f"The same, overridden with a recorded reason ({reason})", lambda: appointments.schedule(
        app, SOMCHAI, fisher, "interview", at, {"DNH-05-gender-preference": reason}, interviewer_gender="female"))
    story.say("The override is in the audit log with who made it; the reason is kept encrypted with it.")
