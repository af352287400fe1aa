"""Reads of elections shared by the pages, the box export and the services.

Nothing here counts votes before the close: `choices()` refuses while the election is open.
"""
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.accounts.models import User
from app.calls.models import Call
from app.calls.queries import approved_count, approved_organisations, calls_covering
from app.calls.queries import is_approved as approved_in_call
from app.core.audit import AuditEntry
from app.core.errors import InvalidTransition
from app.core.text import fold
from app.elections.models import (
    Ballot,
    Candidate,
    CandidateState,
    Election,
    ElectionResult,
    ElectionState,
    RollEntry,
    SelfSelectionAgreement,
)
from app.extensions import db
from app.plans.models import Committee


def electorate(election: Election) -> list[User]:
    """The organisations approved now for the election's committee in the election's own call
    (not in whichever call is the latest): the roll frozen when voting opens."""
    return approved_organisations(election.committee_id, election.call_id)


def is_approved(election: Election, organisation_id: int) -> bool:
    """Whether the organisation is in `electorate(election)`, in one statement that reads no other."""
    return approved_in_call(election.committee_id, election.call_id, organisation_id)


def electorate_size(election: Election) -> int:
    return approved_count(election.committee_id, election.call_id)


def default_call_id(committee_id: int) -> int | None:
    """The call a new election of the committee belongs to unless the guarantor body chooses:
    the latest published call that includes the committee and has no election for it yet."""
    return db.session.scalar(
        calls_covering(committee_id)
        .where(~sa.exists().where(Election.committee_id == committee_id,
                                  Election.call_id == Call.id))
        .limit(1)
    )


def organisation_name(user: User) -> str:
    if user.organisation is not None and user.deleted_at is None:
        return user.organisation.legal_name
    return user.display_name


def _election(*entities):
    return (sa.select(Election, *entities)
            .options(joinedload(Election.committee).joinedload(Committee.plan),
                     joinedload(Election.call)))


def election_by_id(election_id: int) -> Election | None:
    return db.session.scalar(_election().where(Election.id == election_id))


def election_with_agreement(election_id: int) -> tuple[Election, SelfSelectionAgreement | None] | None:
    """election_by_id and its self-selection agreement (None when it has none), in one statement."""
    row = db.session.execute(
        _election(SelfSelectionAgreement).where(Election.id == election_id)
        .outerjoin(SelfSelectionAgreement, SelfSelectionAgreement.election_id == Election.id)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def all_elections() -> list[Election]:
    return list(db.session.scalars(
        sa.select(Election)
        .join(Committee, Committee.id == Election.committee_id)
        .order_by(Election.voting_opens_at.desc(), Committee.position, Election.id)
        .options(joinedload(Election.committee))
    ))


def elections_of_committee(committee_id: int) -> list[Election]:
    return list(db.session.scalars(
        sa.select(Election).where(Election.committee_id == committee_id)
        .order_by(Election.voting_opens_at.desc(), Election.id.desc())
    ))


def committees() -> list[Committee]:
    return list(db.session.scalars(
        sa.select(Committee).order_by(Committee.plan_id.desc(), Committee.position, Committee.id)
        .options(joinedload(Committee.plan))
    ))


def _candidates_query(election_id: int):
    return (
        sa.select(Candidate)
        .where(Candidate.election_id == election_id)
        .options(*_candidate_people())
    )


def _candidate_people():
    """The organisation and the person of a candidate, without the moderator scopes every User
    would otherwise load (a statement per kind of user: the pages show none)."""
    return (joinedload(Candidate.organisation).options(joinedload(User.organisation),
                                                       lazyload(User.moderator_scopes)),
            joinedload(Candidate.user).lazyload(User.moderator_scopes))


def _by_name(candidates) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (fold(c.name), c.name, c.id))


def all_candidates(election_id: int) -> list[Candidate]:
    return _by_name(db.session.scalars(_candidates_query(election_id)).unique())


@functools.cache
def _validated_statement():
    """Built once per process, the election as a parameter (every election page runs it; building
    it costs more than running it). Thread-safe: a statement is immutable."""
    return (sa.select(Candidate)
            .where(Candidate.election_id == sa.bindparam("election_id"),
                   Candidate.state == CandidateState.validated)
            .options(*_candidate_people()))


def validated_candidates(election_id: int) -> list[Candidate]:
    """The public list, and the ballot's options, in alphabetical order."""
    return _by_name(db.session.scalars(_validated_statement(), {"election_id": election_id}).unique())


def candidate_by_id(candidate_id: int) -> Candidate | None:
    return db.session.scalar(
        sa.select(Candidate).where(Candidate.id == candidate_id)
        .options(joinedload(Candidate.election).joinedload(Election.committee),
                 *_candidate_people())
    )


