"""The migration that gives each election its call fills existing rows with the call that was
their committee's latest when they were created, on SQLite and PostgreSQL, and loses no row that
points at an election or a call (a table rebuilt on SQLite would delete them by cascade)."""
from datetime import timedelta

import flask_migrate
import sqlalchemy as sa

from app import create_app
from app.core.db import utcnow
from app.elections.models import Election
from app.extensions import db
from tests.calls.factories import make_call
from tests.conftest import test_config as base_config
from tests.elections.factories import approve, make_candidate, make_election
from tests.factories import make_committee, make_organisation, make_plan
from tests.test_migrations import empty_database, keep_logging  # noqa: F401 (fixtures)

REVISION = "c5e1a7d3b902"


def test_existing_elections_get_the_committees_latest_call_before_they_were_created(
        empty_database, tmp_path, keep_logging):  # noqa: F811
    migrated = create_app(base_config(empty_database, tmp_path))
    now = utcnow()
    with migrated.app_context():
        try:
            flask_migrate.upgrade()
            plan = make_plan()
            cycled, late, never = (make_committee(plan) for _ in range(3))
            first = make_call(plan, [cycled], opens_at=now - timedelta(days=400),
                              closes_at=now - timedelta(days=390),
                              published_at=now - timedelta(days=401))
            second = make_call(plan, [cycled, late], opens_at=now - timedelta(days=100),
                               closes_at=now - timedelta(days=90),
                               published_at=now - timedelta(days=101))
            voter = make_organisation()
            approve(first, cycled, voter)
            children = {"call_committees": 3, "call_applications": 1, "election_candidates": 1}
            expected = {
                make_election(cycled, created_at=now - timedelta(days=200)).id: first.id,
                make_election(cycled, created_at=now - timedelta(days=50)).id: second.id,
                # A draft older than every call of its committee: the earliest call.
                make_election(late, created_at=now - timedelta(days=300)).id: second.id,
                make_election(never, created_at=now - timedelta(days=10)).id: None,
            }
            make_candidate(db.session.get(Election, min(expected)), voter)
            db.session.remove()  # no open transaction may hold the table the migration alters
            flask_migrate.downgrade(revision=REVISION)
            flask_migrate.downgrade(revision="-1")
            with db.engine.connect() as conn:
                if conn.dialect.name == "sqlite":  # the column stays, emptied (see the migration)
                    assert conn.execute(sa.text(
                        "SELECT count(*) FROM elections WHERE call_id IS NOT NULL")).scalar() == 0
                else:
                    columns = {c["name"] for c in sa.inspect(conn).get_columns("elections")}
                    assert "call_id" not in columns
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                found = dict(conn.execute(sa.text("SELECT id, call_id FROM elections")).all())
                kept = {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                        for table in children}
        finally:
            db.session.remove()
            db.engine.dispose()
    assert found == expected
    assert kept == children
