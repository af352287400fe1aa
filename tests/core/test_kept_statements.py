"""A transaction that only read ends with COMMIT, so psycopg keeps its prepared statements from
one request to the next (app/core/db.py); one that wrote, or failed, is still really rolled back."""
import pytest
import sqlalchemy as sa

from app.core.db import only_reads
from app.extensions import db
from app.proposals.models import Proposal


@pytest.mark.parametrize(("statement", "reads"), [
    ("SELECT proposals.id FROM proposals WHERE proposals.id = %(id)s", True),
    ("  \n(SELECT 1) UNION (SELECT 2)", True),
    ("WITH recent AS (SELECT id FROM proposals) SELECT count(*) FROM recent", True),
    ("select 1", True),
    ("SELECT proposals.id FROM proposals FOR UPDATE", False),
    ("SELECT id INTO copied FROM proposals", False),
    ("WITH gone AS (DELETE FROM proposals RETURNING id) SELECT count(*) FROM gone", False),
    ("INSERT INTO proposals (id) VALUES (1)", False),
    ("UPDATE proposals SET title = 'x'", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("SET LOCAL statement_timeout = 1000", False),
    ("ALTER SEQUENCE proposals_id_seq RESTART", False),
    ("", False),
])
def test_a_statement_counts_as_a_read_only_when_its_text_says_so(statement, reads):
    assert only_reads(statement) is reads


def _prepared(connection) -> int:
    return connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


def test_a_read_only_transaction_keeps_the_drivers_prepared_statements():
    """Each request ends its transaction with a rollback; were it a real ROLLBACK, psycopg would
    forget its prepared statements (and the counts towards one) every time, and PostgreSQL would
    plan every statement of every page again."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: psycopg's prepared statements (runs in the PostgreSQL half)")
    with db.engine.connect() as connection:
        for number in range(1, 8):  # prepared at its fifth run
            connection.execute(sa.select(Proposal.id).where(Proposal.id == number)).all()
            connection.rollback()
        assert _prepared(connection) >= 1
        connection.rollback()
        # One that wrote is rolled back for real, and psycopg starts counting again.
        connection.exec_driver_sql("CREATE TEMPORARY TABLE kept_check (n integer)")
        connection.rollback()
        assert _prepared(connection) == 0


def test_the_suite_keeps_prepared_statements_through_its_rollbacks():
    """The suite's own rollbacks (a test's end, the savepoints that stand for a request's
    transaction) keep psycopg's prepared statements (tests/conftest.py
    `_keep_prepared_statements_through_rollbacks`). If this fails, psycopg changed how it forgets
    them: the suite still runs, with PostgreSQL planning every statement anew in every test."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: psycopg's prepared statements (runs in the PostgreSQL half)")
    with db.engine.connect() as connection:
        for number in range(1, 8):
            connection.execute(sa.select(Proposal.id).where(Proposal.id == number)).all()
        assert _prepared(connection) >= 1
        connection.exec_driver_sql("SAVEPOINT kept_check")
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT kept_check")
        assert _prepared(connection) >= 1
        connection.connection.dbapi_connection.execute("ROLLBACK", prepare=False)
        assert _prepared(connection) >= 1
        connection.rollback()


def test_what_a_transaction_wrote_is_still_rolled_back():
    with db.engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMPORARY TABLE kept_writes (n integer)")
        connection.commit()
        try:
            connection.exec_driver_sql("INSERT INTO kept_writes (n) VALUES (1)")
            connection.rollback()
            assert connection.exec_driver_sql("SELECT count(*) FROM kept_writes").scalar() == 0
            # Written first, read after: the write decides.
            connection.exec_driver_sql("INSERT INTO kept_writes (n) VALUES (2)")
            connection.exec_driver_sql("SELECT count(*) FROM kept_writes").scalar()
            connection.rollback()
            # A read, then a write in a later transaction: the flag of the first does not carry.
            connection.exec_driver_sql("SELECT count(*) FROM kept_writes").scalar()
            connection.rollback()
            connection.exec_driver_sql("INSERT INTO kept_writes (n) VALUES (3)")
            connection.rollback()
            assert connection.exec_driver_sql("SELECT count(*) FROM kept_writes").scalar() == 0
        finally:
            connection.rollback()
            connection.exec_driver_sql("DROP TABLE kept_writes")
            connection.commit()


def test_a_failed_transaction_is_rolled_back_and_the_connection_goes_on():
    with db.engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError):
            connection.exec_driver_sql("SELECT * FROM no_such_table_here")
        connection.rollback()
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_read_only_transaction_whose_connection_died_is_given_up_as_before():
    """The COMMIT fails on a dead connection; SQLAlchemy's rollback then finds it gone, marks it
    invalid, and the connection's next statement runs on a new one (app/core/reconnect.py)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a backend terminated under its connection (runs in the PostgreSQL half)")
    with db.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.engine.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)}, 5000)")
            admin.commit()
        try:
            connection.rollback()
        except sa.exc.DBAPIError as error:
            assert error.connection_invalidated
        assert connection.invalidated
        connection.rollback()
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
