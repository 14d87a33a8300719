"""The interface in English, Thai and Bahasa Indonesia (R-115): catalogs read by Babel, the language
chosen per request (the person's own choice, else the browser's Accept-Language, else English)."""
import re

from babel.messages.pofile import read_po

from tests.web.conftest import csrf_of, web_client
from witness.services import accounts
from witness.web import languages
from witness.web.signin import SIGN_IN_FAILED


def test_the_browser_language_is_taken_by_its_q_values():
    assert languages.from_accept_language("th-TH,th;q=0.9,en;q=0.8") == "th"
    assert languages.from_accept_language("fr, en;q=0.5, id;q=0.9") == "id"
    assert languages.from_accept_language("id;q=0, th;q=0.1") == "th"  # q=0 means "not this one"
    assert languages.from_accept_language("fr, de") is None
    assert languages.from_accept_language("th;q=abc, id;q=0.2") == "id"
    assert languages.from_accept_language(None) is None
    assert languages.choose("id", "th") == "id"  # the person's own choice first
    assert languages.choose(None, "fr, th;q=0.5") == "th"
    assert languages.choose("xx", None) == "en"


def test_every_entry_of_each_catalog_is_translated_and_keeps_its_placeholders():
    template = {m.id for m in read_po((languages.LOCALE_DIR / "witness.pot").open("rb")) if m.id}
    for lang in ("th", "id"):
        catalog = read_po((languages.LOCALE_DIR / lang / "LC_MESSAGES" / "witness.po").open("rb"))
        entries = {m.id: m for m in catalog if m.id}
        assert set(entries) == template, f"{lang}: catalog and template differ"
        for m in entries.values():
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            assert all(strings) and not m.fuzzy, f"{lang}: {ids[0]!r} untranslated"
            want = sorted(set(re.findall(r"%\(\w+\)s", ids[0])))
            for s in strings:
                assert sorted(set(re.findall(r"%\(\w+\)s", s))) == want, f"{lang}: {ids[0]!r} placeholders"


def test_the_sign_in_failure_in_the_catalog_is_the_services_own_wording():
    assert SIGN_IN_FAILED == accounts.GENERIC_FAILURE.capitalize() + "."


def test_a_thai_browser_gets_the_sign_in_page_and_its_failure_in_thai(sqlite_app):
    client = web_client(sqlite_app)
    page = client.get("/signin", headers={"accept-language": "th-TH,th;q=0.9,en;q=0.5"})
    assert page.headers["content-language"] == "th"
    assert '<html lang="th">' in page.text
    assert "<h1>เข้าสู่ระบบ</h1>" in page.text and "ชื่อผู้ใช้" in page.text and "User name" not in page.text
    failed = client.post("/signin", data={"csrf": csrf_of(page.text), "login": "nobody", "password": "x" * 12},
                         headers={"accept-language": "th"})
    assert failed.status_code == 401
    assert "เข้าสู่ระบบไม่สำเร็จ" in failed.text
    english = client.get("/signin", headers={"accept-language": "fr, en;q=0.4"})
    assert '<html lang="en">' in english.text and "User name" in english.text


def test_a_person_picks_their_language_and_every_page_follows_it(app):
    from tests.web.conftest import make_person, signed_in_client

    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    assert "<h1>Today</h1>" in client.get("/today").text  # a new account starts in English
    token = csrf_of(client.get("/account").text)
    assert client.post("/account/language", data={"csrf": token, "language": "id"}).status_code == 303
    today = client.get("/today", headers={"accept-language": "th"})  # the person's choice beats the browser's
    assert today.headers["content-language"] == "id"
    assert '<html lang="id">' in today.text and "<h1>Hari ini</h1>" in today.text
    assert "Mendesak: peringatan pembebasan" in today.text and ">Kasus baru</a>" in today.text
    refused = client.post("/account/language", data={"csrf": token, "language": "fr"})
    assert refused.status_code == 422
    assert 'id="language-error">language: use one of en, th, id</p>' in refused.text
    assert "<h1>Hari ini</h1>" in client.get("/today").text  # nothing written: still Indonesian


def test_a_new_account_starts_in_the_language_its_browser_asked_for_at_set_up(app):
    import pyotp

    from tests.conftest import ADMIN
    from tests.web.conftest import PASSWORD, Person, signed_in_client

    token = accounts.add(app, ADMIN, "amara", "coordinator")
    secret = accounts.enrolment(app, token).totp_secret
    client = web_client(app)
    page = client.get(f"/setup/{token}", headers={"accept-language": "th-TH,th;q=0.9"})
    assert "ตั้งรหัสผ่านอย่างน้อย 12 ตัวอักษร" in page.text
    done = client.post(f"/setup/{token}", headers={"accept-language": "th-TH,th;q=0.9"},
                       data={"csrf": csrf_of(page.text), "password": PASSWORD, "repeat": PASSWORD,
                             "code": pyotp.TOTP(secret).at(app.clock.now())})
    assert done.status_code == 303
    amara = Person("amara", accounts.Role.coordinator, PASSWORD, secret)
    today = signed_in_client(app, amara).get("/today")  # no Accept-Language now: the account's own
    assert '<html lang="th">' in today.text and "<h1>วันนี้</h1>" in today.text
    assert "ด่วน: แจ้งเตือนการปล่อยตัว" in today.text


