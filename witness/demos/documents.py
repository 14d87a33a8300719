"""Demo chapter: court-request documents in the court's language, and the victims' letters and
information sheets in their own (R-80…R-83). PDFs go to OUT/documents/."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from witness.domain.access import Actor, Role
from witness.private_files import make_private_folder, write_private

AMARA = Actor("amara", Role.coordinator)
DEWI = Actor("dewi", Role.coordinator)
SOMCHAI = Actor("somchai", Role.prosecutor)
ROOT = Actor("root-1", Role.admin)


def _upcoming_hearing(app, case_id: str, now: datetime) -> str | None:
    """A hearing the hearings chapter set for this victim, if there is one."""
    from witness.store.hearing_tables import appearances, hearings

    with app.engine.connect() as conn:
        return conn.execute(select(hearings.c.id).join(appearances, appearances.c.hearing_id == hearings.c.id)
                            .where(appearances.c.case_id == case_id, hearings.c.starts_at > now,
                                   hearings.c.status.notin_(("cancelled", "held")))
                            .order_by(hearings.c.starts_at).limit(1)).scalar()


def chapter(ctx) -> None:
    from witness.services.documents import Request, generate, register

    app, story, now = ctx.app, ctx.story, ctx.clock.now()
    fisher, girl = ctx.cases["fisher"], ctx.cases["girl"]
    folder = ctx.out / "documents"
    make_private_folder(folder)
    story.day("court documents and letters")

    from witness.domain.consent import has_consent
    from witness.services import consent
    from witness.store.records import consents_of

    with app.engine.connect() as conn:
        willing = has_consent(consents_of(conn, fisher), "testimony", now)
    if not willing:
        consent.give(app, AMARA, fisher, "testimony", "written", "my", interpreter="interp-07", explained=True)
        story.say(f"With the interpreter, the coordinator explains the escort, the screen and the separate waiting "
                  f"room the court can order; {fisher} consents to testify again (written, in Burmese). Without "
                  "that consent no request for his appearance would be made.")
    hearing_id = _upcoming_hearing(app, fisher, now)
    data: dict = {"late_reason": "The hearing date was set at short notice."}
    if hearing_id is None:
        tz = app.profile("TH").tz
        day = (now + timedelta(days=21)).astimezone(tz)
        data["hearing"] = {"at": day.replace(hour=9, minute=0, second=0, microsecond=0).isoformat()}
        story.say(f"No hearing is on file for {fisher} yet; the documents use a trial date set for "
                  f"{day.date().isoformat()} 09:00 (given as data).")

    made = []

    def make(actor, request, what):
        result = story.attempt(what, lambda: generate(app, actor, request))
        if result is not None:
            path = folder / f"{request.case_id}-{request.kind}-{result.language}.pdf"
            write_private(path, result.pdf)
            made.append(result)
            story.say(f"  → documents/{path.name}: v{result.version}, {result.language}, to {result.recipient}, "
                      f"{result.pages} page(s), SHA-256 {result.content_hash[:12]}…")

    from witness.services import accounts
    from witness.services.signatures import set_signature

    # Documents are signed with the signer's account (name and office): the prosecutor needs his
    # account before he files, as anyone who signs a court application would.
    story.attempt("The administrator gives prosecutor somchai his account",
                  lambda: accounts.add(app, ROOT, SOMCHAI.user, SOMCHAI.role.value))
    story.attempt("The prosecutor sets the name and office his documents are signed with",
                  lambda: set_signature(app, SOMCHAI, SOMCHAI.user, "Somchai Rattanakul",
                                        "Office of the Attorney General, Samut Sakhon"))
    make(SOMCHAI, Request("protective_measures", fisher, hearing_id=hearing_id, supplement=data),
         f"Prosecutor files the application for protective measures for {fisher}, in Thai for the Thai court, "
         "with the grounds of the latest risk assessment")
    if made and made[-1].kind == "protective_measures":
        _thai_text_check(story, made[-1].pdf)
    make(AMARA, Request("escort_request", fisher, hearing_id=hearing_id,
                        supplement={k: v for k, v in data.items() if k == "hearing"}),
         f"Coordinator asks the police for an escort for {fisher} (pickup reference, no name, no address)")
    make(AMARA, Request("victim_letter", fisher), f"Letter to {fisher} in Burmese")
    make(AMARA, Request("information_sheet", fisher), f"Rights-and-process information sheet for {fisher} in Burmese")
    make(DEWI, Request("victim_letter", girl), f"Letter to {girl} in Bahasa Indonesia")
    make(DEWI, Request("information_sheet", girl), f"Rights-and-process information sheet for {girl} in Bahasa Indonesia")
    story.attempt(f"Someone asks for the escort request with {fisher}'s legal name",
                  lambda: generate(app, AMARA, Request("escort_request", fisher, hearing_id=hearing_id,
                                                       with_name=True, supplement=data)))
    again = story.attempt(f"The letter to {fisher} is generated again, nothing having changed",
                          lambda: generate(app, AMARA, Request("victim_letter", fisher)))
    if again is not None:
        story.say(f"  → still version {again.version}: the register records the second issue under the same "
                  "version because what the letter says did not change.")
    rows = register(app, AMARA, fisher) + register(app, DEWI, girl)
    story.say(f"The register holds {len(rows)} generated documents (kind, language, recipient, version, SHA-256, "
              "who, when), each one audited. None carries a legal name: no name_disclosure consent was given.")


def _thai_text_check(story, pdf: bytes) -> None:
    """Courts index e-filings by their text: show that the Thai application's text comes back exactly."""
    from witness.outputs.documents.extraction import missing, text_of

    expected = ["คำร้องขอมาตรการคุ้มครองผู้เสียหายที่เป็นพยาน", "ศาลจังหวัดสมุทรสาคร",
                "พระราชบัญญัติคุ้มครองพยานในคดีอาญา พ.ศ. 2546", "Somchai Rattanakul"]
    lost, tool = missing(pdf, expected)
    text, _ = text_of(pdf)
    lost += [f"(scoring printed: {w})" for w in ("น้ำหนัก", "จาก 10", "weight") if w in text]
    if lost:
        story.say(f"  → text extraction ({tool}) LOST: {', '.join(lost)}")
    else:
        story.say(f"  → its text extracts exactly ({tool}): the title คำร้องขอมาตรการคุ้มครองผู้เสียหายที่เป็นพยาน "
                  "(SARA AM intact), the court ศาลจังหวัดสมุทรสาคร, the Witness Protection Act B.E. 2546 in Thai, "
                  "signed by name and office; no risk weights or scores in the grounds.")
