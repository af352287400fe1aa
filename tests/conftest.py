"""Fixtures: an app on a fresh SQLite or PostgreSQL database, clients, logins and a browser."""
import os
import re
import threading
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app, g
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.core import facts
from app.core.fragments import cache_of as fragment_cache_of
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


def create_pg_database(base_url: str, fast: bool = False, template: str | None = None) -> str:
    """A fresh database next to the one in TEST_DATABASE_URL, so parallel runs never collide;
    a copy of the database `template` if given (which must have no connection open)."""
    import psycopg

    name = f"cocrea_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin_url(base_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        if fast:
            # The session's throwaway databases: their commits (real_commits tests, the demo
            # database) need not wait for the disk; a crash would only lose a test run.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", base_url, count=1)


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def drop_pg_database(base_url: str, url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(_pg_admin_url(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, backend):
    if backend == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        url = create_pg_database(base, fast=True)
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
        "OPEN_DATA_DIR": str(tmp_dir / "open-data"),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The page cache is tested on its own (tests/core/test_page_cache.py), with Redis.
        "PAGE_CACHE_REDIS_URL": None,
        # Facts kept between requests (app/core/facts.py: the current plan, the guarantor body),
        # as in production; read again at the start of every test (app_context). Statement
        # counts read them on every request (tests/querycount.py `facts_read_afresh`), so that a
        # count does not depend on whether a fact was kept from an earlier request.
        "FACTS_KEPT": True,
        # A search's counts and candidates are read on every search (tests/search keeps them).
        "SEARCH_SATURATED_SECONDS": 0,
        "SEARCH_KEPT_SECONDS": 0,
        # A test's rows live in its own uncommitted transaction: a build reads them on the
        # session's connection (tests/opendata/test_files.py runs the two-connection build).
        "OPEN_DATA_BUILD_CONNECTIONS": 1,
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


def _keep_compiled_templates(app) -> None:
    """Templates compiled once, not once per worker and run: every worker of both halves renders
    nearly all of them (compiling the 211 took a worker 1.5 s of CPU; loading them from the cache,
    0.05 s). Jinja's bytecode cache reloads a template's code only
    while its source is unchanged (checksum) and for the same Jinja and Python; the folder is
    named after what else the compiled code depends on (extensions, filters, syntax options)."""
    import hashlib
    import tempfile

    from jinja2 import FileSystemBytecodeCache

    env = app.jinja_env
    settings = repr((sorted(env.extensions), sorted(env.filters), sorted(env.tests),
                     env.newstyle_gettext if hasattr(env, "newstyle_gettext") else None,
                     env.block_start_string, env.variable_start_string, env.comment_start_string,
                     env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                     env.lstrip_blocks, env.keep_trailing_newline, env.optimized))
    folder = os.path.join(tempfile.gettempdir(), f"cocrea-test-templates-{os.getuid()}-"
                          + hashlib.sha256(settings.encode()).hexdigest()[:16])
    os.makedirs(folder, mode=0o700, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(folder)


def _freeze_what_lives_for_the_session() -> None:
    """The modules, the app and its mappers live until the session ends: the cyclic collector
    stops looking at them (gc.freeze). Every full collection walked them all (190,000 objects,
    0.1-0.15 s of CPU): count_queries (tests/querycount.py) runs one before each count, and Python
    runs its own. Rows and everything else the tests make are still collected
    as before: only what exists now is frozen, after a collection."""
    import gc

    gc.collect()
    gc.freeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """After a module's last test (its module-scoped worlds torn down), what still lives will live
    for the session: the templates it compiled, SQLAlchemy's compiled statements, the caches they
    fill. It is collected and frozen too, as serving processes do after their first requests
    (app/core/heap.py), so that later full collections (count_queries runs one before every count)
    walk only what the current module made, not everything every earlier module left cached."""
    yield
    if nextitem is None or nextitem.module is not item.module:
        import gc

        gc.collect()
        gc.freeze()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(test_config(database_url, tmp_path_factory.mktemp("instance")))
    app.test_client_class = IsolatedClient
    _keep_compiled_templates(app)
    with app.app_context():
        db.create_all()
    _freeze_what_lives_for_the_session()
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
        db.session.execute(sa.text(RESTART_SEQUENCES))
    # Emptying the tables is no change of the open data to record (its marks would take ids the
    # restarted sequence hands out again).
    from app.opendata.tracking import CHANGED

    db.session.info.pop(CHANGED, None)
    db.session.commit()


RESTART_SEQUENCES = "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
# Tests that cannot run inside one rolled-back transaction get `real_commits` (tests/README.md).
REAL_COMMIT_FIXTURES = {"live_server", "world_templates"}  # `page` and `phone_page` use the
# live server; a world template's test runs on a copy (SQLite) or on the template's rows (PostgreSQL)
REAL_COMMIT_PATHS = ("tests/ops/",)
REAL_COMMIT_FILES = ("/test_concurrency.py",)


_BOUND: dict = {}


def _bind_sessions_to(app, connection) -> None:
    """From now on, every new `db.session` of `app` in this thread runs on `connection`, inside its
    transaction: the session's begin/commit/rollback become SAVEPOINT / RELEASE / ROLLBACK TO.
    Other apps a test builds (create_app) and other threads keep their own engine's connections."""
    factory = db.session.session_factory
    cls = factory.class_
    if not getattr(cls, "_cocrea_test_bind", False):
        original = cls.get_bind

        def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
            # Flask-SQLAlchemy's get_bind picks the engine of the current app by bind key.
            if bind is None and _BOUND and current_app._get_current_object() is _BOUND["app"]:
                if threading.get_ident() != _BOUND["thread"]:
                    # Its commits would be real and outlive the test; its reads would not see
                    # the test's rows.
                    raise RuntimeError("another thread uses the database in a rolled-back test: "
                                       "mark the test real_commits (tests/README.md)")
                return _BOUND["connection"]
            return original(self, mapper, clause, bind, **kwargs)

        cls.get_bind = get_bind
        cls._cocrea_test_bind = True
    _BOUND.clear()
    if connection is None:
        factory.kw.pop("join_transaction_mode", None)
    else:
        _BOUND.update(app=app, connection=connection, thread=threading.get_ident())
        factory.configure(join_transaction_mode="create_savepoint")


QUIET = "cocrea_quiet_savepoints"


def _quiet_outer_savepoints(dialect) -> None:
    """The session's first-level savepoint stands for the BEGIN and COMMIT of production, which
    never pass through `before_cursor_execute`: send it straight to the driver, so that the
    statement counts of tests/querycount.py and friends see what production sends. Savepoints the
    application asks for itself (uow.savepoint()) are deeper and are sent (and counted) as usual."""
    if getattr(dialect, "_cocrea_quiet", False):
        return
    do_savepoint, do_release, do_rollback_to = (
        dialect.do_savepoint, dialect.do_release_savepoint, dialect.do_rollback_to_savepoint)

    def raw(connection, sql):
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def savepoint(connection, name):
        quiet = connection.info.get(QUIET)
        if quiet is not None and connection._nested_transaction is None:
            quiet.add(name)
            raw(connection, f"SAVEPOINT {name}")
        else:
            do_savepoint(connection, name)

    def ending(verb, fallback):
        # RELEASE or ROLLBACK TO of a quiet savepoint is quiet too; the app's own go as usual.
        def end(connection, name):
            quiet = connection.info.get(QUIET)
            if quiet is not None and name in quiet:
                quiet.discard(name)
                raw(connection, f"{verb} {name}")
            else:
                fallback(connection, name)
        return end

    dialect.do_savepoint = savepoint
    dialect.do_release_savepoint = ending("RELEASE SAVEPOINT", do_release)
    dialect.do_rollback_to_savepoint = ending("ROLLBACK TO SAVEPOINT", do_rollback_to)
    dialect._cocrea_quiet = True


def needs_real_commits(item) -> bool:
    return item.get_closest_marker("real_commits") is not None


def _builds_its_own_app(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    if "database_url" in info.argnames:
        return True
    return any("database_url" in fixturedef.argnames
               for name, fixturedefs in info.name2fixturedefs.items()
               if name not in ("app", "demo_engine", "database_url")
               for fixturedef in fixturedefs)


DURATIONS = os.path.join(os.path.dirname(__file__), "durations.json")


# The share of the browser files' time (tests/durations.json) that `make test` gives to SQLite:
# PostgreSQL's half runs more besides (every single_backend suite but these, the PostgreSQL-only
# tests, and its own tests are slower), so SQLite takes most of them for both halves to end
# together (measured: 527 s against 394 s with half each; with 0.8, after the browser worlds and
# the demo were built once per module and run, 588 s against 513 s: now all of them).
BROWSER_SHARE_SQLITE = 1.0


def _share_browser_files(items) -> None:
    """The browser files run once, on one backend or the other (`sqlite_turn`): taken from the
    slowest (tests/durations.json), each goes to SQLite while SQLite holds less than
    BROWSER_SHARE_SQLITE of the time given out, else to PostgreSQL (tests/README.md)."""
    durations = _file_durations()
    files = sorted({item.nodeid.split("::")[0] for item in items if item.get_closest_marker("browser")},
                   key=lambda path: (-durations.get(path, 0.0), path))
    sqlite_turn, on_sqlite, given = set(), 0.0, 0.0
    for path in files:
        seconds = durations.get(path, 1.0)
        if on_sqlite <= BROWSER_SHARE_SQLITE * given:
            sqlite_turn.add(path)
            on_sqlite += seconds
        given += seconds
    for item in items:
        if item.nodeid.split("::")[0] in sqlite_turn:
            item.add_marker(pytest.mark.sqlite_turn)


def _file_durations() -> dict[str, float]:
    import json

    try:
        with open(DURATIONS) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers added here
def pytest_collection_modifyitems(config, items):
    for item in items:
        # Another thread serves the browser's requests on its own connection: it must see
        # committed rows.
        # So do the concurrency suites' threads, and the servers and processes of tests/ops.
        path = item.nodeid.split("::")[0]
        # And a test that builds a second app on the test database (a fixture, or the test,
        # asking for `database_url`): that app's sessions commit through their own engine.
        if (REAL_COMMIT_FIXTURES & set(getattr(item, "fixturenames", ()))
                or path.startswith(REAL_COMMIT_PATHS) or path.endswith(REAL_COMMIT_FILES)
                or _builds_its_own_app(item)):
            item.add_marker(pytest.mark.real_commits)
        # Journeys through Chromium test the pages, not the database (tests/README.md).
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.single_backend)
    _share_browser_files(items)
    # The slowest files first (seconds per file on PostgreSQL, tests/durations.json), so that
    # pytest-xdist (--dist loadfile) starts the long ones early and no worker ends far behind.
    # The order within a file stays as written.
    durations = _file_durations()
    if durations:
        default = sorted(durations.values())[len(durations) // 2]
        files = {}
        for index, item in enumerate(items):
            files.setdefault(item.nodeid.split("::")[0], index)
        items.sort(key=lambda item: (-durations.get(item.nodeid.split("::")[0], default),
                                     files[item.nodeid.split("::")[0]]))


def pytest_configure(config):
    """pytest-xdist (3.8 here) hands files out by their number of tests, most first, unless
    `--no-loadscope-reorder`: the slowest-first order given below was lost, and the long files of
    few tests (the hostile-input crawl, 8 tests; the authorisation matrix, 10) started among the
    last. Every run with `-n` keeps the order of the collection instead."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


@pytest.fixture(autouse=True)
def app_context(request, app):
    """Each test runs in its own app context, on empty tables and fresh rate limits.

    Usually inside one transaction on one connection, rolled back at the end (the app's commits
    are savepoints in it); with the `real_commits` marker, on real commits, and every table is
    emptied afterwards."""
    app.config["WTF_CSRF_ENABLED"] = request.node.get_closest_marker("csrf") is not None
    fragment_cache_of(app).clear()  # ids start again at 1: fragments of another test's rows
    # The data beneath the app changed since the last test (its transaction was rolled back
    # under the session, or its tables emptied): no fact kept from it is served to this one.
    facts.forget_all(app)
    if "module_worlds" in request.fixturenames:
        request.getfixturevalue("module_worlds")  # set up already: module fixtures come first
    worlds = _MODULE_WORLDS[0] if _MODULE_WORLDS else None
    uses_worlds = worlds is not None and "module_worlds" in request.fixturenames
    if worlds is not None and not uses_worlds:
        # Its uncommitted rows and their locks would meet this test: built again when needed.
        worlds.suspend()
    if uses_worlds and "demo" in request.fixturenames:
        pytest.fail("a world built once per module (module_worlds) lives in the test database, "
                    "not in the demo's (tests/README.md)")
    uses_template = "world_templates" in request.fixturenames
    if uses_template and ("demo" in request.fixturenames or uses_worlds):
        pytest.fail("a test runs on a copy of its module's world template (world_templates): it "
                    "cannot use the demo or module_worlds as well (tests/README.md)")
    if needs_real_commits(request.node):
        with app.app_context():
            if uses_worlds:
                worlds.suspend()
                worlds.build_committed()  # this test's own copy of the worlds, really committed
            # A world template's test: the app runs on a copy of the template, or on its rows.
            templates = request.getfixturevalue("world_templates") if uses_template else None
            with templates.copy() if templates is not None else nullcontext():
                yield
            db.session.rollback()
            _empty_all_tables()
            db.session.remove()
        limiter.reset()
        return
    demo_engine = request.getfixturevalue("demo_engine") if "demo" in request.fixturenames else None
    if demo_engine is not None and _DEMO_COPIES:
        _DEMO_COPIES[0].settle()
    with app.app_context():
        db.session.remove()
        if worlds is not None and uses_worlds:
            connection = worlds.begin_test()  # a savepoint in the module's transaction
        else:
            engine = demo_engine or db.engine
            connection = engine.connect()
            outer = connection.begin()
            if connection.dialect.name == "sqlite":
                # pysqlite would only BEGIN before the first write; the savepoints need it now.
                connection.connection.dbapi_connection.execute("BEGIN")
            elif engine is db.engine:  # ids from 1 (not on the demo database: its rows keep theirs)
                connection.exec_driver_sql(RESTART_SEQUENCES)
        _quiet_outer_savepoints(connection.dialect)
        connection.info[QUIET] = set()
        _bind_sessions_to(app, connection)
        try:
            if uses_worlds:
                worlds.rebind()
            yield
        finally:
            db.session.remove()
            _bind_sessions_to(app, None)
            connection.info.pop(QUIET, None)
            if uses_worlds:
                worlds.end_test()
            else:
                _roll_back_keeping_prepared(connection)
                outer.rollback()
                connection.close()
    limiter.reset()


def _roll_back_keeping_prepared(connection) -> None:
    """On PostgreSQL, the test's transaction rolled back by a ROLLBACK statement sent to psycopg's
    connection (which `_keep_prepared_statements_through_rollbacks` lets keep its prepared
    statements); SQLAlchemy's rollback after it finds the connection idle and sends nothing. A
    connection that cannot take it (a test broke it) is left to SQLAlchemy's rollback, as before."""
    if connection.dialect.name != "postgresql" or connection.invalidated:
        return
    try:
        from psycopg.pq import TransactionStatus

        raw = connection.connection.dbapi_connection
        if raw is not None and raw.info.transaction_status != TransactionStatus.IDLE:
            raw.execute("ROLLBACK", prepare=False)
    except Exception:  # noqa: BLE001 - SQLAlchemy's rollback, which follows, reports it
        return


def _keep_prepared_statements_through_rollbacks() -> None:
    """psycopg prepares a statement on the server once a connection has run it five times, and
    forgets every prepared statement (and every count towards one) when a ROLLBACK passes, since a
    rolled-back transaction may have created what they name. Production rarely rolls back (reads
    end with COMMIT: app/core/db.py `_commit_reads`), so its statements stay prepared from request
    to request; the suite rolls back after every test and at the end of every read-only request
    (the outer savepoints that stand for production's transactions), so PostgreSQL planned every
    statement anew, each time: a fifth to a quarter of its CPU in the suite.

    The server keeps a prepared statement through ROLLBACK (it is not transactional), and the
    suite's schema is made before the first test and never changed in a rolled-back transaction:
    in the test processes, a ROLLBACK statement (ROLLBACK, ROLLBACK TO SAVEPOINT) no longer makes
    psycopg forget. DROP, ALTER, DISCARD ALL and DEALLOCATE ALL still do, and so does the
    connection's own rollback() (tests/core/test_kept_statements.py relies on it). This reads
    psycopg's PrepareManager (3.3), not a public API: if it changes, the suite runs as before, only
    slower, and tests/core/test_kept_statements.py says so."""
    try:
        from psycopg import _preparing
    except ImportError:
        return
    manager = getattr(_preparing, "PrepareManager", None)
    discard = getattr(manager, "_should_discard", None)
    if discard is None or getattr(manager, "_cocrea_keeps_through_rollbacks", False):
        return

    def should_discard(self, prep, results):
        if results and all((result.command_status or b"").startswith(b"ROLLBACK") for result in results):
            return False
        return discard(self, prep, results)

    manager._should_discard = should_discard
    manager._cocrea_keeps_through_rollbacks = True


_keep_prepared_statements_through_rollbacks()


_MODULE_WORLDS: list = []  # the running module's ModuleWorlds, while its fixture lives


@pytest.fixture(scope="module")
def module_worlds(app):
    """Worlds built once per module, each test rolled back to them (tests/worlds.py):
    `@pytest.fixture(scope="module") def world(module_worlds): return module_worlds.share(World)`."""
    from tests.worlds import ModuleWorlds

    worlds = ModuleWorlds(app)
    _MODULE_WORLDS.append(worlds)
    try:
        yield worlds
    finally:
        _MODULE_WORLDS.remove(worlds)
        worlds.suspend()


@pytest.fixture(scope="module")
def world_templates(app, backend, tmp_path_factory):
    """Worlds built once per module into a template database, copied for each test (tests/worlds.py,
    WorldTemplates): `@pytest.fixture(scope="module") def world(world_templates): return
    world_templates.share(build_world)`. Its tests get `real_commits`, each on its own copy of the
    template (app_context)."""
    from tests.worlds import WorldTemplates

    templates = WorldTemplates(app, backend, tmp_path_factory.mktemp("world-template"))
    yield templates
    templates.close()


class FormClient:
    """The Flask test client plus helpers that post forms.

    CSRF protection is off in tests unless the test carries the `csrf` marker (tests/README.md);
    then `submit` fetches the page first and posts its real token, as a browser would."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    @property
    def csrf_enabled(self) -> bool:
        return bool(self._client.application.config["WTF_CSRF_ENABLED"])

    def csrf_token(self, page: str) -> str:
        html = self._client.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if match is None and page != "/account/login":
            # Anonymous read pages carry no token (they are cached whole); the session's token is
            # the same on every page, and the login form always has it.
            return self.csrf_token("/account/login")
        if match is None and not self.csrf_enabled:
            return ""  # nothing checks it
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def session_csrf_token(self) -> str:
        """The token the session's pages would carry, made without fetching one (as
        flask_wtf.csrf.generate_csrf does). For views that call csrf.protect() themselves."""
        import hashlib

        from itsdangerous import URLSafeTimedSerializer

        app = self._client.application
        with self._client.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def submit(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        data = dict(data or {})
        if self.csrf_enabled:
            data["csrf_token"] = self.csrf_token(page or url)
        elif "csrf_token" not in data:
            data["csrf_token"] = self.session_csrf_token()
        return self._client.post(url, data=data, **kwargs)


@pytest.fixture
def client(app):
    return FormClient(app.test_client())


@pytest.fixture
def other_client(app):
    return FormClient(app.test_client())


class LoggedIn:
    """What `login` answers when it opened the session directly: the form's redirect."""

    status_code = 302

    def __init__(self, location: str = "/"):
        self.headers = {"Location": location}


def login_as(client, user, remember: bool = False) -> LoggedIn:
    """Sign `user` in on `client` without the login form: the same server-side session row
    (app/accounts/session_store.py), the same session keys and cookies (start_session, and
    Flask-Login's remember-me cookie), the same record of the login and the same welcome message
    as a successful form login, including the two-factor step for an enrolled account."""
    from flask import flash
    from flask import session as flask_session
    from flask_babel import gettext

    from app.accounts import services, sessions
    from app.core import uow
    from app.core.i18n import end_sentence

    raw = client._client if isinstance(client, FormClient) else client
    app = raw.application
    ctx = app.test_request_context("/account/login", method="POST",
                                   environ_base=dict(raw.environ_base))
    raw._add_cookies_to_wsgi(ctx.request.environ)
    with ctx:
        user = db.session.get(type(user), user.id)
        if user.two_factor_enabled:
            services.record_login(user, method="totp")  # twofactor.complete_login
        else:
            services.record_login(user)  # services.authenticate
        sessions.start_session(user, remember=remember)
        flash(gettext("Welcome, %(name)s.", name=end_sentence(user.name)), "success")
        db.session.flush()
        uow.commit()
        response = app.response_class()
        app.login_manager._update_remember_cookie(response)
        app.session_interface.save_session(app, flask_session._get_current_object(), response)
    vars(g._get_current_object()).clear()
    raw._update_cookies_from_response(
        ctx.request.host.partition(":")[0], ctx.request.path, response.headers.getlist("Set-Cookie"))
    return LoggedIn("/")


def _accepts_password(email: str, password: str):
    """The account the login form would let in with this password, or None."""
    from app.accounts.passwords import verify_password
    from app.accounts.services import find_by_email, is_locked

    user = find_by_email(email)
    if user is None or user.deleted_at is not None or is_locked(user):
        return None
    return user if verify_password(user.password_hash, password) else None


def login(client: FormClient, email: str, password: str = PASSWORD, remember: bool = False):
    """Sign in: directly (`login_as`) when the form would accept this email and password, which
    is what almost every test needs; otherwise through the form, so that a refusal is the form's."""
    user = _accepts_password(email, password)
    if user is None:
        return login_through_form(client, email, password, remember)
    return login_as(client, user, remember=remember)


def login_through_form(client: FormClient, email: str, password: str = PASSWORD,
                       remember: bool = False):
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
def kept_facts(app, monkeypatch):
    """Facts kept between requests, as in production (the suite reads them on every request),
    read again first (the data beneath the app changed since the last test) and after. Their
    time bucket (FACTS_SECONDS) does not turn over in the middle of a count: a statement count
    taken across its turn would include a fact read again, whatever the page costs."""
    from app.core import facts

    monkeypatch.setitem(app.config, "FACTS_KEPT", True)
    monkeypatch.setitem(app.config, "FACTS_KEPT_IN_COUNTS", True)
    monkeypatch.setitem(app.config, "FACTS_SECONDS", 3600)
    facts.forget_all()
    yield facts
    facts.forget_all()


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


def run_root(tmp_path_factory) -> Path:
    """The folder every process of this run shares: under pytest-xdist each worker's basetemp is
    a folder of the controller's; without workers, the run's own basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def run_lock(root: Path, name: str):
    """Held by one process of the run at a time (the workers of one backend share `root`)."""
    import fcntl

    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _files_under(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def _load_demo_template(app, backend: str, root: Path) -> dict:
    """The demo plan loaded once per run and backend into a database of its own (the workers'
    template), and the files it stored kept beside it; what the workers need to copy them."""
    import shutil

    from app.config import engine_options
    from app.demo.loader import load_demo

    if backend == "postgresql":
        url = create_pg_database(os.environ["TEST_DATABASE_URL"], fast=True)
    else:
        url = "sqlite:///" + str(root / "cocrea-demo-template.sqlite3")
    uploads = Path(app.config["UPLOAD_DIR"])
    before = _files_under(uploads)
    engine = sa.create_engine(url, **engine_options(url))
    try:
        db.metadata.create_all(engine)
        with app.app_context():
            with engine.connect() as connection:
                outer = connection.begin()
                if connection.dialect.name == "sqlite":
                    connection.connection.dbapi_connection.execute("BEGIN")
                _bind_sessions_to(app, connection)
                try:
                    load_demo()
                    db.session.commit()
                finally:
                    db.session.remove()
                    _bind_sessions_to(app, None)
                outer.commit()
    finally:
        engine.dispose()  # a PostgreSQL template must have no connection left
    files = root / "demo-uploads"
    for name in sorted(_files_under(uploads) - before):
        (files / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(uploads / name, files / name)
    files.mkdir(exist_ok=True)
    return {"url": url, "files": str(files)}


def copy_of_the_demo(app, backend: str, tmp_path_factory, uploads, fast: bool = True) -> str:
    """A new database holding the demo plan (`make run`'s data), and the files the demo stored
    copied into `uploads`; returns its URL. The demo is loaded once per run and backend, by the
    first process that needs it, into a template (_load_demo_template); every database is a copy
    of it (PostgreSQL: CREATE DATABASE ... TEMPLATE; SQLite: the file, through the backup API).
    The template is dropped at the end of the run (pytest_sessionfinish)."""
    import json
    import shutil

    root = run_root(tmp_path_factory)
    record = root / f"demo-{backend}.json"
    with run_lock(root, "demo"):
        if record.exists():
            template = json.loads(record.read_text())
        else:
            template = _load_demo_template(app, backend, root)
            record.write_text(json.dumps(template))
        if backend == "postgresql":
            url = create_pg_database(os.environ["TEST_DATABASE_URL"], fast=fast,
                                     template=database_name(template["url"]))
        else:
            url = copy_sqlite_database(template["url"].removeprefix("sqlite:///"),
                                       tmp_path_factory.mktemp("demo") / "cocrea-demo.sqlite3")
    shutil.copytree(template["files"], uploads, dirs_exist_ok=True)
    return url


@pytest.fixture(scope="session")
def demo_engine(app, backend, tmp_path_factory):
    """A second database of the session holding the demo plan (`make run`'s data), a copy of the
    run's (copy_of_the_demo), with the demo's files in the session's UPLOAD_DIR.

    A test with `demo` runs on it, inside its own rolled-back transaction, instead of loading the
    demo into the empty database. Tests with `real_commits` get a copy of it (demo_copy)."""
    from app.config import engine_options

    url = copy_of_the_demo(app, backend, tmp_path_factory, app.config["UPLOAD_DIR"])
    engine = sa.create_engine(url, **engine_options(url))
    yield engine
    engine.dispose()
    if backend == "postgresql":
        drop_pg_database(os.environ["TEST_DATABASE_URL"], url)


def pytest_sessionfinish(session):
    """The run's templates (the demo's, demo_engine; the migrated demo of tests/ops/pg.py) are
    dropped by the process that started the run: the xdist controller, or the only process."""
    import json

    if os.environ.get("PYTEST_XDIST_WORKER") or not hasattr(session.config, "_tmp_path_factory"):
        return
    for record in sorted(session.config._tmp_path_factory.getbasetemp().glob("*-postgresql.json")):
        drop_pg_database(os.environ["TEST_DATABASE_URL"], json.loads(record.read_text())["url"])


@pytest.fixture
def demo(request, app):
    """The demo plan, never loaded again: a rolled-back test runs on the session's demo database
    (demo_engine); a `real_commits` test gets its own copy of that database (demo_copy)."""
    if needs_real_commits(request.node):
        request.getfixturevalue("demo_copy")
    return True


@pytest.fixture
def demo_copy(request, app, backend, demo_engine, tmp_path):
    """For a `real_commits` test: a copy of the session's demo database (PostgreSQL: CREATE
    DATABASE ... TEMPLATE; SQLite: the file, through SQLite's backup API), on which the app runs
    (every thread: the live server's too) until the test ends; then the copy is dropped."""
    from app.config import engine_options

    if backend == "postgresql":
        copies = request.getfixturevalue("demo_copies")
        url = copies.take()
    else:
        url = copy_sqlite_database(demo_engine.url.database, tmp_path / "cocrea-demo-copy.sqlite3")
    engine = sa.create_engine(url, **engine_options(url))
    try:
        with app_runs_on(app, engine):
            yield engine
    finally:
        engine.dispose()
        if backend == "postgresql":
            copies.drop(url)


@contextmanager
def app_runs_on(app, engine):
    """Until the block ends, every session of `app` (in every thread: the live server's too) uses
    `engine` instead of the test database's."""
    engines = db._app_engines[app]  # Flask-SQLAlchemy's engines of this app, by bind key
    db.session.remove()
    main, engines[None] = engines[None], engine
    try:
        yield engine
    finally:
        db.session.remove()
        engines[None] = main


def copy_sqlite_database(source: str, target) -> str:
    """A copy of the SQLite database file `source` at `target` (SQLite's backup API: consistent
    even while another connection has it open); returns its URL."""
    import sqlite3

    reader, writer = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        reader.close()
        writer.close()
    return f"sqlite:///{target}"


class DatabaseCopies:
    """PostgreSQL copies of a template database (CREATE DATABASE ... TEMPLATE, which needs the
    template without connections): the demo database of the session (demo_copies). While a
    `real_commits` test runs on one copy,
    the next copy is made in the background; used copies are dropped in the background; a
    rolled-back test of the demo waits for a copy being made before it connects."""

    def __init__(self, base: str, template_engine):
        from concurrent.futures import ThreadPoolExecutor

        self.base, self.template_engine = base, template_engine
        self.work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cocrea-db-copies")
        self.next = None

    def _copy(self) -> str:
        return create_pg_database(self.base, fast=True,
                                  template=self.template_engine.url.database)

    def take(self) -> str:
        self.template_engine.dispose()  # idle connections (the demo's rolled-back tests)
        url = self.next.result() if self.next is not None else self._copy()
        self.next = self.work.submit(self._copy)
        return url

    def settle(self) -> None:
        """Before a rolled-back test connects to the template: no copy is being made."""
        if self.next is not None:
            self.next.result()

    def drop(self, url: str) -> None:
        self.work.submit(drop_pg_database, self.base, url)

    def close(self) -> None:
        try:
            if self.next is not None:
                self.drop(self.next.result())
        finally:
            self.work.shutdown(wait=True)


_DEMO_COPIES: list = []


@pytest.fixture(scope="session")
def demo_copies(demo_engine):
    copies = DatabaseCopies(os.environ["TEST_DATABASE_URL"], demo_engine)
    _DEMO_COPIES.append(copies)
    yield copies
    _DEMO_COPIES.remove(copies)
    copies.close()


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


@pytest.fixture
def uploads(app, tmp_path):
    """UPLOAD_DIR in the test's own directory; the previous configuration is restored after."""
    directory = tmp_path / "uploads"
    saved = {key: app.config.get(key, KeyError) for key in ("UPLOAD_DIR", "UPLOAD_MAX_BYTES")}
    app.config["UPLOAD_DIR"] = str(directory)
    yield directory
    for key, value in saved.items():
        if value is KeyError:
            app.config.pop(key, None)
        else:
            app.config[key] = value
