"""`witness web`: uvicorn serving the workspace, with our own access log instead of uvicorn's
(uvicorn's writes the full path and the client address)."""
from __future__ import annotations

import ipaddress
import logging
import sys

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(app, host: str, port: int, secure_cookies: bool | None = None) -> None:
    import uvicorn

    from witness.web.app import create_app

    # Cookies are Secure everywhere but on this machine's own loopback, where there is no TLS.
    secure = (not is_loopback(host)) if secure_cookies is None else secure_cookies
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    access = logging.getLogger("witness.web.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    # uvicorn's own "running on" line (log level info) comes once the socket listens.
    uvicorn.run(create_app(app, secure_cookies=secure), host=host, port=port, access_log=False,
                server_header=False, proxy_headers=False, log_level="info")
