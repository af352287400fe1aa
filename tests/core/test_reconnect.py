"""A lost database connection: a read is dispatched again once, a write gets a 'try again' 503,
and any other error is still a 500. (The same with real terminated connections on PostgreSQL:
tests/ops/test_database_drops.py.)"""
import logging
import sqlite3

import psycopg
import pytest
import sqlalchemy.exc
from flask import g

from app import create_app
from app.core.alarms import DependencyAlarm
from app.core.reconnect import connection_lost, should_retry
from app.extensions import db
from tests.conftest import IsolatedClient
from tests.conftest import test_config as base_config

ADMIN_SHUTDOWN = psycopg.errors.AdminShutdown("terminating connection due to administrator command")


def invalidated() -> sqlalchemy.exc.OperationalError:
    """What SQLAlchemy raises when it sees the connection die under a statement."""
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, ADMIN_SHUTDOWN, connection_invalidated=True)


LOST = [
    pytest.param(invalidated(), id="sqlalchemy-invalidated"),
    pytest.param(sqlalchemy.exc.OperationalError("SELECT 1", {}, ADMIN_SHUTDOWN), id="wrapped-admin-shutdown"),
    pytest.param(ADMIN_SHUTDOWN, id="admin-shutdown"),
    pytest.param(psycopg.errors.CrashShutdown("terminating connection because of crash of another "
                                              "server process"), id="crash-shutdown"),
    pytest.param(psycopg.errors.CannotConnectNow("the database system is shutting down"), id="shutting-down"),
    pytest.param(psycopg.OperationalError("consuming input failed: server closed the connection "
                                          "unexpectedly"), id="server-closed"),
    pytest.param(psycopg.OperationalError("the connection is closed"), id="closed"),
    pytest.param(psycopg.OperationalError('connection failed: connection to server at "10.0.0.5", port '
                                          '5432 failed: Connection refused'), id="refused"),
]
NOT_LOST = [
    pytest.param(RuntimeError("a bug"), id="bug"),
    pytest.param(sqlalchemy.exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")),
                 id="integrity"),
    pytest.param(sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.errors.QueryCanceled(
        "canceling statement due to statement timeout")), id="statement-timeout"),
    pytest.param(sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.errors.DeadlockDetected(
        "deadlock detected")), id="deadlock"),
    pytest.param(sqlalchemy.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")),
                 id="sqlite-locked"),
    pytest.param(sqlalchemy.exc.ProgrammingError("SELECT nope", {}, psycopg.errors.UndefinedColumn("nope")),
                 id="bad-sql"),
]


@pytest.mark.parametrize("exc", LOST)
def test_a_lost_connection_is_recognised(exc):
    assert connection_lost(exc)


@pytest.mark.parametrize("exc", NOT_LOST)
def test_other_errors_are_not_taken_for_a_lost_connection(exc):
    assert not connection_lost(exc)


def test_a_lost_connection_raised_from_another_error_is_recognised():
    try:
        try:
            raise ADMIN_SHUTDOWN
        except psycopg.Error as driver_error:
            raise RuntimeError("while loading the page") from driver_error
    except RuntimeError as exc:
        assert connection_lost(exc)


@pytest.mark.parametrize(("method", "attempt", "tried_to_commit", "exc", "retried"), [
    ("GET", 1, False, invalidated(), True),
    ("HEAD", 1, False, invalidated(), True),
    ("GET", 2, False, invalidated(), False),  # once only
    ("GET", 1, True, invalidated(), False),  # a read that tried to commit may have written
    ("POST", 1, False, invalidated(), False),
    ("PUT", 1, False, invalidated(), False),
    ("PATCH", 1, False, invalidated(), False),
    ("DELETE", 1, False, invalidated(), False),
    ("GET", 1, False, RuntimeError("a bug"), False),
    ("GET", 1, False, sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate")), False),
])
def test_the_retry_decision(method, attempt, tried_to_commit, exc, retried):
    assert should_retry(method, exc, attempt, tried_to_commit) is retried


# ------------------------------------------------------------------------- through the app


@pytest.fixture(scope="module")
def flaky_app(database_url, tmp_path_factory):
    """An app with views that lose their connection on demand (the shared app has served requests
    already, so routes cannot be added to it)."""
    app = create_app({**base_config(database_url, tmp_path_factory.mktemp("reconnect")),
                      "TESTING": False, "WTF_CSRF_ENABLED": False})
    app.test_client_class = IsolatedClient
    app.calls = []

    def lose_first(kind: str, exc: BaseException):
        app.calls.append((kind, g.get("request_id"), "leftover" in g))
        g.leftover = True
        if len(app.calls) == 1:
            raise exc
        return {"attempts": len(app.calls), "request_id": g.request_id, "leftover": app.calls[-1][2]}

    @app.get("/_reconnect/read")
    def _read():
        return lose_first("read", invalidated())

    @app.get("/_reconnect/read-raw")
    def _read_raw():
        return lose_first("read", psycopg.OperationalError("consuming input failed: server closed the "
                                                           "connection unexpectedly"))

    @app.route("/_reconnect/always", methods=["GET", "HEAD"])
    def _always():
        app.calls.append(("always", None, None))
        raise invalidated()

    @app.post("/_reconnect/write")
    def _write():
        app.calls.append(("write", None, None))
        raise invalidated()

    @app.get("/_reconnect/commit-then-lose")
    def _commit_then_lose():
        app.calls.append(("commit", None, None))
        db.session.commit()
        raise invalidated()

    @app.get("/_reconnect/bug")
    def _bug():
        app.calls.append(("bug", None, None))
        raise RuntimeError("an ordinary bug")

    @app.get("/_reconnect/integrity")
    def _integrity():
        app.calls.append(("integrity", None, None))
        raise sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    yield app
    create_app(base_config(database_url, tmp_path_factory.mktemp("reconnect-after")))  # the suite's logging


@pytest.fixture
def flaky(flaky_app, monkeypatch):
    flaky_app.calls.clear()
    monkeypatch.setattr(flaky_app, "database_alarm", DependencyAlarm(
        "database", flaky_app.database_alarm.effect, settle=flaky_app.database_alarm.settle))
    return flaky_app


def alarm_lines(records) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in records if r.name == "app.core.alarms"]


