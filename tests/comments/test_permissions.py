"""Who may post, reply, edit and delete comments: the rules and direct POSTs, actor by actor.

Facilitators and admins act on comments through moderation (tests/moderation); here nobody but
the author may edit or delete a comment, whatever their role or committee.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.core.db import utcnow
from app.core.permissions import can
from app.extensions import db
from tests.comments.factories import World, make_comment
from tests.conftest import login
from tests.factories import make_user

ACTORS = ["anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator",
          "admin", "unconfirmed", "blocked"]
PARTICIPANTS = {"citizen", "organisation", "author", "facilitator", "other_facilitator", "admin"}


class Cast(World):
    def __init__(self):
        super().__init__()
        self.anonymous = None
        self.unconfirmed = make_user(confirmed=False)
        self.blocked = make_user(blocked_until=utcnow() + timedelta(days=3))
        self.comment = make_comment(self.proposal, author=self.author, body="Texto original")


@pytest.fixture(scope="module")
def cast(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(Cast)


EXPECTED = {
    "comments.post": PARTICIPANTS,
    "comments.edit": {"author"},
    "comments.delete": {"author"},
}


@pytest.mark.parametrize("rule", list(EXPECTED))
def test_rules_table(cast, rule):
    target = cast.proposal if rule == "comments.post" else cast.comment
    got = {actor for actor in ACTORS if can(getattr(cast, actor), rule, target)}
    assert got == EXPECTED[rule]


def _post(client, cast, action):
    if action == "post":
        return client.submit(f"/comments/proposal/{cast.proposal.id}", {"body": "Nuevo"},
                             page="/")
    if action == "reply":
        return client.submit(f"/comments/{cast.comment.id}/reply", {"body": "Respuesta"},
                             page="/")
    if action == "edit":
        return client.submit(f"/comments/{cast.comment.id}/edit", {"body": "Cambiado"},
                             page="/")
    return client.submit(f"/comments/{cast.comment.id}/delete", {}, page="/")


def _state(cast):
    db.session.expire_all()
    comment = db.session.get(Comment, cast.comment.id)
    return (comment.body, comment.deleted_at, db.session.scalar(sa.select(sa.func.count(Comment.id))))


ALLOWED = {"post": PARTICIPANTS, "reply": PARTICIPANTS, "edit": {"author"}, "delete": {"author"}}
CASES = [(action, actor) for action in ALLOWED for actor in ACTORS]


@pytest.mark.parametrize("action, actor", CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_direct_posts(cast, client, action, actor):
    """Anonymous visitors go to the login page; others not allowed get 403 and change nothing."""
    if actor != "anonymous":
        login(client, getattr(cast, actor).email)
    before = _state(cast)
    response = _post(client, cast, action)
    after = _state(cast)
    if actor == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        assert after == before
    elif actor in ALLOWED[action]:
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        assert after != before
    else:
        assert response.status_code == 403
        assert after == before
