"""Factories of the comments and moderation tests: proposals and comments as database rows.

Proposals are made here from the model (not through the proposals service), so these tests do
not depend on another area; text fields carry hostile input, as everywhere.
"""
import itertools
from datetime import timedelta

import sqlalchemy as sa

from app.comments.models import Comment
from app.core.db import utcnow
from app.core.text import fold
from app.extensions import db
from app.proposals.models import Proposal, ProposalState
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_user,
)
from tests.querycount import count_queries

_seq = itertools.count(1)


class World:
    """A plan with two committees, a proposal in the first, and everyone who may act on it."""

    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.author = make_user()
        self.citizen = make_user()
        self.organisation = make_organisation()
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()
        self.proposal = make_proposal(self.committee, author=self.author)


def make_proposal(committee=None, author=None, state=ProposalState.submitted, **extra) -> Proposal:
    committee = committee or make_committee()
    author = author or make_user()
    n = next(_seq)
    title = extra.pop("title", f"Problema {n} {HOSTILE}")
    body = extra.pop("body", f"**Descripción** {HOSTILE}")
    reference = f"DGO-2026-{n:04d}"
    proposal = Proposal(
        plan_id=committee.plan_id,
        committee_id=committee.id,
        author_id=author.id,
        reference=reference,
        year=2026,
        sequence=n,
        title=title,
        body=body,
        search_text=fold(f"{title} {body} {reference}"),
        state=state,
        **extra,
    )
    db.session.add(proposal)
    db.session.commit()
    return proposal


def make_comment(proposal, author=None, body=None, parent=None, *, minutes_ago: float = 0,
                 **extra) -> Comment:
    """A visible comment row, with the proposal's counter kept as the service keeps it."""
    author = author or make_user()
    comment = Comment(
        proposal_id=proposal.id,
        committee_id=proposal.committee_id,
        author_id=author.id,
        parent_id=parent.id if parent is not None else None,
        body=body if body is not None else f"Comentario {HOSTILE}",
        created_at=utcnow() - timedelta(minutes=minutes_ago),
        **extra,
    )
    db.session.add(comment)
    if comment.deleted_at is None and comment.hidden_at is None:
        db.session.execute(
            sa.update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(comment_count=Proposal.comment_count + 1)
        )
    db.session.commit()
    db.session.refresh(proposal)
    return comment


def age(comment: Comment, minutes: float) -> Comment:
    """Move a comment's creation into the past (e.g. beyond the edit window)."""
    comment.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return comment


def visible_count(proposal) -> int:
    """The truth the counter must equal: visible, non-deleted comments of the proposal."""
    return db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.proposal_id == proposal.id,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
    )


def stored_count(proposal) -> int:
    return db.session.scalar(sa.select(Proposal.comment_count).where(Proposal.id == proposal.id))


class QueryCounter:
    """Counts the SQL statements sent to the database while active (the suite's one counter,
    tests/querycount.py, with a `count`)."""

    def __enter__(self):
        self._counting = count_queries()
        self.statements = self._counting.__enter__()
        return self

    def __exit__(self, *exc):
        return self._counting.__exit__(*exc)

    @property
    def count(self) -> int:
        return len(self.statements)