def test_the_coordinators_daily_screens_are_translated(app):
    """Case list, case page and intake in Thai: headings, labels, buttons and code words."""
    from tests.conftest import COORDINATOR, adult_form
    from tests.web.conftest import make_person, signed_in_client
    from witness.services.intake import open_case

    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    client.post("/account/language", data={"csrf": csrf_of(client.get("/account").text), "language": "th"})
    cases = client.get("/cases").text
    assert "<th scope=\"col\">นามแฝง</th>" in cases and "1 คดี เรียงตามนามแฝง" in cases
    case = client.get(f"/cases/{case_id}").text
    assert "ความยินยอม" in case and "แสดงข้อมูลระบุตัวตน" in case and "ระยะไตร่ตรอง" in case
    assert "ที่พักพิง" in case  # a code word (service "shelter") through the catalog
    intake = client.get("/intake").text
    assert "ชื่อตามกฎหมาย" in intake and "เปิดคดี</button>" in intake and "Legal name" not in intake


def test_the_coordinators_daily_screens_are_translated_into_bahasa_indonesia(app):
    """The same screens in Bahasa Indonesia (R-115 names it with Thai for the daily screens)."""
    from tests.conftest import COORDINATOR, adult_form
    from tests.web.conftest import make_person, signed_in_client
    from witness.services.intake import open_case

    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    client.post("/account/language", data={"csrf": csrf_of(client.get("/account").text), "language": "id"})
    cases = client.get("/cases").text
    assert '<html lang="id">' in cases
    assert "<th scope=\"col\">Nama samaran</th>" in cases and "1 kasus, menurut nama samaran" in cases
    case = client.get(f"/cases/{case_id}").text
    assert "Persetujuan" in case and "Tampilkan identitas" in case and "masa refleksi" in case
    assert "rumah aman" in case  # the service "shelter" through the catalog
    assert "Show identity" not in case and ">shelter<" not in case
    intake = client.get("/intake").text
    assert "Nama resmi" in intake and "Buka kasus</button>" in intake and "Legal name" not in intake


def test_the_interface_languages_are_the_accounts_languages():
    from witness.domain.account import INTERFACE_LANGUAGES

    assert tuple(languages.LANGUAGES) == INTERFACE_LANGUAGES
    for lang in INTERFACE_LANGUAGES[1:]:
        assert (languages.LOCALE_DIR / lang / "LC_MESSAGES" / "witness.po").exists()


def test_every_code_word_the_pages_show_is_in_the_catalog():
    """The label filter translates code words; each of these kinds has its words listed."""
    import enum
    from typing import get_args

    from witness.domain.consent import SIMPLE_SCOPES, Method
    from witness.domain.intake import Channel, Gender
    from witness.domain.proceeding import Custody, Relationship
    from witness.domain.stage import Stage
    from witness.domain.support import ServiceKind
    from witness.domain.worklist import SNOOZE_REASONS
    from witness.web.words import WORDS

    def codes(kind):
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return [e.value for e in kind]
        args = get_args(kind)
        return list(args) if args and isinstance(args[0], str) else codes(args[0])

    from witness.domain.measure import MeasureKind
    from witness.domain.risk import AssessmentForm, Level
    from witness.domain.support import ENDING_REASONS

    triggers = AssessmentForm.model_fields["trigger"].annotation
    wanted = {c.replace("_", " ") for kind in (Stage, Method, Channel, Gender, Custody, Relationship, ServiceKind,
                                               Level, MeasureKind, triggers)
              for c in codes(kind)} | {s.replace("_", " ") for s in SIMPLE_SCOPES} | set(SNOOZE_REASONS.values())
    wanted |= {r.replace("_", " ") for r in ENDING_REASONS} | {f"notification:{c}" for c in codes(Channel)}
    assert wanted - WORDS == set()
    thai = languages.translations("th")
    assert all(thai.gettext(w) != w or w in ("sms",) for w in wanted - {"sms"})


def test_an_expired_form_is_explained_in_the_persons_own_language(app):
    from tests.web.conftest import make_person, signed_in_client

    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    client.post("/account/language", data={"csrf": csrf_of(client.get("/account").text), "language": "id"})
    expired = client.post("/account/language", data={"csrf": "stale", "language": "th"},
                          headers={"accept-language": "en"})
    assert expired.status_code == 403
    assert "<h1>Formulir kedaluwarsa</h1>" in expired.text and "Formulir ini sudah kedaluwarsa" in expired.text


