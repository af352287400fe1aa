"""Elections of a committee's civil-society seats: candidates, the frozen roll, the ballot box.

Who voted (RollEntry) and what was voted (Ballot) live in separate tables with no link between
them: a ballot has no foreign key to a user or to the roll, no timestamp and a random id; the
roll keeps only a `voted` flag, with no time. See docs/elections.md for what an operator could
still learn.
"""
import enum
import uuid

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db
from app.plans.models import MEMBER_KIND_LABELS, MemberKind

DEFAULT_SEATS = [MemberKind.cs_titular.value, MemberKind.cs_suplente.value]
SEAT_KINDS = (MemberKind.cs_titular.value, MemberKind.cs_suplente.value)
# Below this many organisations on the roll the result page warns that totals may reveal votes.
SMALL_ROLL = 10


class ElectionState(enum.StrEnum):
    draft = "draft"
    nominating = "nominating"
    voting = "voting"
    closed = "closed"
    published = "published"
    self_selected = "self_selected"


ELECTION_STATE_LABELS = {
    ElectionState.draft: _l("In preparation"),
    ElectionState.nominating: _l("Nominations"),
    ElectionState.voting: _l("Voting"),
    ElectionState.closed: _l("Closed, result pending"),
    ElectionState.published: _l("Result published"),
    ElectionState.self_selected: _l("Self-selection agreement published"),
}

# The only moves an election can make. Self-selection replaces the vote, so it is possible only
# before voting opens; after that the only way out of "voting" is the close.
TRANSITIONS: dict[ElectionState, frozenset[ElectionState]] = {
    ElectionState.draft: frozenset({ElectionState.nominating, ElectionState.self_selected}),
    ElectionState.nominating: frozenset({ElectionState.voting, ElectionState.self_selected}),
    ElectionState.voting: frozenset({ElectionState.closed}),
    ElectionState.closed: frozenset({ElectionState.published}),
    ElectionState.published: frozenset(),
    ElectionState.self_selected: frozenset(),
}


def can_move(source: ElectionState, target: ElectionState) -> bool:
    return target in TRANSITIONS[source]


def seat_label(kind: str) -> str:
    try:
        return str(MEMBER_KIND_LABELS[MemberKind(kind)])
    except ValueError:
        return kind


