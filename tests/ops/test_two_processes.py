"""Two real app processes on one PostgreSQL database and one Redis behave as one site.

Sessions are kept in the database (the cookie holds a token), the login rate limit lives in
Redis, and every page reads the database: so a login, a logout, a rate limit and a change made
through one worker hold on the other. Each process is a gunicorn server, as in production (docs/deploy.md).
"""
import json
import re
import time

import pytest

from tests.conftest import drop_pg_database, require_service
from tests.ops.pg import postgres_base_url, prepared_database
from tests.ops.servers import (
    Browser,
    free_port,
    require_gunicorn,
    server_env,
    start_server,
    stop_servers,
    wait_until_healthy,
)

REDIS_URL = "redis://127.0.0.1:6379/7"
CITIZEN = ("ciudadana@example.org", "Mesa-de-dialogo-2026")
LOGIN_LIMIT = 3


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
def servers(app, redis_db, tmp_path_factory):
    """Processes A and B: the same SECRET_KEY, database and Redis, nothing else shared."""
    base = postgres_base_url()
    require_gunicorn()
    root = tmp_path_factory.mktemp("two-processes")
    database = prepared_database(app, tmp_path_factory, root / "uploads")
    processes = []
    try:
        redis_db.flushdb()
        env = server_env(
            SECRET_KEY="two-processes-share-this-signing-key-0123456789",
            DATABASE_URL=database,
            REDIS_URL=REDIS_URL,  # rate limits (and the page cache) follow it
            RATELIMIT_LOGIN=f"{LOGIN_LIMIT} per minute",
            UPLOAD_DIR=str(root / "uploads"),
            OPEN_DATA_DIR=str(root / "open-data"),  # shared by the app servers, as UPLOAD_DIR
            # What is tested is the stale mark seen across processes; whether a build counts as
            # quick enough to run inline (0.5 s by default) depends on the machine's load, and a
            # slow one is served dated by design (tests/opendata): never so here.
            OPEN_DATA_INLINE_BUILD_SECONDS="60",
        )
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
        stop_servers(processes)
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


def _csv_support_count(browser: Browser, url: str, reference: str) -> int:
    import csv
    import io

    status, text, _ = browser.request(url)
    assert status == 200, url
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows[1:] if r[rows[0].index("reference")] == reference)
    return int(row[rows[0].index("support_count")])


def test_an_open_data_file_built_by_one_process_follows_a_change_made_on_the_other(a_and_b):
    """The file's stale mark is in the database and the file in the shared folder: A's download
    after a support made through B has it (a small dataset is built again on that download)."""
    a, b = a_and_b
    citizen, anonymous = Browser(), Browser()
    assert citizen.log_in(b, *CITIZEN) == 302
    reference = supportable_proposal(citizen, b)
    before = _csv_support_count(anonymous, f"{a}/open-data/proposals.csv", reference)  # built by A

    status, _, _ = citizen.post_form(f"{b}/proposals/{reference}",
                                     f"{b}/proposals/{reference}/support", {})
    assert status == 302

    assert _csv_support_count(anonymous, f"{a}/open-data/proposals.csv", reference) == before + 1
    assert _csv_support_count(anonymous, f"{b}/open-data/proposals.csv", reference) == before + 1


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
