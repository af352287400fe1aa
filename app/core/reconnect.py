"""Requests whose database connection is lost: a read is retried once, anything else gets a 503.

When PostgreSQL restarts or fails over, every connection in the pool dies at once. A connection
that has lain idle in the pool for PING_AFTER_IDLE seconds is pinged when checked out and replaced
if dead (`_ping_if_idle`, SQLAlchemy's pessimistic disconnect handling by a checkout event); one in
steady use is not (pool_pre_ping's round trip on every request is what that saves), so a request
may get, or already hold, a dead connection and fail at its next statement. SQLAlchemy then marks
every pooled connection older than the failure for replacement. For such a request, before any
response is sent:

- a read (GET, HEAD) that has not tried to commit is dispatched again, once, on a new connection,
  with `g` as it was before the first attempt; the person sees nothing but a slower page;
- anything else (a write, a read that tried to commit, a retry that lost its connection too) is
  answered 503 with a page asking to try again in a moment, in the person's language. A write is
  never repeated: its first attempt may have been committed just before the connection went.

Only a lost connection is treated so (`connection_lost`); any other error is still a 500. Each
affected request is reported to the app's database alarm (app/core/alarms.py), not as a traceback.
"""
import time

import psycopg
from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from app.core.alarms import DependencyAlarm
from app.core.errors import render_error
from app.extensions import db

READS = frozenset({"GET", "HEAD"})
# admin_shutdown (pg_terminate_backend, a fast shutdown, a failover), crash_shutdown, and
# cannot_connect_now (the server is starting or stopping).
LOST_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
# psycopg's own words for a connection that is gone or cannot be had (they carry no SQLSTATE).
LOST_MESSAGES = ("server closed the connection", "the connection is closed", "the connection is lost",
                 "connection failed:")
TRIED_TO_COMMIT = "cocrea_tried_to_commit"
# When even the page that says so cannot be rendered (it needs the database for the menu).
PLAIN_TRY_AGAIN = ("El servicio no está disponible por el momento. Inténtalo de nuevo en un momento.\n"
                   "The service is temporarily unavailable. Please try again in a moment.\n")


def connection_lost(exc: BaseException) -> bool:
    """Whether `exc` says the database connection is gone (or cannot be had): an outage, not a bug."""
    for _depth in range(5):  # the exception, the driver's error it wraps, and their causes
        if isinstance(exc, DBAPIError):
            if exc.connection_invalidated:  # SQLAlchemy's own disconnect detection
                return True
            exc = exc.orig
            continue
        if isinstance(exc, psycopg.OperationalError):
            if exc.sqlstate in LOST_SQLSTATES:
                return True
            if exc.sqlstate is None and any(words in str(exc) for words in LOST_MESSAGES):
                return True
        exc = exc.__cause__
        if exc is None:
            return False
    return False


def should_retry(method: str, exc: BaseException, attempt: int, tried_to_commit: bool) -> bool:
    """Whether a request that raised `exc` on its `attempt`-th dispatch is dispatched again."""
    return attempt == 1 and method in READS and not tried_to_commit and connection_lost(exc)


class Cocrea(Flask):
    """Flask, with the handling of lost database connections described above in one place."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A failover drops every connection at once: five quiet seconds make it one episode.
        self.database_alarm = DependencyAlarm(
            "database", "reads are retried once on a new connection, other requests get a "
            "'try again' page (503)", settle=5.0)

    def full_dispatch_request(self) -> Response:
        g.pop(TRIED_TO_COMMIT, None)
        before = dict(vars(g._get_current_object()))
        attempt = 1
        while True:
            try:
                return super().full_dispatch_request()
            except Exception as exc:
                if not connection_lost(exc):
                    raise
                if attempt == 1:
                    self.database_alarm.failed(exc)
                tried_to_commit = bool(g.get(TRIED_TO_COMMIT))
                _release_lost_connection(exc)
                if not should_retry(request.method, exc, attempt, tried_to_commit):
                    return self.finalize_request(_try_again_page(), from_error_handler=True)
            state = vars(g._get_current_object())
            state.clear()
            state.update(before)
            attempt += 1

    def do_teardown_appcontext(self, *args) -> None:
        # The connection may die after the page's last statement: Flask-SQLAlchemy's own teardown
        # would then fail to roll it back and turn a finished page into a 500 from the server.
        try:
            db.session.remove()
        except Exception as error:
            if not connection_lost(error):
                raise
            self.database_alarm.failed(error)
            db.session.remove()  # SQLAlchemy invalidated the dead connection: nothing to roll back now
        super().do_teardown_appcontext(*args)


def _release_lost_connection(exc: BaseException) -> None:
    """Give the dead connection back, so that the next statement runs on a new one."""
    try:
        db.session.rollback()
    except Exception:  # the session cannot even roll back: start a new one
        db.session.remove()
    if not (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        # SQLAlchemy did not see a disconnect, so it left the pool as it was: its other
        # connections are as dead as this one (pinging would find them only once idle).
        db.engine.dispose(close=False)
    # Otherwise SQLAlchemy has already marked every pooled connection older than the failure
    # for replacement at its next checkout.


def _try_again_page():
    try:
        if request.method in READS:
            message = _("We lost the connection to the database. Please try again in a moment.")
        else:
            message = _("We lost the connection to the database, so what you sent may not have been "
                        "saved. Please check, and try again in a moment.")
        return render_error(503, message)
    except Exception as exc:  # the page's menu needs the database too (the signed-in user)
        if not connection_lost(exc):
            raise
        _release_lost_connection(exc)
        return Response(PLAIN_TRY_AGAIN, 503, mimetype="text/plain")


@event.listens_for(Session, "before_commit")
def _note_commit(session) -> None:
    # A read that tried to commit wrote something, or meant to: it is not run a second time.
    if has_request_context():
        setattr(g, TRIED_TO_COMMIT, True)


PING_AFTER_IDLE = 10.0  # seconds in the pool after which a connection is pinged at checkout
IDLE_SINCE = "cocrea_idle_since"  # in the connection record's info (per connection: thread-safe)


@event.listens_for(Pool, "checkin")
def _note_idle(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        connection_record.info[IDLE_SINCE] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    # Raising DisconnectionError makes the pool replace this connection and check out again
    # (SQLAlchemy's documented checkout-event form of pessimistic disconnect handling).
    since = connection_record.info.get(IDLE_SINCE)
    if since is None or time.monotonic() - since < PING_AFTER_IDLE:
        return  # new, or in steady use
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as exc:
        raise DisconnectionError(f"idle connection found dead at checkout: {exc}") from exc


@event.listens_for(Pool, "checkout")
def _database_answers(dbapi_connection, connection_record, connection_proxy) -> None:
    # A checkout follows a successful ping, a connection in steady use, or a new connection.
    if has_app_context():
        alarm = getattr(current_app._get_current_object(), "database_alarm", None)
        if alarm is not None:
            alarm.recovered()