class Election(db.Model):
    __tablename__ = "elections"
    __table_args__ = (
        sa.CheckConstraint("nominations_close_at > nominations_open_at", name="nominations_ordered"),
        sa.CheckConstraint("voting_opens_at >= nominations_close_at", name="voting_after_nominations"),
        sa.CheckConstraint("voting_closes_at > voting_opens_at", name="voting_ordered"),
        sa.CheckConstraint("min_participants >= 0", name="min_participants_positive"),
        sa.CheckConstraint("ballot_count >= 0", name="ballot_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # The call whose approved organisations form the roll, and whose applications to the committee
    # the election freezes once voting opens. NULL only for an election the migration could attach
    # to no call (a draft older than any call of its committee): it must be given one to go on.
    # (No ON DELETE clause: a call that an election names cannot be deleted either way, and
    # SQLite reads an inline clause back less exactly; see the migration.)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    # The seats in the order they are filled: kinds of CommitteeMember (titular, then suplente).
    seats: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=lambda: list(DEFAULT_SEATS))
    nominations_open_at = mapped_column(UTCDateTime(), nullable=False)
    nominations_close_at = mapped_column(UTCDateTime(), nullable=False)
    voting_opens_at = mapped_column(UTCDateTime(), nullable=False)
    voting_closes_at = mapped_column(UTCDateTime(), nullable=False)
    # Fewer organisations approved for the committee than this: self-selection may be used.
    min_participants: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=3)
    state: Mapped[ElectionState] = enum_column(
        ElectionState, nullable=False, default=ElectionState.draft, index=True
    )

    # Set when voting opens. The seed stays secret (only its commitment is public) until the close.
    seed: Mapped[str | None] = mapped_column(sa.String(64))
    seed_commitment: Mapped[str | None] = mapped_column(sa.String(64))
    roll_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # The data the genesis hash binds the box to, frozen as published (app/elections/chain.py).
    box_header: Mapped[dict | None] = mapped_column(sa.JSON)
    genesis_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # The chain's head: the genesis, then each ballot's hash, and finally the close entry's hash.
    head_hash: Mapped[str | None] = mapped_column(sa.String(64))
    ballot_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    voting_opened_at = mapped_column(UTCDateTime())

    # The close entry of the chain: written under the election's lock, like the ballots.
    closed_at = mapped_column(UTCDateTime())
    closed_early_reason: Mapped[str | None] = mapped_column(sa.Text)
    close_prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    voted_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # The published tally (app/elections/tally.py Tally.as_dict() plus the head hash): what the
    # box's "result" holds and the verifier compares with its own recount.
    result_data: Mapped[dict | None] = mapped_column(sa.JSON)
    published_at = mapped_column(UTCDateTime())
    term_start: Mapped[sa.Date | None] = mapped_column(sa.Date)

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    committee = relationship("Committee")
    call = relationship("Call")
    candidates: Mapped[list["Candidate"]] = relationship(
        back_populates="election", order_by="Candidate.name", cascade="all, delete-orphan"
    )

    @property
    def state_label(self) -> str:
        return str(ELECTION_STATE_LABELS[self.state])

    @property
    def seat_labels(self) -> list[str]:
        return [seat_label(kind) for kind in self.seats]

    @property
    def is_over(self) -> bool:
        return self.state in (ElectionState.closed, ElectionState.published)

    @property
    def head_position(self) -> int:
        """Where head_hash sits in the chain (the verifier's --head HASH@POSITION): 0 is the
        genesis, n after n ballots, n + 1 once the close entry is written."""
        return self.ballot_count + (1 if self.closed_at is not None else 0)


class CandidateState(enum.StrEnum):
    pending = "pending"  # nominated, waiting for the person to accept
    accepted = "accepted"  # the person accepted; waiting for the guarantor body
    validated = "validated"  # on the ballot
    rejected = "rejected"  # by the guarantor body, with a reason
    declined = "declined"  # by the person nominated


CANDIDATE_STATE_LABELS = {
    CandidateState.pending: _l("Waiting for the candidate's acceptance"),
    CandidateState.accepted: _l("Accepted by the candidate, waiting for validation"),
    CandidateState.validated: _l("Validated"),
    CandidateState.rejected: _l("Rejected"),
    CandidateState.declined: _l("Declined by the candidate"),
}


