"""One unit of work per request or command: services change and flush; this module commits.

- A web request: when the view (or the error handler) has produced a response, `after_request`
  commits the session once, if anything was written in it (a flush or a data-changing statement)
  or bookkeeping asked for it (a session's last-seen time). A refused action left nothing to
  commit: the form runner (app/core/views.py) and the error handlers (app/core/errors.py) roll
  back what the refused service had changed. Mail queued in the outbox in the same transaction
  goes to the sender after the commit (app/__init__.py, or the mail timer in production).
- A command or a job: `with unit_of_work(): ...` commits at the end, or rolls back on error.

Services never commit or roll back themselves. Where a write may lose a race (one support per
person, one registration per table), the service uses a statement that cannot fail on it —
`insert_ignoring_conflict` (INSERT … ON CONFLICT DO NOTHING) or a conditional UPDATE — and looks
at the row count; or it makes the step a `savepoint()`, whose failure undoes that step only.
Never a rollback of the whole unit from inside a service.
"""
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite

from app.core.db import listen_once
from app.extensions import db

# Keys in Session.info (the session of one request or command).
WROTE = "cocrea_wrote"
BOOKKEEPING = "cocrea_bookkeeping"


# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_ON_CHANGE: list = []


def on_data_changed(callback):
    """Register a callback run on every flush, write statement and rollback: something computed from
    the data before it (the request's permission decisions) is stale."""
    if callback not in _ON_CHANGE:
        _ON_CHANGE.append(callback)
    return callback


def _changed() -> None:
    for callback in _ON_CHANGE:
        callback()


# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_ON_WRITE: list = []


def on_writes(callback):
    """Register a callback run on every flush, write statement, writing commit and undoing of
    written changes (a read-only request's end runs none): values computed from the data before
    it, and kept beyond the request (app/core/facts.py), are stale."""
    if callback not in _ON_WRITE:
        _ON_WRITE.append(callback)
    return callback


def _wrote() -> None:
    for callback in _ON_WRITE:
        callback()


def _mark_flush(session, *args) -> None:
    session.info[WROTE] = True
    _changed()
    _wrote()


def _mark_statement(orm_execute_state) -> None:
    statement = orm_execute_state.statement
    if orm_execute_state.is_select or (
        isinstance(statement, sa.TextClause) and statement.text.lstrip()[:6].upper() == "SELECT"
    ):
        return
    orm_execute_state.session.info[WROTE] = True
    _changed()
    _wrote()


def _forget_on_rollback(session, previous_transaction) -> None:
    # Only the whole unit's rollback undoes its writes; a nested one leaves the outer writes.
    _changed()
    if session.info.get(WROTE):
        _wrote()
    if previous_transaction.parent is None:
        session.info.pop(WROTE, None)
        session.info.pop(BOOKKEEPING, None)


# Thread-safe: filled only while apps are created (before the first request); read-only after.
_AFTER_WRITING_COMMIT: list = []


def after_writing_commit(callback):
    """Register a callback run after each commit of a unit that wrote (the page cache's bump)."""
    if callback not in _AFTER_WRITING_COMMIT:
        _AFTER_WRITING_COMMIT.append(callback)
    return callback


def _committed(session) -> None:
    # A savepoint's release fires this event too: only the unit's own commit counts. What was
    # computed from the data before a writing commit is stale in every thread.
    if session.in_nested_transaction():
        return
    if session.info.pop(WROTE, False):
        _wrote()
        for callback in _AFTER_WRITING_COMMIT:
            callback(session)


def listen_for_writes() -> None:
    """Once per process (tests build several apps): mark every session that wrote something."""
    listen_once("uow", {"after_flush": _mark_flush, "do_orm_execute": _mark_statement,
                        "after_soft_rollback": _forget_on_rollback, "after_commit": _committed})


def wrote(session=None) -> bool:
    """Whether the unit has data changes of its own (not bookkeeping alone)."""
    session = session or db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get(WROTE))


def note_bookkeeping() -> None:
    """Ask for a commit of changes that are not the plan's data (the page cache ignores them)."""
    db.session.info[BOOKKEEPING] = True


def commit() -> None:
    """Commit the unit if it holds anything to commit; the only commit of a request or command."""
    session = db.session()
    if wrote(session) or session.info.get(BOOKKEEPING):
        session.commit()
    session.info.pop(BOOKKEEPING, None)


def rollback() -> None:
    """Undo the unit's changes (a refused action); its objects are read again when next used.

    A unit that has changed nothing (most refusals: the permission or the state said no before
    any write) has nothing to undo, and is left as it is: a rollback would expire every object it
    loaded, and the page that says why (the header's signed-in person, the plan) would read them
    all again. Unless its transaction can no longer be used: a failed flush, or on PostgreSQL a
    failed statement, which aborts the transaction until it is rolled back."""
    session = db.session()
    if not wrote(session) and _usable(session):
        return
    session.rollback()


def _usable(session) -> bool:
    if not session.in_transaction():
        return True
    if not session.get_transaction().is_active:
        return False  # a flush failed: SQLAlchemy asks for a rollback
    dbapi = session.connection().connection.dbapi_connection
    info = getattr(dbapi, "info", None)  # psycopg's; sqlite3 has no aborted state
    status = getattr(info, "transaction_status", None)
    return status is None or status.name != "INERROR"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """For commands and jobs: commit once at the end; roll back if the block raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


@contextmanager
def savepoint() -> Iterator[None]:
    """A step of the unit that can fail alone: an exception rolls back to here and propagates.

    SQLite needs app/core/db.py's SAVEPOINT listener for this to keep the unit whole."""
    with db.session.begin_nested():
        yield


def insert_ignoring_conflict(model, **values) -> bool:
    """INSERT the row unless it conflicts with a unique constraint; whether it was inserted.

    For writes that race by nature (a double click, two tabs): one statement, no exception, and
    nothing else in the unit of work is lost when the row was already there."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = sa.inspect(model).local_table
    # RETURNING tells inserted from skipped on both databases (a rowcount may read -1 when the
    # session adds RETURNING itself).
    statement = (insert(table).values(**values).on_conflict_do_nothing()
                 .returning(*table.primary_key.columns))
    return db.session.execute(statement).first() is not None


def register_unit_of_work(app: Flask) -> None:
    listen_for_writes()

    @app.after_request
    def _commit_the_request(response):
        commit()
        return response