def test_a_read_that_lost_its_connection_is_served_by_a_second_dispatch(flaky, log_records):
    response = flaky.test_client().get("/_reconnect/read")

    assert response.status_code == 200
    # Dispatched twice, with `g` as it was before the first attempt, under the same request id.
    request_id = response.headers["X-Request-ID"]
    assert response.get_json() == {"attempts": 2, "request_id": request_id, "leftover": False}
    assert [call[1] for call in flaky.calls] == [request_id, request_id]
    assert alarm_lines(log_records) == [(
        "ERROR", "database unavailable (reads are retried once on a new connection, other requests get a "
                 "'try again' page (503)): AdminShutdown: terminating connection due to administrator command")]
    assert not [r for r in log_records if r.exc_info]
    access = [r for r in log_records if r.name == "cocrea.access"]
    assert [(r.getMessage(), r.request_id) for r in access] == [("GET /_reconnect/read 200", request_id)]


def test_a_loss_sqlalchemy_did_not_see_also_renews_the_pool(flaky, monkeypatch):
    disposed = []
    with flaky.app_context():
        monkeypatch.setattr(db.engine, "dispose", lambda close=True: disposed.append(close))

    assert flaky.test_client().get("/_reconnect/read-raw").status_code == 200
    assert disposed == [False]  # the old pool's connections in use elsewhere are left to finish


def test_a_read_that_loses_its_connection_twice_gets_the_try_again_page(flaky):
    response = flaky.test_client().get("/_reconnect/always")

    assert response.status_code == 503
    assert len(flaky.calls) == 2
    html = response.get_data(as_text=True)
    assert "Se perdió la conexión con la base de datos. Inténtalo de nuevo en un momento." in html


def test_a_head_request_is_a_read(flaky):
    assert flaky.test_client().head("/_reconnect/always").status_code == 503
    assert len(flaky.calls) == 2


@pytest.mark.parametrize(("query", "message"), [
    ("", "Se perdió la conexión con la base de datos, así que lo que enviaste puede no haberse guardado. "
         "Revísalo e inténtalo de nuevo en un momento."),
    ("?lang=en", "We lost the connection to the database, so what you sent may not have been saved. "
                 "Please check, and try again in a moment."),
])
def test_a_write_that_lost_its_connection_is_not_repeated_and_says_try_again(flaky, log_records, query, message):
    response = flaky.test_client().post(f"/_reconnect/write{query}")

    assert response.status_code == 503
    assert flaky.calls == [("write", None, None)]
    assert message in response.get_data(as_text=True)
    assert not [r for r in log_records if r.name == "app" and r.levelno >= logging.ERROR]  # no "Exception on"


def test_a_read_that_tried_to_commit_is_not_repeated(flaky):
    assert flaky.test_client().get("/_reconnect/commit-then-lose").status_code == 503
    assert len(flaky.calls) == 1


def test_programs_get_the_try_again_answer_as_problem_json(flaky):
    response = flaky.test_client().post("/_reconnect/write", headers={"Accept": "application/json"})

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("Se perdió la conexión con la base de datos")


def test_when_even_the_try_again_page_cannot_be_rendered_a_plain_one_is_sent(flaky, monkeypatch):
    def database_still_gone(*args, **kwargs):
        raise invalidated()

    monkeypatch.setattr("app.core.reconnect.render_error", database_still_gone)

    response = flaky.test_client().post("/_reconnect/write")

    assert response.status_code == 503
    assert response.mimetype == "text/plain"
    assert "Inténtalo de nuevo" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/_reconnect/bug", "/_reconnect/integrity"])
def test_any_other_error_is_still_a_500_and_not_retried(flaky, log_records, path):
    response = flaky.test_client().get(path)

    assert response.status_code == 500
    assert len(flaky.calls) == 1
    assert alarm_lines(log_records) == []
    assert [r.getMessage() for r in log_records if r.name == "app" and r.exc_info] == [
        f"Exception on {path} [GET]"]


def _pool_engine(tmp_path):
    from sqlalchemy.pool import QueuePool

    return sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}", poolclass=QueuePool, pool_size=1)


def _kill_pooled_connection(engine):
    """Close the pool's one connection underneath SQLAlchemy (as a server restart would)."""
    with engine.connect() as connection:
        dbapi = connection.connection.dbapi_connection
    dbapi.close()
    return dbapi


def test_an_idle_connection_found_dead_at_checkout_is_replaced(tmp_path, monkeypatch):
    from app.core import reconnect

    engine = _pool_engine(tmp_path)
    dead = _kill_pooled_connection(engine)
    monkeypatch.setattr(reconnect.time, "monotonic", lambda: 10_000_000.0)  # long idle
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.text("SELECT 2")).scalar() == 2
        assert connection.connection.dbapi_connection is not dead
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(tmp_path):
    """No round trip before each request: a connection that died while in steady use fails its
    first statement (which the request's retry, above, then handles)."""
    engine = _pool_engine(tmp_path)
    dead = _kill_pooled_connection(engine)
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is dead
        with pytest.raises(sqlalchemy.exc.SQLAlchemyError):
            connection.execute(sqlalchemy.text("SELECT 2"))
    engine.dispose()
