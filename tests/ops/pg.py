"""Helpers for the operations tests that need a real PostgreSQL database of their own."""
import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[2]


def postgres_base_url() -> str:
    """TEST_DATABASE_URL of the PostgreSQL half of the suite; these tests only run there."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        # Not a missing service: the SQLite half of `make test` leaves these to the other half.
        pytest.skip("PostgreSQL only: runs in the PostgreSQL half of the suite (TEST_DATABASE_URL)")
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                             connect_timeout=3):
            pass
    except Exception as exc:  # any failure means the test cannot run here
        require_service(f"PostgreSQL at {url} is unreachable ({exc})")
    return url


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def logging_kept():
    """Alembic's env.py runs logging.config.fileConfig, which disables every existing logger
    and replaces the root handlers; later tests in this process must still see their logs."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    loggers = {name: logger.disabled for name, logger in logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, disabled in loggers.items():
            logging.getLogger(name).disabled = disabled


def migrated_app(database_url: str, instance: Path, **overrides):
    """An app on `database_url`, migrated to the latest schema (Alembic, as `flask db upgrade`)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from tests.conftest import test_config

    app = create_app({**test_config(database_url, instance), **overrides})
    with app.app_context(), logging_kept():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return app


def prepared_database(app, tmp_path_factory, uploads: Path) -> str:
    """A new database of its own, migrated to the latest schema, with the demo plan in it, and
    the demo's files in `uploads`. Built once per run into a template kept until the run ends
    (tests/conftest.py, pytest_sessionfinish); each database is a copy of it (CREATE DATABASE ...
    TEMPLATE).

    The template is an empty database upgraded by the migrations (so its schema, triggers,
    indexes and `alembic_version` are production's), into which the rows and sequence values of
    the suite's demo template (tests/conftest.py, `copy_of_the_demo`: the same `load_demo` on
    the models' schema) are copied, as the world templates' are (tests/worlds.py, _StoredRows):
    loading the demo a second time took 20-30 s (5 s of the process's CPU, the rest PostgreSQL's)
    where the copy takes about a second. Why the copy is the demo in a migrated database: the
    migrations give exactly the models' tables, columns, types, keys, indexes and server defaults
    (tests/test_migrations.py); the rows keep every value the load gave them (no default is
    filled in again); NOT NULL, CHECK and UNIQUE constraints are enforced on every copied row
    (only triggers and row-by-row foreign key checks are off, and the keys point where they did);
    the counting triggers' results are in the rows already. See tests/README.md."""
    import json

    from tests.conftest import (
        create_pg_database,
        database_name,
        drop_pg_database,
        run_lock,
        run_root,
    )

    base = postgres_base_url()
    root = run_root(tmp_path_factory)
    record = root / "migrated-demo-postgresql.json"
    with run_lock(root, "migrated-demo"):
        if record.exists():
            template = json.loads(record.read_text())
        else:
            url, files = create_pg_database(base), root / "migrated-demo-uploads"
            try:
                _migrate_and_copy_the_demo(app, tmp_path_factory, url, root, files)
            except BaseException:
                drop_pg_database(base, url)
                raise
            template = {"url": url, "files": str(files)}
            record.write_text(json.dumps(template))
        database = create_pg_database(base, template=database_name(template["url"]))
    shutil.copytree(template["files"], uploads, dirs_exist_ok=True)
    return database


def _migrate_and_copy_the_demo(app, tmp_path_factory, url: str, root: Path, files: Path) -> None:
    import sqlalchemy as sa

    from app.config import engine_options
    from tests.conftest import copy_of_the_demo, drop_pg_database
    from tests.worlds import _StoredRows

    base = postgres_base_url()
    migrated_app(url, root / "migrated-demo-instance", UPLOAD_DIR=str(files))
    demo = copy_of_the_demo(app, "postgresql", tmp_path_factory, files)
    source, target = (sa.create_engine(u, **engine_options(u)) for u in (demo, url))
    try:
        rows = _StoredRows(source)
        source.dispose()
        rows.insert_into(target)
    finally:
        source.dispose()
        target.dispose()  # a template is copied only without connections
        drop_pg_database(base, demo)
    files.mkdir(exist_ok=True)
