"""Who may do what in comments and moderation: the rules, table-driven over every kind of actor,
and DIRECT POSTs to every action route (a hidden button is not a permission check)."""
import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.core.db import utcnow
from app.core.permissions import can
from app.extensions import db
from app.moderation.models import Report
from tests.comments.factories import World, make_comment
from tests.conftest import login
from tests.factories import make_user

ROLES = ["anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator", "admin"]
EVERYONE_SIGNED_IN = set(ROLES) - {"anonymous"}
NOT_THE_AUTHOR = EVERYONE_SIGNED_IN - {"author"}
ONLY_THE_AUTHOR = {"author"}
THE_COMMITTEE = {"facilitator", "admin"}


def who(world: World, role: str):
    return None if role == "anonymous" else getattr(world, role)


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


# --- The rules -----------------------------------------------------------------------------------

RULES = [
    ("comments.post", "proposal", EVERYONE_SIGNED_IN),
    ("comments.edit", "comment", ONLY_THE_AUTHOR),
    ("comments.delete", "comment", ONLY_THE_AUTHOR),
    ("moderation.report", "comment", NOT_THE_AUTHOR),
    ("moderation.report", "proposal", NOT_THE_AUTHOR),
    ("moderation.queue", "committee", THE_COMMITTEE),
    ("moderation.hide", "comment", THE_COMMITTEE),
    ("moderation.hide", "proposal", THE_COMMITTEE),
    ("moderation.restore", "comment", THE_COMMITTEE),
    ("moderation.dismiss", "comment", THE_COMMITTEE),
    ("moderation.block", "comment", THE_COMMITTEE),
    ("moderation.block", "proposal", THE_COMMITTEE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,target_kind,allowed", RULES, ids=[f"{r[0]}:{r[1]}" for r in RULES])
def test_rule_table(world, role, name, target_kind, allowed):
    comment = make_comment(world.proposal, author=world.author)
    target = {"proposal": world.proposal, "comment": comment, "committee": world.committee}[target_kind]

    assert can(who(world, role), name, target) is (role in allowed)


def test_the_list_of_queues_is_for_facilitators_and_admins(world):
    for role in ROLES:
        assert can(who(world, role), "moderation.queue") is (
            role in {"facilitator", "other_facilitator", "admin"}
        ), role


def test_an_unconfirmed_admin_or_facilitator_has_no_powers(world):
    from tests.factories import make_admin, make_moderator

    comment = make_comment(world.proposal)
    for user in (make_admin(confirmed=False), make_moderator(world.committee, confirmed=False)):
        for name in ("moderation.hide", "moderation.restore", "moderation.dismiss", "moderation.block"):
            assert not can(user, name, comment)
        assert not can(user, "moderation.queue", world.committee)


# --- Direct POSTs --------------------------------------------------------------------------------


def _hidden(world, comment):
    comment.hidden_at = utcnow()
    comment.hidden_reason = "Spam"
    comment.hidden_by_id = world.facilitator.id
    db.session.commit()


def _reported(world, comment):
    db.session.add(Report(reporter_id=make_user().id, target_type="comment", target_id=comment.id,
                          committee_id=comment.committee_id, reason="spam"))
    comment.open_reports = 1
    db.session.commit()


def _comment_count():
    return db.session.scalar(sa.select(sa.func.count(Comment.id)))


def _fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


ACTIONS = {
    "comment": dict(
        url=lambda w, c: f"/comments/proposal/{w.proposal.id}",
        data=lambda w, c: {"body": "Nuevo comentario"},
        changed=lambda w, c: _comment_count() == 2,
        allowed=EVERYONE_SIGNED_IN,
    ),
    "reply": dict(
        url=lambda w, c: f"/comments/{c.id}/reply",
        data=lambda w, c: {"body": "Respuesta"},
        changed=lambda w, c: _comment_count() == 2,
        allowed=EVERYONE_SIGNED_IN,
    ),
    "edit": dict(
        url=lambda w, c: f"/comments/{c.id}/edit",
        data=lambda w, c: {"body": "Editado"},
        changed=lambda w, c: _fresh(c).body == "Editado",
        allowed=ONLY_THE_AUTHOR,
    ),
    "delete": dict(
        url=lambda w, c: f"/comments/{c.id}/delete",
        data=lambda w, c: {},
        changed=lambda w, c: _fresh(c).deleted_at is not None,
        allowed=ONLY_THE_AUTHOR,
    ),
    "report comment": dict(
        url=lambda w, c: "/moderation/report",
        data=lambda w, c: {"target_type": "comment", "target_id": c.id, "reason": "spam"},
        changed=lambda w, c: _fresh(c).open_reports == 1,
        allowed=NOT_THE_AUTHOR,
    ),
    "report proposal": dict(
        url=lambda w, c: "/moderation/report",
        data=lambda w, c: {"target_type": "proposal", "target_id": w.proposal.id, "reason": "spam"},
        changed=lambda w, c: _fresh(w.proposal).open_reports == 1,
        allowed=NOT_THE_AUTHOR,
    ),
    "hide comment": dict(
        url=lambda w, c: f"/moderation/comment/{c.id}/hide",
        data=lambda w, c: {"reason": "Spam"},
        changed=lambda w, c: _fresh(c).hidden_at is not None,
        allowed=THE_COMMITTEE,
    ),
    "hide proposal": dict(
        url=lambda w, c: f"/moderation/proposal/{w.proposal.id}/hide",
        data=lambda w, c: {"reason": "Spam"},
        changed=lambda w, c: _fresh(w.proposal).hidden_at is not None,
        allowed=THE_COMMITTEE,
    ),
    "restore comment": dict(
        setup=_hidden,
        url=lambda w, c: f"/moderation/comment/{c.id}/restore",
        data=lambda w, c: {"reason": ""},
        changed=lambda w, c: _fresh(c).hidden_at is None,
        allowed=THE_COMMITTEE,
    ),
    "dismiss comment": dict(
        setup=_reported,
        url=lambda w, c: f"/moderation/comment/{c.id}/dismiss",
        data=lambda w, c: {},
        changed=lambda w, c: _fresh(c).open_reports == 0,
        allowed=THE_COMMITTEE,
    ),
    "block author of comment": dict(
        url=lambda w, c: f"/moderation/comment/{c.id}/block",
        data=lambda w, c: {"reason": "Acoso", "days": "7"},
        changed=lambda w, c: _fresh(w.author).blocked_until is not None,
        allowed=THE_COMMITTEE,
    ),
    "block author of proposal": dict(
        url=lambda w, c: f"/moderation/proposal/{w.proposal.id}/block",
        data=lambda w, c: {"reason": "Acoso", "days": "7"},
        changed=lambda w, c: _fresh(w.author).blocked_until is not None,
        allowed=THE_COMMITTEE,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_direct_post(world, client, role, action):
    spec = ACTIONS[action]
    comment = make_comment(world.proposal, author=world.author, body="Original")
    if "setup" in spec:
        spec["setup"](world, comment)
    user = who(world, role)
    if user is not None:
        assert login(client, user.email).status_code == 302

    response = client.submit(spec["url"](world, comment), spec["data"](world, comment), page="/")

    if role == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
        assert not spec["changed"](world, comment)
    elif role in spec["allowed"]:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert spec["changed"](world, comment)
    else:
        assert response.status_code == 403
        assert not spec["changed"](world, comment)


@pytest.mark.parametrize("role", ROLES)
def test_the_committee_queue_page(world, client, role):
    user = who(world, role)
    if user is not None:
        login(client, user.email)

    response = client.get(f"/moderation/committee/{world.committee.id}")

    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in THE_COMMITTEE else 403)