class Candidate(Rendered, db.Model):
    """A person nominated by one organisation (one nomination per organisation and election)."""

    __tablename__ = "election_candidates"
    rendered_fields = ("statement",)  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (
        sa.UniqueConstraint("election_id", "organisation_id", name="one_nomination_per_organisation"),
        sa.UniqueConstraint("election_id", "user_id", name="one_nomination_per_person"),
        sa.UniqueConstraint("election_id", "public_code", name="candidate_code_unique"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        sa.ForeignKey("elections.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # The person's own account, which must accept the nomination.
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # The code that ballots carry; random, so that it says nothing about the list's order.
    public_code: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    bio: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    statement: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    state: Mapped[CandidateState] = enum_column(
        CandidateState, nullable=False, default=CandidateState.pending, index=True
    )
    reason: Mapped[str | None] = mapped_column(sa.Text)
    nominated_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    answered_at = mapped_column(UTCDateTime())
    decided_at = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    election: Mapped[Election] = relationship(back_populates="candidates")
    organisation = relationship("User", foreign_keys=[organisation_id])
    user = relationship("User", foreign_keys=[user_id])

    @property
    def state_label(self) -> str:
        return str(CANDIDATE_STATE_LABELS[self.state])

    @property
    def organisation_name(self) -> str:
        org = self.organisation
        if org is None:
            return ""
        # An organisation's name is public record (rolls, results): it outlives a deleted account.
        if org.organisation is not None:
            return org.organisation.legal_name
        return org.display_name


class RollEntry(db.Model):
    """One organisation of the frozen roll. `voted` is a flag only: no time, no order."""

    __tablename__ = "election_roll_entries"
    __table_args__ = (
        sa.UniqueConstraint("election_id", "organisation_id", name="one_roll_entry_per_organisation"),
        # A page of the roll is a range of positions (app/elections/queries.py roll_page).
        sa.Index("ix_election_roll_entries_election_position", "election_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        sa.ForeignKey("elections.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # The name as it stood when the roll was frozen (the published roll's hash covers it).
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    # The roll's published order (sorted by name); ids follow it, so they say nothing else.
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    voted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


def new_ballot_id() -> str:
    return str(uuid.uuid4())


class Ballot(db.Model):
    """One entry of the ballot box's hash chain. Append-only; no link to who cast it.

    Deliberately absent: any user, organisation or roll reference, any timestamp, any address,
    an autoincrement id (the id is random). Only the position in the public chain orders them.
    """

    __tablename__ = "election_ballots"
    __table_args__ = (
        sa.UniqueConstraint("election_id", "position", name="one_ballot_per_position"),
        sa.UniqueConstraint("receipt_digest", name="receipt_digest_unique"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_ballot_id)
    election_id: Mapped[int] = mapped_column(
        sa.ForeignKey("elections.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    receipt_digest: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # A validated candidate's public code, or NULL for a blank ballot.
    choice: Mapped[str | None] = mapped_column(sa.String(16))
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)


@event.listens_for(Ballot, "before_update")
def _ballots_are_final(mapper, connection, target):
    raise RuntimeError("a ballot cannot be changed once cast")


@event.listens_for(Ballot, "before_delete")
def _ballots_are_kept(mapper, connection, target):
    raise RuntimeError("a ballot cannot be removed from the box")


class SelfSelectionAgreement(Rendered, db.Model):
    """The record of a self-selection, used instead of a vote when too few organisations took part."""

    __tablename__ = "election_agreements"
    rendered_fields = ("notes",)  # Markdown, stored rendered (app/core/rendered.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        sa.ForeignKey("elections.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # [{"id": organisation user id, "name": name}], as the participants were when recorded.
    participants: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    titular_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    titular_organisation: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    suplente_name: Mapped[str | None] = mapped_column(sa.String(200))
    suplente_organisation: Mapped[str | None] = mapped_column(sa.String(300))
    agreed_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # The signed record, stored under the uploads directory with a random name.
    record_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    record_stored_name: Mapped[str] = mapped_column(sa.String(80), nullable=False, unique=True)
    record_content_type: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    record_size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    record_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    published_at = mapped_column(UTCDateTime())

    election = relationship("Election")

    @property
    def published(self) -> bool:
        return self.published_at is not None


class ElectionResult(db.Model):
    """One seat of a published result (of a vote or of a self-selection agreement)."""

    __tablename__ = "election_results"
    __table_args__ = (sa.UniqueConstraint("election_id", "seat_index", name="one_result_per_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        sa.ForeignKey("elections.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seat_index: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    seat_kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    # NULL for a vacant seat or for a self-selection (whose person may have no candidacy).
    winner_candidate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("election_candidates.id", ondelete="SET NULL")
    )
    winner_code: Mapped[str | None] = mapped_column(sa.String(16))
    winner_name: Mapped[str | None] = mapped_column(sa.String(200))
    winner_organisation: Mapped[str | None] = mapped_column(sa.String(300))
    winner_votes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # Votes per candidate code, blank ballots, ballots cast and the roll's size (turnout).
    votes: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    blank: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    ballots: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    roll_size: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    head_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # The drawing that broke a tie deciding this seat: tied codes, their keys and the order.
    tie_break: Mapped[dict | None] = mapped_column(sa.JSON)
    self_selection: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    published_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    winner = relationship("Candidate")

    @property
    def seat_label(self) -> str:
        return seat_label(self.seat_kind)
