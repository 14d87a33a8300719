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