def nomination_of(election_id: int, organisation_id: int) -> Candidate | None:
    return db.session.scalar(
        sa.select(Candidate).where(Candidate.election_id == election_id,
                                   Candidate.organisation_id == organisation_id)
        .options(joinedload(Candidate.user))
    )


def nominations_for_person(user_id: int) -> list[Candidate]:
    return list(db.session.scalars(
        sa.select(Candidate).where(Candidate.user_id == user_id)
        .order_by(Candidate.nominated_at.desc(), Candidate.id.desc())
        .options(joinedload(Candidate.election).joinedload(Election.committee),
                 joinedload(Candidate.organisation).joinedload(User.organisation))
    ))


def roll(election_id: int) -> list[RollEntry]:
    return list(db.session.scalars(
        sa.select(RollEntry).where(RollEntry.election_id == election_id)
        .order_by(RollEntry.position)
    ))


def roll_entry_of(election_id: int, organisation_id: int) -> RollEntry | None:
    return db.session.scalar(
        sa.select(RollEntry).where(RollEntry.election_id == election_id,
                                   RollEntry.organisation_id == organisation_id)
    )


def roll_size(election_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RollEntry.id)).where(RollEntry.election_id == election_id)
    ) or 0


@dataclass(frozen=True)
class RollCounts:
    """The roll's size and how many on it voted (None while voting: who voted is not public)."""

    size: int
    voted: int | None


def roll_counts(election: Election) -> RollCounts:
    """The roll's figures without reading the roll: a published result stored them (it never
    changes); after the close the ballots are the organisations marked as voted (the close checks
    it); otherwise one count in SQL. (0, None) before voting opens."""
    if election.state in (ElectionState.draft, ElectionState.nominating,
                          ElectionState.self_selected):
        return RollCounts(0, None)
    if election.state == ElectionState.published and election.result_data:
        return RollCounts(int(election.result_data["roll_size"]),
                          int(election.result_data["ballots"]))
    return RollCounts(roll_size(election.id), election.ballot_count if election.is_over else None)


ROLL_PAGE_SIZE = 100


def roll_page(election_id: int, page: int, size: int = ROLL_PAGE_SIZE) -> list[RollEntry]:
    """One page of the roll in its published order: positions run 1..n with no gap (the roll is
    frozen when voting opens), so a page is a range of positions, read by index whatever the
    page's depth."""
    first = (page - 1) * size + 1
    return list(db.session.scalars(
        sa.select(RollEntry)
        .where(RollEntry.election_id == election_id,
               RollEntry.position.between(first, first + size - 1))
        .order_by(RollEntry.position)
    ))


def voted_organisation_ids(election_id: int) -> list[int]:
    return list(db.session.scalars(
        sa.select(RollEntry.organisation_id)
        .where(RollEntry.election_id == election_id, RollEntry.voted.is_(True))
        .order_by(RollEntry.organisation_id)
    ))


def ballot_by_receipt_digest(election_id: int, digest: str) -> Ballot | None:
    return db.session.scalar(
        sa.select(Ballot).where(Ballot.election_id == election_id, Ballot.receipt_digest == digest)
    )


def ballot_rows(election_id: int):
    """(position, receipt_digest, choice, prev_hash, entry_hash) in order, streamed."""
    return db.session.execute(
        sa.select(Ballot.position, Ballot.receipt_digest, Ballot.choice, Ballot.prev_hash,
                  Ballot.entry_hash)
        .where(Ballot.election_id == election_id)
        .order_by(Ballot.position)
        .execution_options(yield_per=5000)
    )


def choices(election: Election) -> list[str | None]:
    """Every ballot's choice, in order; only once voting is closed (nobody counts before)."""
    if election.state not in (ElectionState.closed, ElectionState.published):
        raise InvalidTransition("the ballots are counted only after the close")
    return list(db.session.scalars(
        sa.select(Ballot.choice).where(Ballot.election_id == election.id).order_by(Ballot.position)
    ))


def results(election_id: int) -> list[ElectionResult]:
    return list(db.session.scalars(
        sa.select(ElectionResult).where(ElectionResult.election_id == election_id)
        .order_by(ElectionResult.seat_index)
    ))


# An election's page is kept as a fragment once its result is final: nothing on it moves then but
# by a correction (a name, the record), which its version reads.
FINAL_STATES = (ElectionState.published, ElectionState.self_selected)


