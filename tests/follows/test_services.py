"""Following each kind: one row per person and thing, unfollowing twice is harmless, what cannot be
read cannot be followed, and who follows what is read back right."""
import pytest
import sqlalchemy as sa

from app.accounts.lifecycle import exported_sections
from app.accounts.services import delete_account
from app.core.db import utcnow
from app.core.errors import NotFound, PermissionDenied
from app.extensions import db
from app.follows import services
from app.follows.models import Follow
from app.follows.queries import followed_by, follower_ids, is_following
from tests.factories import PASSWORD, make_user
from tests.follows.factories import KINDS


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Follow.id)))


@pytest.mark.parametrize("kind", KINDS)
def test_follow_twice_is_one_row_and_unfollow_twice_is_harmless(world, kind):
    target_id = world.target(kind).id
    assert services.follow(world.citizen, kind, target_id) is True
    assert services.follow(world.citizen, kind, target_id) is False  # a double click
    assert count() == 1
    assert follower_ids(kind, target_id) == [world.citizen.id]
    assert is_following(world.citizen, kind, target_id)
    assert not is_following(world.organisation, kind, target_id)
    assert services.unfollow(world.citizen, kind, target_id) is True
    assert services.unfollow(world.citizen, kind, target_id) is False
    assert count() == 0 and follower_ids(kind, target_id) == []


def test_follower_ids_leave_out_deleted_accounts_and_other_things(world):
    gone = make_user()
    for person in (world.citizen, world.organisation, gone):
        services.follow(person, "proposal", world.proposal.id)
    services.follow(world.facilitator, "commitment", world.commitment.id)
    gone.deleted_at = utcnow()
    db.session.flush()
    assert follower_ids("proposal", world.proposal.id) == sorted([world.citizen.id, world.organisation.id])
    assert follower_ids("commitment", world.commitment.id) == [world.facilitator.id]


def test_hidden_drafts_and_missing_things_cannot_be_followed(world):
    world.proposal.hidden_at = utcnow()
    db.session.flush()
    for kind, target_id in [("proposal", world.proposal.id), ("commitment", world.draft.id),
                            ("table", 999_999), ("election", 999_999), ("committee", 999_999)]:
        with pytest.raises(NotFound):
            services.follow(world.citizen, kind, target_id)
    with pytest.raises(NotFound):
        services.follow(world.citizen, "planet", 1)
    assert count() == 0


def test_only_confirmed_accounts_follow_but_anyone_may_unfollow(world):
    unconfirmed = make_user(confirmed=False)
    with pytest.raises(PermissionDenied):
        services.follow(unconfirmed, "committee", world.committee.id)
    with pytest.raises(PermissionDenied):
        services.follow(None, "committee", world.committee.id)
    assert services.unfollow(unconfirmed, "committee", world.committee.id) is False
    assert count() == 0


def test_the_following_list_groups_by_kind_and_tells_what_changed(world):
    services.follow(world.citizen, "table", world.table.id)
    services.follow(world.citizen, "proposal", world.proposal.id)
    follow = db.session.scalar(sa.select(Follow).where(Follow.target_type == "proposal"))
    follow.created_at = follow.created_at.replace(year=2020)  # followed long before the change
    db.session.flush()
    grouped = followed_by(world.citizen)
    assert list(grouped) == ["proposal", "table"]
    [entry] = grouped["proposal"]
    assert entry.title.endswith(world.proposal.title) and entry.is_new and entry.change
    services.mark_seen(world.citizen)
    db.session.expire_all()
    assert not followed_by(world.citizen)["proposal"][0].is_new


def test_the_export_lists_the_follows_and_a_deleted_account_takes_them(world):
    person = make_user()
    services.follow(person, "election", world.election.id)
    [row] = exported_sections(person.id)["follows"]
    assert (row["type"], row["id"], row["seen_at"]) == ("election", world.election.id, None)
    delete_account(person, PASSWORD)
    assert count() == 0
