"""The second-factor enrolment QR code (R-110) as a phone's authenticator app reads it: the page
is drawn by Debian's chromium, the code is photographed from the screen and decoded by zxing-cpp
(an independent reader), and the key it carries is the one that then completes the set-up and
signs in. A QR code that encoded the wrong key, or drew unreadably, fails here."""
import io
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest

from tests.conftest import ADMIN
from tests.web.conftest import PASSWORD
from tests.web.test_browser_journeys import browser, live, page  # noqa: F401 (fixtures)
from witness.services import accounts

pytestmark = pytest.mark.browser


def test_the_enrolment_qr_code_carries_the_key_that_completes_the_set_up(live, page):
    import zxingcpp
    from PIL import Image

    app, base = live
    token = accounts.add(app, ADMIN, "amara", "coordinator")
    page.goto(f"{base}/setup/{token}")
    shot = page.locator("figure.qr svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [f.format.name for f in found] == ["QRCode"], "the QR code on the set-up page could not be read"
    uri = urlparse(found[0].text)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path).endswith("amara")  # the account's login labels it, nothing about any case
    query = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert query["secret"] == page.inner_text("#totp-key").replace(" ", "")  # the key typed by hand is the same
    assert "witness" in query.get("issuer", "").lower()

    secret = query["secret"]
    page.fill("#password", PASSWORD)
    page.fill("#repeat", PASSWORD)
    page.fill("#code", pyotp.TOTP(secret).at(app.clock.now()))
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/setup/" not in page.url and page.locator(".field-error").count() == 0
    # The decoded key signs in (the code of a later window: a code is used once).
    app.clock.advance(seconds=30)
    page.goto(f"{base}/signin")
    page.fill("#login", "amara")
    page.fill("#password", PASSWORD)
    page.fill("#code", pyotp.TOTP(secret).at(app.clock.now()))
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/today"), page.url