@functools.cache
def _page_version_statement(alongside: sa.Select) -> tuple[sa.Select, list[int]]:
    """The version's statement with the statement `alongside` it as more columns (app/core/
    read_along.py), and the widths of its parts; built once per process and statement alongside,
    with the election as a parameter (thread-safe: immutable)."""
    from app.accounts.models import Organisation
    from app.core import read_along
    from app.core.fragments import fingerprint

    election_id = sa.bindparam("election_id", type_=sa.Integer)
    candidates = (sa.select(fingerprint(Candidate.id, Candidate.state, Candidate.name, Candidate.public_code,
                                        sa.func.length(Candidate.bio), sa.func.length(Candidate.statement),
                                        Candidate.rendered_version, User.name, User.deleted_at,
                                        Organisation.legal_name))
                  .select_from(Candidate).join(User, User.id == Candidate.organisation_id)
                  .outerjoin(Organisation, Organisation.user_id == User.id)
                  .where(Candidate.election_id == election_id))
    seats = (sa.select(fingerprint(ElectionResult.id, ElectionResult.seat_index, ElectionResult.seat_kind,
                                   ElectionResult.winner_name, ElectionResult.winner_organisation,
                                   ElectionResult.winner_votes))
             .where(ElectionResult.election_id == election_id))
    trail = (sa.select(fingerprint(AuditEntry.id, AuditEntry.public))
             .where(AuditEntry.target_type == "Election", AuditEntry.target_id == election_id))
    return read_along.side_by_side([candidates, seats, trail], (alongside,))


def page_version(election: Election, agreement: SelfSelectionAgreement | None, reader) -> tuple:
    """What changes whenever an election's page (its shared body) would, in one statement: the
    election, its committee, call and agreement are loaded already and read as they are; its
    candidates (and their organisations' names), seats and public record as the values shown.
    The same statement reads the follow box's state for `reader`, which the page shows next."""
    from app.core.fragments import row_values
    from app.follows import queries as follows

    row = follows.read_with_follow_state(_page_version_statement, {"election_id": election.id},
                                         reader, "election", election.id)
    return (row_values(election), row_values(election.committee), row_values(election.call), row_values(agreement),
            tuple(str(value) for value in row))


def agreement_of(election_id: int) -> SelfSelectionAgreement | None:
    return db.session.scalar(
        sa.select(SelfSelectionAgreement).where(SelfSelectionAgreement.election_id == election_id)
    )


def audit_trail(election_id: int) -> list[AuditEntry]:
    """The public administrative acts on this election, oldest first."""
    return list(db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.target_type == "Election", AuditEntry.target_id == election_id,
               AuditEntry.public.is_(True))
        .order_by(AuditEntry.created_at, AuditEntry.id)
        # The page shows what was done, not who did it: no actor (nor their scopes) to load.
        .options(lazyload(AuditEntry.actor))
    ))


def open_elections_for(organisation_id: int) -> list[Election]:
    """Elections where this organisation is on the roll and voting is open (for its pages)."""
    return list(db.session.scalars(
        sa.select(Election)
        .join(RollEntry, RollEntry.election_id == Election.id)
        .where(RollEntry.organisation_id == organisation_id,
               Election.state == ElectionState.voting)
        .options(selectinload(Election.candidates))
    ))


# Once an election reaches one of these states, the electorate its call gives the committee is
# frozen: the roll was published (or a self-selection agreement replaced the vote).
LOCKING_STATES = (ElectionState.voting, ElectionState.closed, ElectionState.published,
                  ElectionState.self_selected)


def voting_has_opened(call_id: int, committee_id: int) -> bool:
    """True once an election of the call for the committee has opened voting (or later), or was
    settled by a self-selection agreement: from then on the decisions on that call's applications
    to the committee cannot change; other calls' stay open (registered with app/calls/locks.py by
    app/elections/hooks.py)."""
    return db.session.scalar(
        sa.select(sa.exists().where(Election.call_id == call_id,
                                    Election.committee_id == committee_id,
                                    Election.state.in_(LOCKING_STATES)))
    ) is True


def voting_now(plan_id: int, now) -> list[tuple[Election, int]]:
    """The plan's elections whose voting window is open now, closing soonest first, each with the
    size of its roll (turnout = election.ballot_count of that); one statement (home page)."""
    roll = (sa.select(sa.func.count(RollEntry.id)).where(RollEntry.election_id == Election.id)
            .correlate(Election).scalar_subquery())
    rows = db.session.execute(
        sa.select(Election, roll)
        .join(Committee, Committee.id == Election.committee_id)
        .where(Committee.plan_id == plan_id, Election.state == ElectionState.voting,
               Election.voting_opens_at <= now, Election.voting_closes_at > now)
        .order_by(Election.voting_closes_at, Election.id)
        .options(joinedload(Election.committee))
    ).all()
    return [(election, size) for election, size in rows]


def ballots_pending_for(organisation_id: int, now) -> list[Election]:
    """Elections in their voting window where the organisation is on the roll and has not voted
    yet, closing soonest first."""
    return list(db.session.scalars(
        sa.select(Election)
        .join(RollEntry, RollEntry.election_id == Election.id)
        .where(RollEntry.organisation_id == organisation_id, RollEntry.voted.is_(False),
               Election.state == ElectionState.voting,
               Election.voting_opens_at <= now, Election.voting_closes_at > now)
        .order_by(Election.voting_closes_at, Election.id)
        .options(joinedload(Election.committee))
    ))
