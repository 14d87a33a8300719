"""Words the pages show for internal codes (stages, kinds, statuses), marked for the catalogs.

The `label` filter turns a code into words ("pre_trial" -> "pre trial") and looks the words up in the
reader's catalog. Codes come from the domain at run time, so the extractor cannot see them there:
they are listed here. tests/web/test_languages.py checks that every code of these kinds is listed."""
from witness.web import languages
from witness.web.languages import N_


class Phrase:
    """A title with a value in it ("Claim %(claim)s"), translated when the page is rendered (in the
    reader's language) and only then filled in: the catalog holds the sentence, not each claim id."""

    def __init__(self, message: str, **values):
        self.message, self.values = message, values

    def __str__(self) -> str:
        return languages.gettext(self.message) % self.values

    def __bool__(self) -> bool:
        return True

WORDS = {
    # stages
    N_("reflection"),
    N_("decision"),
    N_("investigation"),
    N_("pre trial"),
    N_("trial"),
    N_("judgment"),
    N_("appeal"),
    N_("restitution"),
    N_("withdrawn"),
    N_("closed"),
    N_("opened"),
    # age
    N_("child"),
    N_("adult"),
    N_("uncertain"),
    # genders
    N_("female"),
    N_("male"),
    N_("non binary"),
    N_("unknown"),
    # channels
    N_("sms"),
    N_("email"),
    N_("call"),
    N_("visit"),
    N_("letter"),
    # consent methods and scopes
    N_("written"),
    N_("oral"),
    N_("interview"),
    N_("testimony"),
    N_("medical exam"),
    N_("shelter stay"),
    N_("return"),
    N_("name disclosure"),
    # custody
    N_("at large"),
    N_("arrested"),
    N_("detained"),
    N_("bailed"),
    N_("released"),
    N_("escaped"),
    N_("convicted"),
    N_("acquitted"),
    # relationships
    N_("family"),
    N_("intimate partner"),
    N_("employer"),
    N_("recruiter agent"),
    N_("community"),
    N_("stranger"),
    N_("other"),
    # services and their status
    N_("shelter"),
    N_("medical"),
    N_("legal"),
    N_("psychosocial"),
    N_("interpretation"),
    N_("livelihood"),
    N_("open shelter"),
    N_("community shelter"),
    N_("community housing"),
    N_("rented housing"),
    N_("foster care"),
    N_("active"),
    N_("ended"),
    # appointments
    N_("scheduled"),
    N_("cancelled"),
    N_("held"),
    # how a witness appears at a hearing
    N_("in person"),
    N_("video link"),
    N_("recorded"),
    # roles
    N_("coordinator"),
    N_("prosecutor"),
    N_("legal aid"),
    N_("escort"),
    N_("interpreter"),
    N_("auditor"),
    N_("admin"),
    # identity fields
    N_("legal name"),
    N_("aliases"),
    N_("date of birth"),
    N_("phone"),
    N_("address"),
    N_("notes"),
    N_("guardian name"),
    N_("guardian phone"),
    # guardrail answers
    N_("warn"),
    N_("escalate"),
    N_("block"),
    # worklist kinds (witness worklist)
    N_("claim award unpaid"),
    N_("claim filing deadline"),
    N_("claim instalment overdue"),
    N_("consent withdrawn"),
    N_("custody feed stale"),
    N_("custody reconcile"),
    N_("gate stopped"),
    N_("hearing gap"),
    N_("initial risk"),
    N_("measure deadline"),
    N_("measure late"),
    N_("measure outcome"),
    N_("notice dead letter"),
    N_("notice interpreter"),
    N_("reassess risk"),
    N_("reflection ended"),
    N_("reflection ending"),
    N_("release escalation"),
    N_("risk review"),
    N_("settlement pressure"),
    N_("translation missing"),
    N_("urgent undelivered"),
    N_("victim decided"),
    # risk levels and why an assessment was made (witness.domain.risk)
    N_("low"),
    N_("moderate"),
    N_("high"),
    N_("severe"),
    N_("initial"),
    N_("accused released"),
    N_("accused escaped"),
    N_("accused bailed"),
    N_("accused acquitted"),
    N_("threat reported"),
    N_("residence changed"),
    N_("hearing soon"),
    N_("measure denied"),
    # protective measures (witness.domain.measure.MeasureKind), as a risk assessment recommends them
    N_("screen"),
    N_("video link"),
    N_("recorded testimony"),
    N_("pseudonym"),
    N_("closed hearing"),
    N_("voice image distortion"),
    N_("one way mirror"),
    N_("separate waiting room"),
    N_("private entrance"),
    N_("secure route"),
    N_("pretrial court visit"),
    N_("support person"),
    N_("intermediary"),
    N_("no defendant cross examination"),
    N_("media exclusion"),
    N_("robes removed"),
    N_("security checks"),
    N_("secure accommodation"),
    # why a support service ends (witness.domain.support.ENDING_REASONS)
    N_("victim request"),
    N_("completed"),
    N_("transferred"),
    N_("returned home"),
    N_("victim died"),
    # consent scopes with a qualifier
    N_("notification:sms"),
    N_("notification:email"),
    N_("notification:call"),
    N_("notification:visit"),
    N_("notification:letter"),
    N_("data sharing"),
    # notices: channels and states (witness.domain.notice), on Today and the records page
    N_("worklist"),
    N_("queued"),
    N_("sending"),
    N_("sent"),
    N_("dead"),
    # claims (witness.domain.claim.Status)
    N_("drafting"),
    N_("filed"),
    N_("awarded"),
    N_("partially paid"),
    N_("paid"),
    N_("unenforced"),
    N_("substituted by imprisonment"),
    N_("state fund claimed"),
    N_("rejected"),
    # circumstances at intake (witness.domain.care: ExploitationType, Pregnancy)
    N_("labour"),
    N_("sexual"),
    N_("domestic servitude"),
    N_("organ removal"),
    N_("forced begging"),
    N_("forced marriage"),
    N_("surrogacy"),
    N_("online child sexual exploitation"),
    N_("drug smuggling"),
    N_("criminal gangs"),
    N_("armed conflict"),
    N_("pregnant"),
    N_("nursing"),
    N_("no"),
    N_("unassessed"),
    # worklist kinds of the care issue, urgent on Today
    N_("child detention"),
    N_("detention limit"),
    N_("media breach"),
    N_("guardian complicity"),
    # snooze reasons (witness.domain.worklist.SNOOZE_REASONS)
    N_("waiting for the victim to be ready"),
    N_("waiting for another agency or colleague"),
    N_("already planned for later"),
}
