"""A proposal form published twice at the same moment (a double click, two tabs): one proposal.
Each thread is a request of its own (own session and connection); real commits (tests/conftest.py:
every test_concurrency.py)."""
import secrets

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.plans.models import ActionPlan
from app.proposals import services
from app.proposals.models import Proposal, ProposalVersion
from tests.concurrency import at_once
from tests.proposals.factories import World, proposal_data


def test_the_same_form_published_four_times_at_once_makes_one_proposal(app):
    world = World()
    db.session.commit()
    data = proposal_data(world)
    token = secrets.token_urlsafe(24)
    author_id, plan_id = world.author.id, world.plan.id

    def publish():
        author, plan = db.session.get(User, author_id), db.session.get(ActionPlan, plan_id)
        return services.create_proposal(author, plan, data, token=token).reference

    outcomes = at_once(app, [publish] * 4)

    assert [kind for kind, _value in outcomes] == ["ok"] * 4, outcomes
    assert len({reference for _kind, reference in outcomes}) == 1, outcomes
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(
        Proposal.author_id == author_id)) == 1
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 1


def test_different_forms_published_at_once_make_one_proposal_each(app):
    world = World()
    db.session.commit()
    author_id, plan_id = world.author.id, world.plan.id
    forms = [(proposal_data(world), secrets.token_urlsafe(24)) for _ in range(3)]

    def publish(data, token):
        author, plan = db.session.get(User, author_id), db.session.get(ActionPlan, plan_id)
        return services.create_proposal(author, plan, data, token=token).reference

    outcomes = at_once(app, [lambda d=d, t=t: publish(d, t) for d, t in forms])

    assert [kind for kind, _value in outcomes] == ["ok"] * 3, outcomes
    assert len({reference for _kind, reference in outcomes}) == 3, outcomes
