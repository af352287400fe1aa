"""Comment services: threads two levels deep, the edit window, deletion, counters, notifications,
the posting rate limit, and who may not post."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.comments import services
from app.comments.models import EDIT_WINDOW_SECONDS, Comment
from app.comments.queries import thread_for
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from app.extensions import db
from app.notifications.models import Notification
from app.proposals.models import ProposalState
from tests.comments.factories import (
    World,
    age,
    make_comment,
    make_proposal,
    stored_count,
    visible_count,
)
from tests.factories import make_user


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


# --- Posting and threads -------------------------------------------------------------------------


def test_a_top_level_comment_is_stored_with_its_committee_and_counted(world):
    comment = services.post_comment(world.citizen, world.proposal, "  Estoy de acuerdo.  ")

    assert comment.body == "Estoy de acuerdo."
    assert comment.parent_id is None
    assert comment.committee_id == world.committee.id
    assert comment.section is None
    assert stored_count(world.proposal) == 1


def test_a_reply_to_a_reply_joins_the_same_top_level_comment(world):
    top = services.post_comment(world.citizen, world.proposal, "Primero")
    reply = services.post_comment(world.author, world.proposal, "Respuesta", parent=top)
    reply_to_reply = services.post_comment(world.organisation, world.proposal, "Otra", parent=reply)

    assert reply.parent_id == top.id
    assert reply_to_reply.parent_id == top.id
    thread = thread_for(world.proposal)
    assert [c.id for c in thread] == [top.id]
    assert [r.id for r in thread[0].replies] == [reply.id, reply_to_reply.id]
    assert stored_count(world.proposal) == 3


def test_thread_keeps_order_and_leaves_out_other_proposals(world):
    other = make_proposal(world.committee)
    first = make_comment(world.proposal, minutes_ago=10)
    second = make_comment(world.proposal, minutes_ago=5)
    make_comment(other)

    assert [c.id for c in thread_for(world.proposal)] == [first.id, second.id]


def test_a_reply_to_a_comment_of_another_proposal_is_refused(world):
    other_comment = make_comment(make_proposal(world.committee))

    with pytest.raises(NotFound):
        services.post_comment(world.citizen, world.proposal, "Hola", parent=other_comment)
    assert stored_count(world.proposal) == 0


@pytest.mark.parametrize("removed", ["deleted_at", "hidden_at"])
def test_a_deleted_or_hidden_comment_cannot_be_answered(world, removed):
    parent = make_comment(world.proposal)
    setattr(parent, removed, utcnow())
    db.session.commit()

    with pytest.raises(InvalidTransition):
        services.post_comment(world.citizen, world.proposal, "Hola", parent=parent)


def test_a_reply_notifies_the_author_of_the_comment_answered_once(world):
    top = services.post_comment(world.citizen, world.proposal, "Primero")
    reply = services.post_comment(world.organisation, world.proposal, "Respuesta", parent=top)

    notes = db.session.scalars(sa.select(Notification)).all()
    assert len(notes) == 1
    note = notes[0]
    assert note.user_id == world.citizen.id
    assert note.kind == "comment_reply"
    assert note.params == {"author": world.organisation.display_name, "title": world.proposal.title}
    assert note.url.endswith(f"#comment-{reply.id}")
    assert world.proposal.reference in note.url


def test_replying_to_oneself_notifies_nobody(world):
    top = services.post_comment(world.citizen, world.proposal, "Primero")
    services.post_comment(world.citizen, world.proposal, "Y además", parent=top)

    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * (services.MAX_LENGTH + 1)])
def test_an_empty_or_too_long_comment_is_refused(world, body):
    with pytest.raises(ValidationError) as error:
        services.post_comment(world.citizen, world.proposal, body)
    assert error.value.field == "body"
    assert stored_count(world.proposal) == 0


@pytest.mark.parametrize("state", [ProposalState.merged, ProposalState.withdrawn])
def test_merged_and_withdrawn_proposals_take_no_new_comments(world, state):
    world.proposal.state = state
    db.session.commit()

    with pytest.raises(PermissionDenied):
        services.post_comment(world.citizen, world.proposal, "Hola")
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


@pytest.mark.parametrize("state", [ProposalState.accepted, ProposalState.not_accepted,
                                   ProposalState.in_dialogue])
def test_decided_proposals_still_take_comments(world, state):
    world.proposal.state = state
    db.session.commit()

    services.post_comment(world.citizen, world.proposal, "Hola")
    assert stored_count(world.proposal) == 1


def test_a_hidden_proposal_takes_no_new_comments(world):
    world.proposal.hidden_at = utcnow()
    world.proposal.hidden_reason = "spam"
    db.session.commit()

    with pytest.raises(PermissionDenied):
        services.post_comment(world.citizen, world.proposal, "Hola")


def test_an_unconfirmed_account_cannot_comment(world):
    with pytest.raises(PermissionDenied):
        services.post_comment(make_user(confirmed=False), world.proposal, "Hola")


def test_a_blocked_account_cannot_comment_and_is_told_why_and_until_when(world):
    world.citizen.blocked_until = utcnow() + timedelta(days=7)
    world.citizen.blocked_reason = "Insultos repetidos"
    db.session.commit()

    with pytest.raises(PermissionDenied) as error:
        services.post_comment(world.citizen, world.proposal, "Hola")
    assert "Insultos repetidos" in error.value.message
    assert str(world.citizen.blocked_until.astimezone().year) in error.value.message
    assert stored_count(world.proposal) == 0


def test_an_expired_block_no_longer_stops_the_account(world):
    world.citizen.blocked_until = utcnow() - timedelta(minutes=1)
    world.citizen.blocked_reason = "Antiguo"
    db.session.commit()

    services.post_comment(world.citizen, world.proposal, "He vuelto")
    assert stored_count(world.proposal) == 1


# --- Rate limit ----------------------------------------------------------------------------------


def test_the_eleventh_comment_in_five_minutes_is_refused_with_a_clear_message(world):
    for _ in range(services.RATE_LIMIT_COUNT):
        make_comment(world.proposal, author=world.citizen, minutes_ago=4)

    with pytest.raises(ValidationError) as error:
        services.post_comment(world.citizen, world.proposal, "Uno más")
    assert error.value.field == "body"
    assert "10" in error.value.message and "5" in error.value.message
    assert stored_count(world.proposal) == services.RATE_LIMIT_COUNT


def test_comments_older_than_the_window_do_not_count_towards_the_limit(world):
    for _ in range(services.RATE_LIMIT_COUNT):
        make_comment(world.proposal, author=world.citizen, minutes_ago=6)

    services.post_comment(world.citizen, world.proposal, "Uno más")
    assert stored_count(world.proposal) == services.RATE_LIMIT_COUNT + 1


def test_the_limit_is_per_account(world):
    for _ in range(services.RATE_LIMIT_COUNT):
        make_comment(world.proposal, author=world.citizen)

    services.post_comment(world.organisation, world.proposal, "Otra cuenta")


# --- Editing -------------------------------------------------------------------------------------


def test_the_author_edits_within_the_window_and_the_edit_is_marked(world):
    comment = make_comment(world.proposal, author=world.author, minutes_ago=14)

    services.edit_comment(world.author, comment, "Texto corregido")

    assert comment.body == "Texto corregido"
    assert comment.edited_at is not None


def test_editing_after_fifteen_minutes_is_refused(world):
    comment = make_comment(world.proposal, author=world.author, body="Original")
    age(comment, EDIT_WINDOW_SECONDS / 60 + 1)

    with pytest.raises(PermissionDenied) as error:
        services.edit_comment(world.author, comment, "Tarde")
    assert "15" in error.value.message
    db.session.refresh(comment)
    assert comment.body == "Original"
    assert comment.edited_at is None


def test_only_the_author_edits(world):
    comment = make_comment(world.proposal, author=world.author, body="Original")

    for other in (world.citizen, world.facilitator, world.admin):
        with pytest.raises(PermissionDenied):
            services.edit_comment(other, comment, "Ajeno")
    db.session.refresh(comment)
    assert comment.body == "Original"


def test_a_hidden_comment_cannot_be_edited(world):
    comment = make_comment(world.proposal, author=world.author, hidden_at=utcnow(),
                           hidden_reason="spam")

    with pytest.raises(PermissionDenied):
        services.edit_comment(world.author, comment, "Ahora sí")


# --- Deleting ------------------------------------------------------------------------------------


def test_deleting_keeps_the_place_in_the_thread_and_the_replies(world):
    top = make_comment(world.proposal, author=world.author)
    reply = make_comment(world.proposal, parent=top)

    services.delete_comment(world.author, top)

    thread = thread_for(world.proposal)
    assert [c.id for c in thread] == [top.id]
    assert thread[0].is_deleted
    assert [r.id for r in thread[0].replies] == [reply.id]
    assert stored_count(world.proposal) == 1 == visible_count(world.proposal)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "comment.deleted"))
    assert entry.public is False


def test_only_the_author_deletes_and_only_once(world):
    comment = make_comment(world.proposal, author=world.author)
    for other in (world.citizen, world.facilitator, world.admin):
        with pytest.raises(PermissionDenied):
            services.delete_comment(other, comment)

    services.delete_comment(world.author, comment)
    with pytest.raises(PermissionDenied):
        services.delete_comment(world.author, comment)
    assert stored_count(world.proposal) == 0


def test_a_blocked_author_may_still_delete_their_comment(world):
    comment = make_comment(world.proposal, author=world.author)
    world.author.blocked_until = utcnow() + timedelta(days=1)
    db.session.commit()

    services.delete_comment(world.author, comment)
    assert comment.is_deleted


def test_deleting_a_hidden_comment_does_not_count_it_twice(world):
    visible = make_comment(world.proposal, author=world.author)
    hidden = make_comment(world.proposal, author=world.author, hidden_at=utcnow(),
                          hidden_reason="spam")

    services.delete_comment(world.author, hidden)
    assert stored_count(world.proposal) == 1 == visible_count(world.proposal)
    services.delete_comment(world.author, visible)
    assert stored_count(world.proposal) == 0 == visible_count(world.proposal)


def test_the_counter_follows_posts_and_deletions_exactly(world):
    posted = [services.post_comment(world.citizen, world.proposal, f"c{i}") for i in range(4)]
    services.post_comment(world.author, world.proposal, "r", parent=posted[0])
    assert stored_count(world.proposal) == 5 == visible_count(world.proposal)

    services.delete_comment(world.citizen, posted[0])
    services.delete_comment(world.citizen, posted[2])
    assert stored_count(world.proposal) == 3 == visible_count(world.proposal)
    assert world.proposal.comment_count == 3  # the loaded object was refreshed too
