"""Factories of the proposals tests: proposals through the real service, or many at once."""
import itertools

import sqlalchemy as sa

from app.comments.models import Comment
from app.core.clock import today
from app.core.db import utcnow
from app.extensions import db
from app.places.models import Place
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals import services
from app.proposals.models import Proposal, ProposalState, ProposalVersion, Support
from tests.factories import HOSTILE, make_committee, make_plan, make_theme, make_user

_seq = itertools.count(1)


class World:
    """A plan with two committees and a theme, and the people who act on them."""

    def __init__(self):
        from tests.factories import make_admin, make_moderator, make_organisation

        self.plan: ActionPlan = make_plan()
        self.committee: Committee = make_committee(self.plan, scope="Municipio de Gómez Palacio")
        self.other_committee: Committee = make_committee(self.plan, scope="Poder Ejecutivo del Estado")
        # The catalogue's Gómez Palacio is the municipal committee's (make_plan's catalogue).
        db.session.execute(sa.update(Place).where(Place.plan_id == self.plan.id,
                                                  Place.name == "Gómez Palacio")
                           .values(committee_id=self.committee.id))
        self.theme: Theme = make_theme(self.plan)
        self.author = make_user()
        self.citizen = make_user()
        self.organisation = make_organisation()
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()


def proposal_data(world_or_plan, committee=None, theme=None, **changes) -> dict:
    n = next(_seq)
    data = {
        "title": f"{HOSTILE} {n}",
        "body": f"**Descripción** {HOSTILE}\n\n- uno\n- dos",
        "committee_id": committee.id if committee else world_or_plan.committee.id,
        "theme_id": theme.id if theme else world_or_plan.theme.id,
        "place": f"Colonia {HOSTILE}",
    }
    data.update(changes)
    return data


def make_proposal(world: World, author=None, committee=None, **changes) -> Proposal:
    """A proposal through the real service, committed as its request would be."""
    proposal = services.create_proposal(
        author or world.author, world.plan, proposal_data(world, committee=committee, **changes)
    )
    db.session.commit()
    return proposal


def set_state(proposal: Proposal, state: ProposalState) -> Proposal:
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(state=state))
    db.session.commit()
    db.session.refresh(proposal)
    return proposal


def add_supports(proposal: Proposal, users) -> None:
    """Supports written directly, with the counter kept as the service keeps it."""
    users = list(users)
    for user in users:
        db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    db.session.execute(
        sa.update(Proposal).where(Proposal.id == proposal.id)
        .values(support_count=Proposal.support_count + len(users))
    )
    db.session.commit()


def add_comments(proposal: Proposal, author, n: int) -> list[Comment]:
    """Comments written directly, with the counter kept as the comments service keeps it."""
    comments = [
        Comment(proposal_id=proposal.id, author_id=author.id, committee_id=proposal.committee_id,
                body=f"Comentario {i} {HOSTILE}")
        for i in range(n)
    ]
    db.session.add_all(comments)
    db.session.flush()
    # Replies to the first comment, so the thread has two levels.
    if n > 1:
        for c in comments[n // 2:]:
            c.parent_id = comments[0].id
    db.session.execute(
        sa.update(Proposal).where(Proposal.id == proposal.id)
        .values(comment_count=Proposal.comment_count + n)
    )
    db.session.commit()
    return comments


def bulk_proposals(world: World, n: int, supporters=(), start: int = 1) -> list[Proposal]:
    """Many proposals inserted directly (the service would be slow for thousands)."""
    proposals = []
    year = today().year
    for i in range(start, start + n):
        title = f"Problemática número {i} en la colonia"
        body = f"Descripción {i} de la problemática {HOSTILE}"
        p = Proposal(
            plan_id=world.plan.id, committee_id=world.committee.id, theme_id=world.theme.id,
            author_id=world.author.id, reference=f"{world.plan.reference_prefix}-{year}-{i:04d}",
            year=year, sequence=i, title=title, body=body, municipality="Gómez Palacio",
            created_at=utcnow(),
        )
        p.search_text = services.search_text_for(p)
        proposals.append(p)
    db.session.add_all(proposals)
    db.session.flush()
    for p in proposals:
        db.session.add(ProposalVersion(proposal_id=p.id, number=1, title=p.title, body=p.body))
        for user in supporters:
            db.session.add(Support(proposal_id=p.id, user_id=user.id))
        p.support_count = len(supporters)
    db.session.commit()
    return proposals


def make_users(n: int):
    return [make_user() for _ in range(n)]


__all__ = [
    "World", "proposal_data", "make_proposal", "set_state", "add_supports", "add_comments",
    "bulk_proposals", "make_users", "make_committee", "make_plan", "make_theme",
]
