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


# --- Worlds built once per module (module_worlds, tests/worlds.py) --------------------------------


class Cast:
    def __init__(self):
        self.first = make_user(email="world-first@example.org", name="First")
        self.second = make_user(email="world-second@example.org", name="Second")
        self.both = [self.first, self.second]


@pytest.fixture(scope="module")
def cast(module_worlds):
    return module_worlds.share(Cast)


@pytest.fixture(scope="module")
def friends(module_worlds, cast):
    """A second world, built on the first: a dict whose rows are re-read as well."""
    from tests.factories import make_admin

    return module_worlds.share(lambda: {"admin": make_admin(), "of": cast.first, "label": "x"})


def _the_world_as_built(cast, friends):
    db.session.expire_all()
    assert users() == 3
    assert [(u.id, u.email, u.name, u.last_login_at) for u in cast.both] == [
        (1, "world-first@example.org", "First", None),
        (2, "world-second@example.org", "Second", None)]
    assert cast.both == [cast.first, cast.second]
    assert all(user in db.session for user in (cast.first, cast.second, friends["admin"]))
    assert friends["of"] is cast.first and friends["admin"].id == 3 and friends["label"] == "x"
    # Uncommitted: no other connection (another module, another worker) ever sees the world.
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_test_on_a_world_writes_changes_and_deletes_its_rows(cast, friends, client):
    _the_world_as_built(cast, friends)
    cast.first.name = "Changed"
    db.session.delete(cast.second)
    assert make_user(email="extra@example.org").id == 4
    login(client, cast.first.email)  # a request, which commits
    cast.both.append("litter")
    friends["label"] = "changed"
    db.session.expire_all()
    assert users() == 3 and db.session.get(User, 1).last_login_at is not None


def test_the_next_test_finds_the_world_as_built_and_the_same_next_id(cast, friends):
    _the_world_as_built(cast, friends)
    assert make_user(email="extra@example.org").id == 4  # no id taken by the test before


def test_a_failed_statement_in_a_world_test_is_undone_with_the_test(cast, friends):
    with pytest.raises(sa.exc.IntegrityError):
        make_user(email=cast.first.email)
    db.session.rollback()
    cast.first.name = "Changed"
    db.session.commit()


def test_a_test_without_the_world_in_its_module_starts_on_empty_tables():
    assert users() == 0
    assert make_user().id == 1


@pytest.mark.real_commits
def test_a_real_commits_test_beside_a_world_neither_sees_nor_waits_for_it():
    make_user()
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_after_tests_without_it_the_world_is_built_again(cast, friends):
    _the_world_as_built(cast, friends)
    assert make_user().id == 4


# --- The demo: one database per session, copied for each real_commits test (demo_copy) -----------

DEMO_USERS: dict = {}


@pytest.mark.real_commits
@pytest.mark.parametrize("turn", [1, 2])
def test_a_real_commits_test_gets_its_own_copy_of_the_demo_to_write_in(demo, turn):
    count = users()
    assert count > 0  # whatever the demo holds, it has people
    assert DEMO_USERS.setdefault("count", count) == count  # the first turn's user is not here
    make_user(email="demo-copy@example.org")
    with db.engine.connect() as other:  # a real commit, seen by another connection
        assert other.scalar(sa.select(sa.func.count()).select_from(User)) == count + 1


def test_a_rolled_back_test_sees_the_demo_as_built(demo):
    assert users() == DEMO_USERS["count"]


@pytest.mark.real_commits
def test_the_copies_left_the_test_database_empty():
    assert users() == 0


# --- World templates: built once per module into a database of their own, copied for each test ---
# (world_templates, tests/worlds.py): for real_commits tests, whose rows another connection sees.


@pytest.fixture(scope="module")
def town(world_templates):
    return world_templates.share(
        lambda: {"mayor": make_user(email="template-mayor@example.org", name="Mayor"),
                 "clerk": make_user(email="template-clerk@example.org", name="Clerk"),
                 "label": "x"})


@pytest.fixture(scope="module")
def council(world_templates, town):
    """A second world, built on the first."""
    return world_templates.share(lambda: [town["mayor"], make_user(email="template-third@example.org",
                                                                name="Third")])


def _names(connection) -> list[tuple[int, str, str]]:
    return [tuple(row) for row in connection.execute(
        sa.select(User.id, User.email, User.name).order_by(User.id)).all()]


TOWN_AS_BUILT = [(1, "template-mayor@example.org", "Mayor"),
                 (2, "template-clerk@example.org", "Clerk"),
                 (3, "template-third@example.org", "Third")]


@pytest.mark.parametrize("turn", [1, 2])
def test_a_test_on_a_world_template_writes_in_its_own_copy(town, council, turn, client):
    assert town["mayor"] in db.session and town["label"] == "x"
    assert council[0] is town["mayor"] and council[1].id == 3
    # Its rows are committed: another connection (the live server's) sees them, as built.
    with db.engine.connect() as other:
        assert _names(other) == TOWN_AS_BUILT
    # Everything the test writes is really committed, in its copy; the next turn never sees it.
    town["mayor"].name = f"Changed in turn {turn}"
    db.session.delete(town["clerk"])
    db.session.commit()
    assert make_user(email=f"turn-{turn}@example.org").id == 4  # the ids go on from the template's
    login(client, town["mayor"].email)  # a request, which commits
    town["label"] = "changed"
    with db.engine.connect() as other:
        assert [row[0] for row in _names(other)] == [1, 3, 4]
        assert other.scalar(sa.select(User.name).where(User.id == 1)) == f"Changed in turn {turn}"
        assert other.scalar(sa.select(User.last_login_at).where(User.id == 1)) is not None


def test_a_world_template_is_left_as_built(town, world_templates):
    try:
        with world_templates.engine.connect() as template:
            assert _names(template) == TOWN_AS_BUILT
            assert template.scalar(sa.select(User.last_login_at).where(User.id == 1)) is None
    finally:
        world_templates.engine.dispose()  # a template is copied only without connections


def test_a_world_template_test_is_a_real_commits_test(request, town):
    assert request.node.get_closest_marker("real_commits") is not None
    database_url = request.getfixturevalue("database_url")
    running_on = db.engine.url.render_as_string(hide_password=False)
    if request.getfixturevalue("backend") == "postgresql":
        # The test database, holding the template's rows.
        assert db.engine.url.database == sa.engine.make_url(database_url).database
    else:
        assert running_on != database_url  # the copy's


@pytest.mark.real_commits
def test_the_world_copies_left_the_test_database_empty():
    assert users() == 0
