"""Reads of a public profile: the person, and their public contributions, in a fixed number of
statements. Every list goes through the public filter of its area, so a profile never shows what
the area's own pages hide (hidden or withdrawn proposals, hidden or deleted comments, comments
on hidden proposals or on draft commitments, candidacies of unpublished elections)."""
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from app.accounts.models import User
from app.comments.models import Comment
from app.commitments.models import Commitment
from app.commitments.queries import visible as visible_commitment
from app.dialogues.models import TableRegistration
from app.elections.models import Candidate, CandidateState, Election, ElectionState
from app.extensions import db
from app.plans.models import Committee, CommitteeMember
from app.proposals.models import Proposal, ProposalState, Support
from app.proposals.queries import visible as visible_proposal

PER_PAGE = 20
# A profile lists at most this many candidacies and seats (far more than anyone holds).
MAX_LISTED = 100


@dataclass
class Section:
    """One paginated list of contributions: the items of the page asked for and the total."""

    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass
class CommentEntry:
    comment: Comment
    place: str  # the title of the proposal or commitment the comment was written on


@dataclass
class Profile:
    user: User
    proposals: Section
    comments: Section
    supports: int
    tables_attended: int
    candidacies: list[tuple[Candidate, Election, Committee]] = field(default_factory=list)
    seats: list[tuple[CommitteeMember, Committee]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(self.proposals.pages, self.comments.pages)


def public_user(user_id: int) -> User | None:
    """The account a profile may show: not deleted, e-mail confirmed (an account never confirmed
    has taken no part). Blocked accounts are shown: a block limits posting, not existence."""
    return db.session.scalar(
        sa.select(User)
        .where(User.id == user_id, User.deleted_at.is_(None), User.email_confirmed_at.is_not(None))
        .options(lazyload(User.moderator_scopes))
    )


def _public_proposals(user_id: int):
    # Withdrawn proposals keep their page but leave every public list, this one included.
    return sa.and_(Proposal.author_id == user_id, visible_proposal(),
                   Proposal.state != ProposalState.withdrawn)


def _public_comments(user_id: int):
    on_public_proposal = sa.and_(Comment.proposal_id.is_not(None), visible_proposal())
    on_public_commitment = sa.and_(Comment.commitment_id.is_not(None), visible_commitment())
    return sa.and_(Comment.author_id == user_id, Comment.hidden_at.is_(None),
                   Comment.deleted_at.is_(None), sa.or_(on_public_proposal, on_public_commitment))


def _totals(user_id: int) -> tuple[int, int, int, int]:
    """(proposals, comments, supports, tables attended): one statement of four subqueries."""
    proposals = sa.select(sa.func.count(Proposal.id)).where(_public_proposals(user_id))
    comments = (
        sa.select(sa.func.count(Comment.id))
        .select_from(Comment)
        .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
        .outerjoin(Commitment, Commitment.id == Comment.commitment_id)
        .where(_public_comments(user_id))
    )
    # Supports of proposals that are public, so the count reveals nothing about hidden ones.
    supports = (
        sa.select(sa.func.count(Support.id))
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Support.user_id == user_id, visible_proposal())
    )
    attended = sa.select(sa.func.count(TableRegistration.id)).where(
        TableRegistration.user_id == user_id, TableRegistration.attended.is_(True)
    )
    row = db.session.execute(sa.select(
        proposals.scalar_subquery(), comments.scalar_subquery(),
        supports.scalar_subquery(), attended.scalar_subquery(),
    )).one()
    return tuple(int(n or 0) for n in row)


def _proposals_page(user_id: int, page: int) -> list[Proposal]:
    return list(db.session.scalars(
        sa.select(Proposal)
        .where(_public_proposals(user_id))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ))


def _comments_page(user_id: int, page: int) -> list[CommentEntry]:
    rows = db.session.execute(
        sa.select(Comment, sa.func.coalesce(Proposal.title, Commitment.title))
        .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
        .outerjoin(Commitment, Commitment.id == Comment.commitment_id)
        # comment_url() needs the proposal's reference: loaded by the same join, not per row.
        .options(contains_eager(Comment.proposal))
        .where(_public_comments(user_id))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).unique().all()
    return [CommentEntry(comment, place or "") for comment, place in rows]


def _candidacies(user_id: int) -> list[tuple[Candidate, Election, Committee]]:
    """Candidacies that stood on the ballot of an election whose result is published."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Candidate, Election, Committee)
        .join(Election, Election.id == Candidate.election_id)
        .join(Committee, Committee.id == Election.committee_id)
        .where(Candidate.user_id == user_id, Candidate.state == CandidateState.validated,
               Election.state == ElectionState.published)
        .order_by(Election.published_at.desc(), Election.id.desc())
        .limit(MAX_LISTED)
    ).all()]


def _seats(user_id: int) -> list[tuple[CommitteeMember, Committee]]:
    """The seats the person holds now (past terms are the committee's history, not theirs)."""
    return [tuple(row) for row in db.session.execute(
        sa.select(CommitteeMember, Committee)
        .join(Committee, Committee.id == CommitteeMember.committee_id)
        .options(joinedload(Committee.plan))
        .where(CommitteeMember.user_id == user_id, CommitteeMember.term_end.is_(None))
        .order_by(Committee.plan_id.desc(), Committee.position, CommitteeMember.position)
        .limit(MAX_LISTED)
    ).all()]


def profile(user: User, page: int = 1) -> Profile:
    """The profile's contributions; `page` applies to both paginated lists (proposals and
    comments), each of PER_PAGE items. Six statements at most, whatever the person wrote."""
    proposals_total, comments_total, supports, attended = _totals(user.id)
    proposals = Section([], proposals_total, page)
    comments = Section([], comments_total, page)
    # A page past the last one of both lists is not read at all (the view answers 404).
    if page <= max(proposals.pages, comments.pages):
        proposals.items = _proposals_page(user.id, page)
        comments.items = _comments_page(user.id, page)
    return Profile(
        user=user,
        proposals=proposals,
        comments=comments,
        supports=supports,
        tables_attended=attended,
        candidacies=_candidacies(user.id),
        seats=_seats(user.id),
    )
