"""Column types and helpers shared by the models, and the engine's listeners."""
import functools
import re
from datetime import UTC, date, datetime

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, mapped_column
from sqlalchemy.types import TypeDecorator

from app.core import clock


def utcnow() -> datetime:
    """The application's clock (app/core/clock.py), which tests and the demo can replace."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite stores it naive, in UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls, length: int = 32, *, constraint_name: str | None = None, **kwargs):
    """Enums stored as plain strings with a CHECK constraint; identical on SQLite and PostgreSQL."""
    return mapped_column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            length=length,
            create_constraint=True,
            # Two columns of one enum in a table need distinct CHECK constraint names.
            name=constraint_name or enum_cls.__name__.lower(),
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        **kwargs,
    )


def as_utc(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on, WAL for concurrent readers, and a busy timeout for writers."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_a_transaction(connection, name):
    """pysqlite opens a transaction only before a data-changing statement, so a SAVEPOINT that
    comes first would open one of its own, and its RELEASE would commit the unit's work early.
    Open the transaction first; from then on pysqlite sees it and leaves it to the unit's commit."""
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        raw.execute("BEGIN")


def listen_once(name: str, listeners: dict) -> bool:
    """Register `listeners` ({Session event name: function}) on every Session, once per process
    whatever the number of apps built (tests build several); False when `name` already did.
    Thread-safe: called while apps are built, before any request is served."""
    flag = f"_cocrea_{name}_listeners"
    if getattr(Session, flag, False):
        return False
    for event_name, function in listeners.items():
        event.listen(Session, event_name, function)
    setattr(Session, flag, True)
    return True


# Reads end with COMMIT, so that psycopg keeps its prepared statements from request to request.
#
# psycopg prepares a statement on the server once a connection has run it `prepare_threshold`
# times (5), and PostgreSQL then runs it without planning it again. But psycopg forgets every
# prepared statement, and every count towards one, whenever it sends ROLLBACK (a rollback may have
# undone what they name), and every request ends its session with a rollback: no statement ever
# reached its fifth run, so each was planned again on every request (0.5 to 1 ms of the server's
# CPU for one of a page's statements at the benchmark's size, more than running it).
#
# A transaction that has sent only reads has nothing to undo, so ending it with COMMIT changes no
# data; psycopg then finds the connection idle and skips the ROLLBACK that SQLAlchemy asks for,
# keeping its statements. Whatever else a transaction sent (a write, DDL, a SAVEPOINT, a statement
# this cannot read) and a transaction in error still end with a real ROLLBACK. Every statement
# reaches the driver through the engine (app code holds no raw cursor), so the listener sees it.
# The state is the pooled connection's own `info`, used by one thread at a time.
_WROTE = "cocrea_transaction_wrote"
_CHANGES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|INTO|CREATE|DROP|ALTER|TRUNCATE|LOCK|CALL|DO)\b",
                      re.IGNORECASE)


@functools.lru_cache(maxsize=2048)  # statements are few and recur; lru_cache is thread-safe
def only_reads(statement: str) -> bool:
    """Whether `statement` can be told from its text to change nothing: a SELECT (a WITH, a
    parenthesised query) naming none of the words a change needs. SELECT … FOR UPDATE counts as
    a change, which costs no more than that transaction's kept statements."""
    head = statement.lstrip("( \n\t")[:6].upper()
    return head.startswith(("SELECT", "WITH")) and not _CHANGES.search(statement)


@event.listens_for(Engine, "before_cursor_execute")
def _note_change(connection, cursor, statement, parameters, context, executemany) -> None:
    if not only_reads(statement):
        connection.info[_WROTE] = True


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "commit")
def _transaction_fresh(connection) -> None:
    if not connection.invalidated:  # a dead connection has no `info` (and no transaction left)
        connection.info.pop(_WROTE, None)


@event.listens_for(Engine, "rollback")
def _commit_reads(connection) -> None:
    """Before SQLAlchemy's rollback of a psycopg transaction that only read: COMMIT it instead."""
    if connection.invalidated or connection.dialect.driver != "psycopg":
        return  # a lost connection: SQLAlchemy's rollback deals with it, as before
    if connection.info.pop(_WROTE, False):
        return
    try:
        raw = connection.connection.dbapi_connection
        if raw is not None and raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            raw.commit()
    except Exception:  # noqa: BLE001 - a lost connection: the rollback that follows reports it
        return
