"""Demo chapter: the crewmate goes home (Guide: Return and Reintegration), and an interpreter with a
tie to the accused is refused (Criminal Justice §1, the 'persuasive' translation challenge).

The crewmate declined to take part in the criminal process and wishes to return to Myanmar. His
return is voluntary: the information sheet is explained first, through a vetted interpreter; a plan
on his oral word alone is refused (a return needs his written consent, DNH-13); nothing goes to the
Myanmar authorities without his written permission (DNH-32). Only pseudonyms go into the story.
"""
from __future__ import annotations

from datetime import timedelta

from witness.domain.access import Actor, Role
from witness.services import consent, interpreters, returns

AMARA = Actor("amara", Role.coordinator)


def chapter(ctx) -> None:
    app, clock, story = ctx.app, ctx.clock, ctx.story
    crewmate = ctx.cases["crewmate"]

    clock.advance(days=2)
    story.day(f"{crewmate} wishes to go home")
    interpreters.add(app, AMARA, "interp-07", "my,th")
    interpreters.vet(app, AMARA, "interp-07")
    interpreters.add(app, AMARA, "interp-12", "my,th")
    interpreters.vet(app, AMARA, "interp-12")
    interpreters.tie(app, AMARA, "interp-12", "accused", "Accused B (broker)")
    story.say("The interpreter registry: interp-07 and interp-12 interpret Burmese and Thai and are vetted; "
              "interp-12 declared that he knows the broker, Accused B.")
    story.attempt(f"Coordinator explains the return information sheet to {crewmate} through interp-12",
                  lambda: consent.explain(app, AMARA, crewmate, "return", "my", "interp-12"))
    consent.explain(app, AMARA, crewmate, "return", "my", "interp-07")
    story.say("Explained instead through interp-07, in Burmese: what return involves, his options to stay, "
              "who will receive him, that he can change his mind (informed consent, DNH-31).")
    consent.give(app, AMARA, crewmate, "return", "oral", "my", interpreter="interp-07")
    plan = {"destination": "MM", "travel_on": (clock.now() + timedelta(days=14)).date().isoformat(),
            "helpline": "+66 2 000 0000 (shelter, 24h)", "receiving_contact": "Embassy of Myanmar, labour attaché",
            "accompanied_by": "social worker of the shelter", "family_assessed": True}
    story.attempt(f"Coordinator plans {crewmate}'s return on his oral consent",
                  lambda: returns.plan(app, AMARA, crewmate, plan))
    consent.withdraw(app, AMARA, crewmate, "return")
    consent.give(app, AMARA, crewmate, "return", "written", "my", interpreter="interp-07")
    story.say(f"{crewmate} signs the return consent form in Burmese (written).")
    story.attempt(f"Coordinator plans the return and sends his file to the Myanmar police",
                  lambda: returns.plan(app, AMARA, crewmate, dict(plan, data_to_origin="mm-police")))
    made = story.attempt(f"Coordinator plans {crewmate}'s return, sending nothing to the Myanmar authorities",
                         lambda: returns.plan(app, AMARA, crewmate, plan))
    if made:
        story.say(f"Return to {made['destination']} planned for {made['travel_on'].isoformat()}: accompanied by a "
                  "social worker, received by the embassy, a 24-hour number for the journey (Return §2).")
