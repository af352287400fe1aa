"""Column types and helpers shared by the models."""
from datetime import UTC, date, datetime

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
