"""Fixtures: an app on a fresh SQLite or PostgreSQL database, clients, logins and a browser."""
import os
import re
import threading
import uuid

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter

STRICT = os.environ.get("COCREA_REQUIRE_SERVICES") == "1"
PASSWORD = "tejocote-azul-mezquite-29"


def require_service(reason: str):
    """Skip on a laptop without the service; fail in CI, where every service must be present."""
    if STRICT:
        pytest.fail(f"required service missing (COCREA_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


def _pg_admin_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_pg_database(base_url: str) -> str:
    """A fresh database next to the one in TEST_DATABASE_URL, so parallel runs never collide."""
    import psycopg

    name = f"cocrea_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin_url(base_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # Test data need not survive a crash: no wait for the WAL flush at each commit.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", base_url, count=1)


def drop_pg_database(base_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(_pg_admin_url(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, backend):
    if backend == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        url = create_pg_database(base)
        yield url
        drop_pg_database(base, url)
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "cocrea-test.sqlite3")


def test_config(database_url: str, tmp_dir) -> dict:
    return {
        "TESTING": True,
        "COCREA_ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "null",
        "MAIL_SEND_AFTER_REQUEST": False,
        "MAIL_DIR": str(tmp_dir / "mail"),
        # Uploaded files never land in the checkout's instance/ folder during tests.
        "UPLOAD_DIR": str(tmp_dir / "uploads"),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The page cache is tested on its own (tests/core/test_page_cache.py), with Redis.
        "PAGE_CACHE_REDIS_URL": None,
        "SERVER_NAME": None,
        # Existing tests log admins and facilitators in without enrolling; tests of the rule set it.
        "TWO_FACTOR_REQUIRED_ROLES": [],
    }


class IsolatedClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    A test holds an app context, and Flask reuses it for the requests the test makes; without
    this, Flask-Login's user, the CSRF token and the locale cached in `g` would pass from one
    request (and one client) to the next.
    """

    def open(self, *args, **kwargs):
        vars(g._get_current_object()).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g._get_current_object()).clear()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(test_config(database_url, tmp_path_factory.mktemp("instance")))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    # DELETE, children first: on tables this small it is ~40 times faster than TRUNCATE.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # Ids start at 1 again in every test, as TRUNCATE ... RESTART IDENTITY did.
        db.session.execute(sa.text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
    db.session.commit()


@pytest.fixture(autouse=True)
def app_context(request, app):
    """Each test runs in its own app context, on empty tables and fresh rate limits."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
    limiter.reset()


class FormClient:
    """The Flask test client plus helpers that post forms with their real CSRF token."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def csrf_token(self, page: str) -> str:
        html = self._client.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if match is None and page != "/account/login":
            # Anonymous read pages carry no token (they are cached whole); the session's token is
            # the same on every page, and the login form always has it.
            return self.csrf_token("/account/login")
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(page or url)
        return self._client.post(url, data=data, **kwargs)


@pytest.fixture
def client(app):
    return FormClient(app.test_client())


@pytest.fixture
def other_client(app):
    return FormClient(app.test_client())


def login(client: FormClient, email: str, password: str = PASSWORD, remember: bool = False):
    """Log in through the form; for an account with two-factor authentication, the code step too."""
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.submit("/account/login", data)
    if response.status_code == 302 and response.headers["Location"].endswith("/account/login/two-factor"):
        response = client.submit("/account/login/two-factor", {"code": next_totp_code(email)})
    return response


def next_totp_code(email: str) -> str:
    """A code the app would accept now for this account: a time step it has not used yet."""
    import time

    import pyotp

    from app.accounts.models import User
    from app.accounts.sealing import unseal

    secret, last_step = db.session.execute(
        sa.select(User.totp_secret, User.totp_last_step).where(User.email == email)
    ).one()
    secret = unseal(secret)
    step = max(int(time.time()) // 30, (last_step or 0) + 1)
    assert step <= int(time.time()) // 30 + 1, "no unused TOTP step left in the window; wait 30 s"
    return pyotp.TOTP(secret).generate_otp(step)


@pytest.fixture
def clock(monkeypatch):
    """The one clock moved forward: the app's (app/core/clock.py) and time.time(), which TOTP,
    signed tokens and rate limits read. `clock(seconds)` advances both."""
    import time
    from datetime import UTC, datetime, timedelta

    from app.core import clock as app_clock

    real = time.time
    offset = {"seconds": 0}
    monkeypatch.setattr(time, "time", lambda: real() + offset["seconds"])

    def advance(seconds: int) -> None:
        offset["seconds"] += seconds

    with app_clock.use(lambda: datetime.now(UTC) + timedelta(seconds=offset["seconds"])):
        yield advance


@pytest.fixture
def demo(app):
    from app.demo.loader import load_demo

    load_demo()
    return True


@pytest.fixture(scope="session")
def live_server(app):
    """The same app object, served by werkzeug on a free loopback port in a daemon thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="cocrea-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
