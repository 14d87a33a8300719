"""Demo chapter: the boat captain is released. Both Thai victims are alerted at once in Burmese;
the SMS gateway is down, so the alerts retry with backoff and, past the 15-minute deadline, escalate
to their coordinator; the gateway comes back, the alerts go out, one victim replies with his code,
the other is reminded 30 minutes later and then reached by phone. Two days later the captain is
arrested again and the gateway refuses the news outright: dead letters, each with its reason.
Delivery is into an SMTP server and an SMS gateway started here on loopback. notices.log lists every
notice (pseudonyms only).
"""
from __future__ import annotations

import re
from witness.domain.access import Actor, Role
from witness.private_files import write_private
from witness.outputs.transports.loopback import SmsSink, SmtpSink
from witness.outputs.transports.sms import SmsGatewayTransport
from witness.outputs.transports.smtp import SmtpTransport
from witness.outputs.transports.worklist import WorklistTransport
from witness.services import acknowledgements, notices
from witness.services.custody import change_custody, find_accused
from witness.services.relay import relay

AMARA = Actor("amara", Role.coordinator)
FEED = Actor("prison-feed", Role.system)
RELAY = Actor("relay", Role.system)
ADMIN = Actor("ops-1", Role.admin)
CODE = re.compile(r"\b([2-9A-Z]{6})\b")


def _count(app, **where) -> int:
    return sum(1 for n in notices.list_notices(app, ADMIN) if all(n[k] == v for k, v in where.items()))


def chapter(ctx) -> None:
    app, clock, story = ctx.app, ctx.clock, ctx.story
    fisher, crewmate = ctx.cases["fisher"], ctx.cases["crewmate"]
    with SmtpSink() as smtp, SmsSink() as gateway:
        transports = {"email": SmtpTransport("127.0.0.1", smtp.port, "notices@witness.invalid"),
                      "sms": SmsGatewayTransport(gateway.url), "worklist": WorklistTransport(app.engine)}
        try:
            _story(app, clock, story, fisher, crewmate, transports, smtp, gateway)
        finally:
            for t in transports.values():
                t.close()
    _write_log(app, ctx.out / "notices.log")


def _story(app, clock, story, fisher, crewmate, transports, smtp, gateway) -> None:
    clock.advance(days=1)
    story.day("the boat captain is released")
    earlier = relay(app, transports, actor=RELAY)
    story.say(f"The notice relay (every minute in production) first delivers the {earlier.sent} progress notices "
              "queued so far in this story — stage changes, hearings, the court's decisions on protection, the "
              f"aunt's bail: {len(gateway.messages)} SMS in Burmese, {len(smtp.messages)} emails to coordinators, and "
              "call / visit tasks for the girl and her mother, who have no safe digital channel.")
    before = len(notices.list_notices(app, ADMIN))
    captain = find_accused(app, "TH-SSK-2026-0141", "Accused A (boat captain)")
    released_at = clock.now()
    gateway.mode = "temporary"  # the SMS gateway goes down this morning
    result = change_custody(app, FEED, "th-doc-ssk-2026-0141-A-release", captain, "released", released_at,
                            source="prison-feed")
    queued = len(notices.list_notices(app, ADMIN)) - before
    story.say(f"The prison feed reports Accused A (boat captain) released. In the same transaction, {queued} "
              f"notices are queued: an urgent SMS in Burmese to each of {', '.join(result.case_ids)}, who share the "
              "proceeding, and a copy to their coordinator amara.")
    change_custody(app, FEED, "th-doc-ssk-2026-0141-A-release", captain, "released", released_at, source="prison-feed")
    story.say("The feed sends the same event again a minute later: recognised by its id, no second alert.")

    first = relay(app, transports, actor=RELAY)
    story.say(f"Relay: {first.sent} sent (amara's copy, by email), {first.retrying} waiting to retry: the SMS "
              "gateway answers 503. Urgent notices retry after seconds, then less and less often (capped "
              "exponential backoff with jitter).")
    for _ in range(3):
        clock.advance(minutes=5)
        report = relay(app, transports, actor=RELAY)
        if report.escalated:
            story.say(f"{int((clock.now() - released_at).total_seconds() // 60)} minutes after the release the "
                      f"alerts have still not reached the victims: {report.escalated} alerts **escalated** to amara "
                      "(an email, and an urgent call / visit task per victim on her worklist). If she records no "
                      "contact within another 15 minutes, the on-call list is alerted.")
    clock.advance(minutes=2)
    gateway.mode = "accept"
    report = relay(app, transports, actor=RELAY)
    story.say(f"The gateway is back: {report.sent} notices delivered, each under the same idempotency key it was "
              "first tried with.")
    sms = [m for m in gateway.messages if CODE.findall(m.body)]
    code = CODE.findall(sms[0].body)[-1]
    who = acknowledgements.acknowledge(app, RELAY, code)
    story.say(f"{who[0]} replies with his six-character code: acknowledged, his reminders stop.")
    other = crewmate if who[0] == fisher else fisher
    clock.advance(minutes=30)
    report = relay(app, transports, actor=RELAY)
    story.say(f"30 minutes later {other} has not replied: {report.repeated} reminder sent (same code; every "
              "30 minutes for 24 hours while unacknowledged).")
    clock.advance(minutes=10)
    acknowledgements.record_contact(app, AMARA, other)
    story.say(f"amara reaches {other} by phone and records the contact: acknowledged, reminders and escalation stop.")
    clock.advance(minutes=40)
    report = relay(app, transports, actor=RELAY)
    story.say(f"Next relay: {report.repeated} reminders, {report.escalated} escalations — both victims were reached. "
              f"No text names a victim or says where anyone lives.")
    for n in notices.list_notices(app, ADMIN):
        if n["kind"] in ("accused_released", "urgent_undelivered") and n["created_at"] >= released_at:
            story.say(f"`{n['case'] or '-'} {n['kind']} -> {n['recipient']} by {n['channel']} ({n['language']}): "
                      f"{n['status']}, {n['attempts']} tries{', repeat ' + str(n['repeat']) if n['repeat'] else ''}"
                      f"{', acknowledged' if n['acknowledged_at'] else ''}`")
    _dead_letters(app, clock, story, captain, transports, gateway)


