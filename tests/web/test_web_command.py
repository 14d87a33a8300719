"""`witness web` in a real process: uvicorn on loopback, our access log, sign-in page served."""
import os
import socket

import httpx

from tests.e2e.runner import start, witness


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_witness_web_serves_the_sign_in_page_on_loopback_and_logs_pages_not_paths(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="root-1:admin")
    witness(env, "init", "--admin", "root-1", check=True)
    link = witness(env, "user", "add", "amara", "--role", "coordinator", check=True).stdout.strip().splitlines()[-1]
    port = _free_port()
    proc = start(env, "web", "--port", str(port))
    try:
        seen = []
        for line in proc.stderr:  # wait for uvicorn to say it listens (no sleeping)
            seen.append(line)
            if "running on" in line.lower():
                break
        assert f"127.0.0.1:{port}" in "".join(seen), "".join(seen)
        base = f"http://127.0.0.1:{port}"
        signin = httpx.get(f"{base}/signin", timeout=30)
        assert signin.status_code == 200 and "Sign in" in signin.text
        assert "Secure" not in signin.headers["set-cookie"]  # loopback: no TLS here
        token = link.rsplit("/", 1)[1]
        assert httpx.get(f"{base}/setup/{token}", timeout=30).status_code == 200
        assert "server" not in signin.headers
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[1]
    log = "".join(seen) + out
    assert "GET signin_page 200" in log and "GET setup_page 200" in log
    assert token not in log and "/setup/" not in log


def test_witness_web_listens_on_the_host_it_is_given_and_marks_cookies_secure_when_told(tmp_path):
    """--host is where it listens (and only there); --secure-cookies for a server behind TLS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="root-1:admin")
    witness(env, "init", "--admin", "root-1", check=True)
    port = _free_port()
    proc = start(env, "web", "--host", "127.0.0.2", "--port", str(port), "--secure-cookies")
    try:
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "running on" in line.lower():
                break
        assert f"127.0.0.2:{port}" in "".join(seen), "".join(seen)
        signin = httpx.get(f"http://127.0.0.2:{port}/signin", timeout=30)
        assert signin.status_code == 200 and "Secure" in signin.headers["set-cookie"]
        try:
            httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5)
            answered_elsewhere = True
        except httpx.ConnectError:
            answered_elsewhere = False
        assert not answered_elsewhere, "it listens on 127.0.0.1 too"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