def test_the_consent_and_risk_pages_are_translated(app):
    """The coordinator's consent and risk pages in Thai and Indonesian: headings, questions, buttons,
    and the code words (risk triggers, consent methods) through the catalog."""
    from tests.conftest import COORDINATOR, adult_form
    from tests.web.conftest import make_person, signed_in_client
    from witness.services.intake import open_case

    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get("/account").text)
    client.post("/account/language", data={"csrf": token, "language": "th"})
    consent = client.get(f"/cases/{case_id}/consent").text
    assert "<h1>ความยินยอม</h1>" in consent and "บันทึกความยินยอม</button>" in consent and "วาจา" in consent
    assert "Record consent" not in consent
    risk = client.get(f"/cases/{case_id}/risk").text
    assert "<h1>การประเมินความเสี่ยง</h1>" in risk and "ผู้เสียหายถูกข่มขู่" in risk and ">ครั้งแรก</option>" in risk
    assert "The victim has been threatened" not in risk
    client.post("/account/language", data={"csrf": token, "language": "id"})
    risk = client.get(f"/cases/{case_id}/risk").text
    assert "<h1>Penilaian risiko</h1>" in risk and "Korban telah diancam" in risk and "Catat penilaian</button>" in risk
    case = client.get(f"/cases/{case_id}").text
    assert "Akhiri layanan ini</button>" in case and "Berikan atau tarik persetujuan" in case


def test_the_lawyers_pages_are_translated(app):
    """Portfolio, claim page (stages, shortfall, payment form) and the report in Thai and Indonesian,
    the claim's status through the catalog; the amounts stay exact."""
    from tests.web.conftest import signed_in_client
    from tests.web.test_claim_pages import awarded_claim

    app, hana, case, claim = awarded_claim(app)
    client = signed_in_client(app, hana)
    token = csrf_of(client.get("/account").text)
    client.post("/account/language", data={"csrf": token, "language": "th"})
    portfolio = client.get("/claims").text
    assert "<th scope=\"col\">คำร้อง</th>" in portfolio and "ยอดคงค้าง" in portfolio and "ศาลสั่งแล้ว" in portfolio
    page = client.get(f"/claims/{claim}").text
    assert f"<h1>คำร้อง {claim}</h1>" in page and "จำนวนเงินและส่วนที่ขาด" in page
    assert "บันทึกการชำระเงิน</button>" in page and "Record payment" not in page and "8,000,000.10" in page
    client.post("/account/language", data={"csrf": token, "language": "id"})
    page = client.get(f"/claims/{claim}").text
    assert f"<h1>Klaim {claim}</h1>" in page and "Jumlah dan kekurangan" in page and "Catat pembayaran</button>" in page
    assert "Kekurangan antartahap" in page and "Amounts and shortfall" not in page
    assert "Dituntut di pengadilan" in client.get("/claims/report").text


def test_the_newer_code_words_are_in_the_catalog():
    """Claim statuses and the intake's circumstances are shown through the label filter."""
    from witness.domain.care import ExploitationType, Pregnancy
    from witness.domain.claim import Status
    from witness.web.words import WORDS

    wanted = {c.value.replace("_", " ") for kind in (Status, ExploitationType, Pregnancy) for c in kind}
    assert wanted - WORDS == set()
    for lang in ("th", "id"):
        catalog = languages.translations(lang)
        assert all(catalog.gettext(w) != w for w in wanted), lang


def test_the_hearing_pages_are_translated(app):
    """The hearings list and a hearing's measures board in Thai and Indonesian; English unchanged."""
    from tests.integration.test_hearings import _assessed, _hearing, _victim
    from tests.web.conftest import make_person, signed_in_client

    case = _victim(app)
    _assessed(app, case, ["screen", "pseudonym"])
    hearing = _hearing(app, case)
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    english = client.get(f"/hearings/{hearing}").text
    assert f"<h1>Hearing {hearing}</h1>" in english and "Request the selected measures</button>" in english
    token = csrf_of(english)
    client.post("/account/language", data={"csrf": token, "language": "th"})
    assert "การพิจารณาคดีที่จะมาถึง" in client.get("/hearings").text
    page = client.get(f"/hearings/{hearing}").text
    assert f"<h1>การพิจารณาคดี {hearing}</h1>" in page and "ยื่นขอมาตรการที่เลือก</button>" in page
    assert "ความขัดแย้งในแผน" in page and "Request the selected measures" not in page
    client.post("/account/language", data={"csrf": token, "language": "id"})
    page = client.get(f"/hearings/{hearing}").text
    assert f"<h1>Sidang {hearing}</h1>" in page and "Unduh permohonan (PDF)</button>" in page
