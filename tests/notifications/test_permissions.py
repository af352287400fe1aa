"""Each person reads and manages only their own notifications, whatever their role."""
import pytest

from app.core.permissions import can
from app.extensions import db
from app.notifications.kinds import KIND_LABELS
from app.notifications.models import Channel, Notification, NotificationPreference
from tests.conftest import login
from tests.factories import make_admin, make_committee, make_moderator, make_organisation, make_user
from tests.notifications.factories import make_notification

ROLES = ["anonymous", "citizen", "organisation", "author", "facilitator_here",
         "facilitator_elsewhere", "admin"]


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(_world)


def _world() -> list:
    """The owner ("author") of a notification about a proposal in `committee`, and everyone else."""
    committee, elsewhere = make_committee(), make_committee()
    people = {
        "anonymous": None,
        "citizen": make_user(),
        "organisation": make_organisation(),
        "author": make_user(),
        "facilitator_here": make_moderator(committee),
        "facilitator_elsewhere": make_moderator(elsewhere),
        "admin": make_admin(),
    }
    notification = make_notification(people["author"], url="/proposals/1")
    return [people, notification]


@pytest.mark.parametrize("role", ROLES)
def test_read_rule_only_the_owner(world, role):
    people, notification = world
    assert can(people[role], "notifications.read", notification) is (role == "author")


@pytest.mark.parametrize("role", ROLES)
def test_manage_rule_only_ones_own_account(world, role):
    people, _ = world
    assert can(people[role], "notifications.manage", people["author"]) is (role == "author")
    if people[role] is not None:
        assert can(people[role], "notifications.manage", people[role])


@pytest.mark.parametrize("role", ROLES)
def test_direct_post_to_read_someone_elses(world, role, client):
    people, notification = world
    if people[role] is not None:
        login(client, people[role].email)
    response = client.submit(f"/notifications/{notification.id}/read", page="/")
    db.session.expire_all()
    read = db.session.get(Notification, notification.id).read_at is not None
    if role == "author":
        assert response.status_code == 302 and response.headers["Location"] == "/proposals/1"
        assert read
    elif role == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        assert not read
    else:
        assert response.status_code == 403
        assert not read


@pytest.mark.parametrize("role", ROLES)
def test_direct_post_read_all_touches_only_ones_own(world, role, client):
    people, notification = world
    if people[role] is not None:
        login(client, people[role].email)
    response = client.submit("/notifications/read-all", page="/")
    db.session.expire_all()
    read = db.session.get(Notification, notification.id).read_at is not None
    assert response.status_code == 302
    assert read is (role == "author")


@pytest.mark.parametrize("role", ROLES)
def test_direct_post_preferences_change_only_ones_own(world, role, client):
    people, _ = world
    if people[role] is not None:
        login(client, people[role].email)
    # Every kind the form offers (other areas add kinds; the form requires a choice for each).
    data = {kind: "none" for kind in KIND_LABELS}
    response = client.submit("/notifications/preferences", data, page="/")
    owners = {p.user_id for p in db.session.query(NotificationPreference).all()}
    if role == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        assert owners == set()
    else:
        assert response.status_code == 302
        assert owners == {people[role].id}
        assert {p.channel for p in db.session.query(NotificationPreference).all()} == {Channel.none}


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_only_ones_own(world, role, client):
    people, notification = world
    if people[role] is not None:
        login(client, people[role].email)
    response = client.get("/notifications/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (f'data-notification-id="{notification.id}"' in html) is (role == "author")
