"""Demo chapter: the girl's restitution claim in Indonesia, from the protection agency's calculation
to an award lower than demanded, two payments and an overdue instalment the sweep catches.

Indonesia's practice (the Guide, Criminal Justice §6; R-92, R-94): the Witness and Victim
Protection Agency (LPSK) calculates restitution with the victim, the prosecutor demands it, the
court awards it under Law 21/2007 Art. 48, and LPSK keeps the case open until restitution is resolved.
Only pseudonyms, categories and amounts go into the story: notes and references stay encrypted.
"""
from __future__ import annotations

from datetime import timedelta

from witness.domain.access import Actor, Role
from witness.domain.claim import local_today
from witness.services import accounts, claims

HANA = Actor("hana", Role.legal_aid)  # legal-aid lawyer working with LPSK in Indramayu
RAHMAT = Actor("rahmat", Role.prosecutor)
ROOT = Actor("root-1", Role.admin)


def chapter(ctx) -> None:
    app, clock, story = ctx.app, ctx.clock, ctx.story
    girl = ctx.cases["girl"]
    tz = app.profile("ID").tz
    today = lambda: local_today(clock.now(), tz).isoformat()  # noqa: E731 — court dates are Jakarta dates

    clock.advance(days=2)
    story.day(f"restitution: LPSK and the lawyer calculate {girl}'s claim")
    accounts.add(app, ROOT, HANA.user, HANA.role.value)
    accounts.assign(app, ROOT, HANA.user, add_cases=[girl])
    story.say(f"The administrator gives lawyer {HANA.user} an account and assigns her to {girl}: a legal-aid lawyer "
              "sees and acts on only the cases she is assigned to (need to know, R-70).")
    made = claims.new(app, HANA, girl, note="Calculated with LPSK's restitution assessor and the girl's mother")
    cid = made["claim"]
    story.say(f"Claim {cid} opened in IDR. {made['basis']['statement']}")
    story.say("The girl is presumed a child: her mother, recorded as guardian, acts for her in the claim and "
              "receives every notice of it (R-15).")
    wages = claims.add_unpaid_wages(app, HANA, cid, "2026-01-05", "2026-07-04", "1200000", "month",
                                    evidence="Employment promise in the aunt's handwriting (copy held by LPSK)")
    story.say(f"Unpaid wages as a domestic worker, with the working: {' '.join(wages['working'])}")
    claims.add_item(app, HANA, cid, "medical_costs", "4350000", evidence="Hospital receipts RSUD 1-6")
    claims.add_item(app, HANA, cid, "psychological_treatment", "3600000", evidence="Counsellor's invoice",
                    note="12 sessions at IDR 300,000")
    claims.add_item(app, HANA, cid, "transport_relocation", "1250000", evidence="Bus tickets to the court, family move")
    claims.add_item(app, HANA, cid, "emotional_suffering", "25000000",
                    note="Seven months of confinement, threats to her family; psychologist's assessment annexed; "
                         "amount follows LPSK's guidance for comparable cases")
    story.say("Items: unpaid wages, medical costs, psychological treatment, transport and relocation — and her "
              "emotional and psychological suffering, claimed with the reasoning behind the amount, because a judge "
              "who counts only receipts under-compensates (Guide: Criminal Justice §6, the Indonesian challenge).")
    filed = claims.file(app, HANA, cid, today())
    story.say(f"Filed with the prosecutor for the indictment: calculated {filed['calculated']}.")

    clock.advance(days=20)
    story.day("the prosecutor's demand")
    asked = claims.demand(app, RAHMAT, cid, "30000000", today())
    story.say(f"The prosecutor demands {asked['demanded']} in restitution.")

    clock.advance(days=20)
    story.day("judgment: restitution awarded, lower than demanded")
    claims.set_judgment(app, HANA, cid, today())
    order = local_today(clock.now(), tz)
    first, second = order + timedelta(days=30), order + timedelta(days=60)
    award = claims.award(app, HANA, cid, "18000000", order.isoformat(), payer="the convicted aunt",
                         instalments=[(first.isoformat(), "9000000"), (second.isoformat(), "9000000")])
    story.say(f"The court awards {award['awarded']} in two instalments ({first.isoformat()}, {second.isoformat()}): "
              f"{award['shortfall_from_demand']} less than the prosecutor demanded.")

    clock.advance(days=29)
    story.day("first payment")
    p1 = claims.pay(app, HANA, cid, "9000000", "IDR", today(), "Court escrow transfer 1")
    story.say(f"{p1['paid']} received; balance {p1['balance']} ({p1['status']}).")

    clock.advance(days=32)
    story.day("second payment, short")
    p2 = claims.pay(app, HANA, cid, "4500000", "IDR", today(), "Court escrow transfer 2")
    story.say(f"{p2['paid']} received; balance {p2['balance']} ({p2['status']}).")
    changed = ctx.sweep(clock.now())
    story.say(f"Sweep: {changed.get('claim_instalment_overdue', 0)} overdue instalment put on the lawyer's worklist.")

    view = claims.status(app, HANA, cid)
    a, s = view["amounts"], view["shortfalls"]
    story.say(f"Claim {cid} status **{view['status']}**: calculated {a['calculated']} (of which intangible "
              f"{a['intangible']}), demanded {a['demanded']}, awarded {a['awarded']}, paid {a['paid']}, "
              f"balance {a['balance']}. Shortfall: calculated to demanded {s['calculated_to_demanded']}, "
              f"demanded to awarded {s['demanded_to_awarded']}, awarded to paid {s['awarded_to_paid']}.")
    for o in view["overdue"]:
        story.say(f"Overdue: instalment {o['n']} due {o['due_on'].isoformat()}, {o['unpaid']} unpaid.")
    story.say("LPSK practice: the case stays open until the restitution is resolved — paid, or another ending "
              "recorded with its reason — and `witness stage … closed` is refused until then (R-92).")
