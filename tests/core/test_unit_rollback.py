"""A refused action's rollback (app/core/uow.py `rollback`): it undoes what the unit changed, leaves
alone a unit that changed nothing, and always rolls back a transaction that can no longer be used."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.accounts.models import Role
from app.core import uow
from app.extensions import db
from tests.conftest import login_as
from tests.factories import make_plan, make_user
from tests.querycount import count_queries


def test_a_refusal_before_any_write_does_not_read_the_signed_in_person_again(client):
    make_plan()
    citizen = make_user(Role.citizen)
    login_as(client, citizen)
    client.get("/")  # the first signed-in page (touches the session's last-seen time)

    with count_queries() as statements:
        answer = client.get("/admin/users")

    assert answer.status_code == 403
    reloads = [s for s in statements if "FROM users" in s and "WHERE users.id =" in s]
    assert reloads == [], "the error page read the signed-in person again after a rollback"


def test_changes_made_before_a_refusal_are_undone():
    user = make_user(Role.citizen)
    name = user.name
    user.name = "Cambiado por un servicio rechazado"

    uow.rollback()

    assert user.name == name
    assert not uow.wrote()


def test_flushed_changes_before_a_refusal_are_undone():
    user = make_user(Role.citizen)
    name = user.name
    user.name = "Escrito y luego rechazado"
    db.session.flush()

    uow.rollback()

    assert db.session.scalar(sa.select(type(user).name).where(type(user).id == user.id)) == name


def test_a_failed_statement_is_rolled_back_though_nothing_was_written():
    """On PostgreSQL a failed statement aborts the transaction: every later statement would fail
    until it is rolled back. (SQLite keeps its transaction usable; the same steps hold there.)"""
    make_plan()
    with pytest.raises(DBAPIError):
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    uow.rollback()

    assert db.session.scalar(sa.text("SELECT 1")) == 1
