"""Who may draft, read drafts, edit, publish and withdraw: the rules, and direct POSTs."""
import pytest
import sqlalchemy as sa

from app.commitments.models import Commitment, CommitmentState, CommitmentVersion
from app.core.permissions import can
from app.extensions import db
from tests.commitments.factories import (
    edit_form_data,
    form_data,
    make_draft,
    make_moderator,
    make_proposal,
    make_published,
)
from tests.conftest import login

ACTORS = ["anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator",
          "admin"]
FACILITATION = {"facilitator", "admin"}
NOBODY: set[str] = set()


def actor(world, name):
    return None if name == "anonymous" else getattr(world, name)


def _target(world, kind):
    if kind == "committee":
        return world.committee
    if kind == "draft":
        return make_draft(world)
    if kind == "consultation":
        commitment = make_draft(world)
        commitment.state = CommitmentState.consultation
        db.session.commit()
        return commitment
    commitment = make_published(world)
    if kind == "withdrawn":
        commitment.state = CommitmentState.withdrawn
        db.session.commit()
    return commitment


def test_unconfirmed_facilitator_is_refused(world):
    unconfirmed = make_moderator(world.committee, confirmed=False)
    assert not can(unconfirmed, "commitments.draft", world.committee)
    assert not can(unconfirmed, "commitments.edit", make_draft(world))


def test_draft_without_a_committee_means_facilitating_some(world):
    assert can(world.facilitator, "commitments.draft") and can(world.admin, "commitments.draft")
    assert not can(world.citizen, "commitments.draft") and not can(None, "commitments.draft")


# ---------------------------------------------------------------- direct POSTs

def _expect(response, who, allowed):
    if who == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    elif who in allowed:
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403


def _client_for(client, world, who):
    if who != "anonymous":
        login(client, actor(world, who).email)
    return client


@pytest.mark.parametrize("who", ACTORS)
def test_post_new_draft(world, client, who):
    proposal = make_proposal(world.committee, world.author)
    c = _client_for(client, world, who)
    response = c.submit(f"/commitments/new?committee={world.committee.id}",
                        form_data(world, [proposal]), page="/commitments/")
    _expect(response, who, FACILITATION)
    created = db.session.scalar(sa.select(sa.func.count(Commitment.id)))
    assert created == (1 if who in FACILITATION else 0)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("state", ["draft", "published"])
def test_post_edit(world, client, who, state):
    commitment = _target(world, state)
    justification = "Justificación suficientemente larga para un cambio formal."
    c = _client_for(client, world, who)
    response = c.submit(f"/commitments/{commitment.id}/edit",
                        edit_form_data(commitment, reason=justification, budget="$42"),
                        page="/commitments/")
    _expect(response, who, FACILITATION)
    versions = db.session.scalar(sa.select(sa.func.count(CommitmentVersion.id)))
    base = 1 if state == "draft" else 2
    assert versions == base + (1 if who in FACILITATION else 0)


@pytest.mark.parametrize("who", ACTORS)
def test_post_publish(world, client, who):
    commitment = make_draft(world)
    c = _client_for(client, world, who)
    response = c.submit(f"/commitments/{commitment.id}/publish", {"reason": "Aprobado en sesión"},
                        page="/commitments/")
    _expect(response, who, FACILITATION)
    db.session.expire_all()
    published = commitment.state == CommitmentState.published
    assert published is (who in FACILITATION)


@pytest.mark.parametrize("who", ACTORS)
def test_post_withdraw(world, client, who):
    commitment = make_published(world)
    c = _client_for(client, world, who)
    response = c.submit(f"/commitments/{commitment.id}/withdraw",
                        {"reason": "Motivo público suficientemente largo para retirar."},
                        page="/commitments/")
    _expect(response, who, FACILITATION)
    db.session.expire_all()
    assert (commitment.state == CommitmentState.withdrawn) is (who in FACILITATION)


@pytest.mark.parametrize("who", ["citizen", "other_facilitator"])
@pytest.mark.parametrize("page", ["new", "edit", "publish", "withdraw"])
def test_get_forms_are_refused_too(world, client, who, page):
    c = _client_for(client, world, who)
    if page == "new":
        url = f"/commitments/new?committee={world.committee.id}"
    else:
        commitment = make_published(world) if page == "withdraw" else make_draft(world)
        url = f"/commitments/{commitment.id}/{page}"
    assert c.get(url).status_code == 403
