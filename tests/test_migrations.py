"""Upgrading an empty database to head gives exactly the models' schema, on SQLite and PostgreSQL."""
import logging
import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.extensions import db
from app.fulltext.models import include_object
from tests.conftest import create_pg_database, drop_pg_database
from tests.conftest import test_config as base_config


@pytest.fixture
def keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables every logger that exists."""
    loggers = [logging.getLogger(), *(
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    )]
    saved = [(logger, logger.disabled, logger.level, list(logger.handlers)) for logger in loggers]
    yield
    for logger, disabled, level, handlers in saved:
        logger.disabled, logger.level, logger.handlers[:] = disabled, level, handlers


@pytest.fixture
def empty_database(backend, tmp_path):
    """A brand-new database of the backend under test, nothing in it."""
    if backend == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        url = create_pg_database(base)
        yield url
        drop_pg_database(base, url)
    else:
        yield "sqlite:///" + str(tmp_path / "migrated.sqlite3")


def describe(difference) -> str:
    """One line per autogenerate difference: ('add_table', Table) or a list of column changes."""
    if isinstance(difference, list):
        return "; ".join(describe(part) for part in difference)
    action, *rest = difference
    names = []
    for item in rest:
        name = getattr(item, "name", None)
        table = getattr(getattr(item, "table", None), "name", None)
        if name:
            names.append(f"{table}.{name}" if table and table != name else name)
        elif isinstance(item, str):
            names.append(item)
    return f"{action} {' '.join(names[:3])}"


def test_upgrade_to_head_gives_exactly_the_models_schema(empty_database, tmp_path, keep_logging):
    migrated = create_app(base_config(empty_database, tmp_path))

    with migrated.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                # The search index's FTS5 table (SQLite) and tsvector column (PostgreSQL) are
                # derived by the databases, outside the models (app/fulltext/models.py).
                # Server defaults too on PostgreSQL (SQLite's reflection gives them back in
                # another spelling): the operations tests' migrated demo database is the demo's
                # rows copied into a migrated schema (tests/ops/pg.py), so a default only the
                # migrations lack must fail here.
                context = MigrationContext.configure(conn, opts={
                    "include_object": include_object,
                    "compare_server_default": conn.dialect.name == "postgresql"})
                differences = compare_metadata(context, db.metadata)
                tables = set(db.inspect(conn).get_table_names())
        finally:
            db.session.remove()
            db.engine.dispose()

    assert differences == [], "models without a migration (flask db migrate):\n" + "\n".join(
        describe(difference) for difference in differences
    )
    assert {table.name for table in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
