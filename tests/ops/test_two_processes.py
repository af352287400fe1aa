"""Two real app processes on one PostgreSQL database and one Redis behave as one site.

Sessions are kept in the database (the cookie holds a token), the login rate limit lives in
Redis, and every page reads the database: so a login, a logout, a rate limit and a change made
through one worker hold on the other. Each process is a gunicorn server, as in production (docs/deploy.md).
"""
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import create_pg_database, drop_pg_database, require_service
from tests.ops.pg import REPO, postgres_base_url, prepared_app

REDIS_URL = "redis://127.0.0.1:6379/7"
CITIZEN = ("ciudadana@example.org", "Mesa-de-dialogo-2026")
LOGIN_LIMIT = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One cookie jar for every server, as a browser keeps for one host whatever the port."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def csrf_token(self, url: str) -> str:
        status, html, _ = self.request(url)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert status == 200 and match, f"no CSRF token on {url} ({status})"
        return match.group(1)

    def post_form(self, page: str, action: str, data: dict) -> tuple[int, str, dict]:
        return self.request(action, {**data, "csrf_token": self.csrf_token(page)})

    def log_in(self, server: str, email: str, password: str) -> int:
        status, _, _ = self.post_form(f"{server}/account/login", f"{server}/account/login",
                                      {"email": email, "password": password})
        return status


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--timeout", "60", "wsgi:app"]
    with open(log, "w") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_healthy(server: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{server} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{server} did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def redis_db():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:  # any failure means the test cannot run here
        require_service(f"Redis at {REDIS_URL} is unreachable ({exc})")
    return client


@pytest.fixture(scope="module")
def servers(redis_db, tmp_path_factory):
    """Processes A and B: the same SECRET_KEY, database and Redis, nothing else shared."""
    base = postgres_base_url()
    if subprocess.run([sys.executable, "-m", "gunicorn", "--version"],
                      capture_output=True).returncode:
        require_service("gunicorn is not installed in this environment (pip install -e .)")
    root = tmp_path_factory.mktemp("two-processes")
    database = create_pg_database(base)
    processes = []
    try:
        prepared_app(database, root / "setup", UPLOAD_DIR=str(root / "uploads"))
        redis_db.flushdb()
        env = {k: v for k, v in os.environ.items() if k not in ("RATELIMIT_STORAGE_URI", "FLASK_APP")}
        env.update({
            "COCREA_ENV": "development",
            "SECRET_KEY": "two-processes-share-this-signing-key-0123456789",
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,  # rate limits (and the page cache) follow it
            "RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
            "MAIL_BACKEND": "null",
            "MAIL_SEND_AFTER_REQUEST": "0",
            "UPLOAD_DIR": str(root / "uploads"),
            "LOG_FORMAT": "json",
        })
        urls = []
        for name in ("a", "b"):
            port = free_port()
            log = root / f"{name}.log"
            process = start_server(port, env, log)
            processes.append(process)
            urls.append((f"http://127.0.0.1:{port}", process, log))
        for url, process, log in urls:
            wait_until_healthy(url, process, log)
        yield {"a": urls[0][0], "b": urls[1][0], "a_log": urls[0][2]}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        drop_pg_database(base, database)


@pytest.fixture
def a_and_b(servers, redis_db):
    redis_db.flushdb()  # fresh rate-limit counters for each test
    return servers["a"], servers["b"]


def test_a_login_on_one_process_is_a_session_on_the_other(a_and_b):
    a, b = a_and_b
    browser, stranger = Browser(), Browser()

    assert browser.log_in(a, *CITIZEN) == 302

    status, html, _ = browser.request(f"{b}/notifications/")
    assert status == 200
    assert "Lucía Hernández Soto" in html
    # The same page on B without that cookie sends to the login page: the cookie is the session.
    assert stranger.request(f"{b}/notifications/")[0] == 302


def copied(browser: Browser, *names: str) -> Browser:
    """Another browser holding copies of `browser`'s cookies (what a thief of them would hold)."""
    thief = Browser()
    for cookie in browser.jar:
        if cookie.name in names:
            thief.jar.set_cookie(cookie)
    assert {c.name for c in thief.jar} == set(names), f"no {names} cookie to copy"
    return thief


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_on_both_processes_at_logout(a_and_b, cookie):
    """Logout on A ends the session on the server: B refuses the copied cookie at once."""
    a, b = a_and_b
    browser = Browser()
    page = f"{a}/account/login"
    status, _, _ = browser.post_form(page, page, {"email": CITIZEN[0], "password": CITIZEN[1],
                                                  "remember": "y"})
    assert status == 302
    thief = copied(browser, cookie)
    assert thief.request(f"{b}/account/profile")[0] == 200  # the copy works while it is open

    status, _, _ = browser.post_form(f"{a}/account/profile", f"{a}/account/logout", {})
    assert status == 302

    for server in (b, a):
        status, _, headers = thief.request(f"{server}/account/profile")
        assert status == 302 and "/account/login" in headers["Location"], server


def test_the_login_rate_limit_counts_attempts_on_both_processes(a_and_b):
    a, b = a_and_b
    browser = Browser()
    wrong = {"email": CITIZEN[0], "password": "not-the-password-1"}
    statuses = []

    for server in (a, b, a, b):
        page = f"{server}/account/login"
        statuses.append(browser.post_form(page, page, wrong)[0])

    # Counted per process, A and B would each have seen two attempts and answered 400 four times.
    assert statuses == [400, 400, 400, 429]


def test_a_change_made_through_one_process_shows_on_the_other(a_and_b):
    a, b = a_and_b
    citizen, anonymous = Browser(), Browser()
    assert citizen.log_in(b, *CITIZEN) == 302
    reference = supportable_proposal(citizen, b)
    before = support_count(anonymous, f"{a}/proposals/{reference}")  # also fills any page cache

    status, _, _ = citizen.post_form(f"{b}/proposals/{reference}",
                                     f"{b}/proposals/{reference}/support", {})
    assert status == 302

    assert support_count(anonymous, f"{a}/proposals/{reference}") == before + 1


def test_the_access_log_is_json_lines_with_the_request_id(servers):
    status, _, headers = Browser().request(f"{servers['a']}/account/login")
    request_id = headers["X-Request-ID"]
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", request_id)

    time.sleep(0.2)  # the line is written after the response is sent
    lines = [json.loads(line) for line in servers["a_log"].read_text().splitlines()
             if line.startswith("{")]
    access = [line for line in lines if line["request_id"] == request_id]
    assert [(line["logger"], line["path"], line["status"]) for line in access] == [
        ("cocrea.access", "/account/login", 200)]


def supportable_proposal(browser: Browser, server: str) -> str:
    _, listing, _ = browser.request(f"{server}/proposals/")
    for reference in dict.fromkeys(re.findall(r'href="/proposals/([A-Za-z0-9-]+)"', listing)):
        _, html, _ = browser.request(f"{server}/proposals/{reference}")
        if f'action="/proposals/{reference}/support"' in html:
            return reference
    pytest.fail("the demo has no proposal that the citizen can support")


def support_count(browser: Browser, url: str) -> int:
    status, html, _ = browser.request(url)
    match = re.search(r'data-supports="(\d+)"', html)
    assert status == 200 and match, f"no support count on {url}"
    return int(match.group(1))
