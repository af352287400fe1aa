"""The isolation tests/conftest.py gives every test: one transaction, rolled back at the end, in
which the app's commits are savepoints (on SQLite too, where pysqlite needs an explicit BEGIN)."""
import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.core import uow
from app.extensions import db
from tests.conftest import login
from tests.factories import make_user


def users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_a_commit_in_a_test_is_seen_by_a_new_session_of_the_test():
    make_user(email="isolation@example.org")  # commits
    db.session.remove()
    assert users() == 1


def test_the_next_test_starts_on_empty_tables_with_ids_from_one():
    assert users() == 0
    assert make_user().id == 1


def test_a_failed_savepoint_undoes_its_step_only():
    make_user()
    with pytest.raises(RuntimeError), uow.savepoint():
        db.session.add(User(email="gone@example.org", name="Gone", municipality="Durango"))
        db.session.flush()
        raise RuntimeError("the step fails")
    assert users() == 1
    db.session.commit()
    assert users() == 1


def test_a_rollback_of_the_unit_undoes_what_was_not_committed():
    make_user()
    db.session.add(User(email="gone@example.org", name="Gone", municipality="Durango"))
    db.session.flush()
    assert users() == 2
    uow.rollback()
    assert users() == 1


def test_a_request_commits_into_the_test_transaction(client):
    user = make_user()
    user_id = user.id
    login(client, user.email)
    db.session.remove()
    assert db.session.scalar(sa.select(User.last_login_at).where(User.id == user_id)) is not None


@pytest.mark.real_commits
def test_with_real_commits_another_connection_sees_the_rows():
    make_user()
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_without_real_commits_another_connection_sees_nothing_of_the_test():
    make_user()
    # SQLite in WAL mode: a reader does not wait for the writer; it sees the last commit.
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(User)) == 0