def _dead_letters(app, clock, story, captain, transports, gateway) -> None:
    """A refusal that no retry can change (HTTP 400) is not retried: the notice is dead-lettered with
    the gateway's answer as its reason, and the coordinator is given the task of reaching the victim
    another way. The report lists each dead letter with that reason (issue 14, item 2)."""
    clock.advance(days=2)
    story.day("the boat captain is arrested again")
    change_custody(app, FEED, "th-doc-ssk-2026-0141-A-rearrest", captain, "arrested", clock.now(),
                   source="prison-feed")
    gateway.mode = "permanent"  # the gateway refuses every message, e.g. the sender id was suspended
    report = relay(app, transports, actor=RELAY)
    gateway.mode = "accept"
    story.say(f"The prison feed reports Accused A (boat captain) arrested again; the victims are told by SMS. This "
              f"time the gateway refuses the messages outright (HTTP 400): retrying cannot help, so {report.dead} "
              "notices go to the dead-letter list at once, each with its reason, and amara gets a task per victim "
              "to reach him another way and check the number on file.")
    dead = notices.list_notices(app, ADMIN, status="dead")
    story.say(f"Dead-letter list: {len(dead)} notice{'s' if len(dead) != 1 else ''}. Every notice is in notices.log.")
    for n in dead:
        story.say(f"`{n['case'] or '-'} {n['kind']} -> {n['recipient']} by {n['channel']} ({n['language']}): dead "
                  f"after {n['attempts']} {'try' if n['attempts'] == 1 else 'tries'}, reason: {n['dead_reason']}`")


def _write_log(app, path) -> None:
    lines = ["# created (UTC)    case      kind                recipient            channel  lang status     "
             "tries repeat ack escalation key"]
    for n in notices.list_notices(app, ADMIN):
        lines.append(f"{n['created_at']:%Y-%m-%d %H:%M}  {n['case'] or '-':<9} {n['kind']:<19} {n['recipient']:<20} "
                     f"{n['channel']:<8} {n['language']:<4} {n['status']:<10} {n['attempts']:<5} {n['repeat']:<6} "
                     f"{'yes' if n['acknowledged_at'] else 'no':<3} {n['escalation']:<10} {n['key']}")
    write_private(path, "\n".join(lines) + "\n")
