"""Data sets of the elections of civil-society representatives: calendar, candidates, rolls, boxes, results."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
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
from app.opendata.schema import (
                                  Column,
                                  Dataset,
                                  Filter,
                                  committee_columns,
                                  enum_filter,
                                  eq,
                                  id_column,
)
from app.plans.models import Committee

ELECTION_ID = Column("election_id", "integer", _l("Number of the election (see the elections dataset)."))

_OVER = (ElectionState.closed, ElectionState.published)

elections = Dataset(
    slug="elections",
    title=_l("Elections"),
    description=_l("Elections of the civil-society representatives of each committee, with their calendar, "
                   "counts and the hashes that let anyone check the ballot box."),
    columns=(
        id_column(_l("election")),
        *committee_columns(),
        Column("title", "string", _l("Title of the election.")),
        Column("seats", "json", _l("Seats to fill, in order (cs_titular, then cs_suplente).")),
        Column("state", "string", _l("State: draft, nominating, voting, closed, published or self_selected.")),
        Column("nominations_open_at", "datetime", _l("When nominations open.")),
        Column("nominations_close_at", "datetime", _l("When nominations close.")),
        Column("voting_opens_at", "datetime", _l("When voting opens.")),
        Column("voting_closes_at", "datetime", _l("When voting closes.")),
        Column("ballot_count", "integer", _l("Ballots cast so far.")),
        Column("roll_hash", "string", _l("Hash of the frozen electoral roll."), nullable=True),
        Column("seed_commitment", "string", _l("Hash of the secret seed that breaks ties, published before "
                                               "voting."), nullable=True),
        Column("seed", "string", _l("The seed itself, revealed when voting closes."), nullable=True),
        Column("head_hash", "string", _l("Hash of the last ballot in the box."), nullable=True),
        Column("closed_at", "datetime", _l("When voting closed."), nullable=True),
        Column("closed_early_reason", "string", _l("Why voting closed before time."), nullable=True),
        Column("published_at", "datetime", _l("When the result was published."), nullable=True),
    ),
    query=lambda: sa.select(
        Election.id, Election.committee_id, Committee.slug.label("committee"), Election.title, Election.seats,
        Election.state, Election.nominations_open_at, Election.nominations_close_at, Election.voting_opens_at,
        Election.voting_closes_at, Election.ballot_count, Election.roll_hash, Election.seed_commitment,
        sa.case((Election.state.in_(_OVER), Election.seed), else_=None).label("seed"),
        Election.head_hash, Election.closed_at, Election.closed_early_reason, Election.published_at,
    ).join(Committee, Committee.id == Election.committee_id),
    key=(Election.id,),
    filters=(
        Filter("committee_id", "integer", _l("Only the elections of this committee."), eq(Election.committee_id)),
        enum_filter("state", Election.state, ElectionState, _l("Only elections in this state.")),
    ),
)

candidates = Dataset(
    slug="candidates",
    title=_l("Candidates"),
    description=_l("People on the ballot of each election (validated by the guarantor body), with the "
                   "organisation that nominated them."),
    columns=(
        id_column(_l("candidacy")),
        ELECTION_ID,
        Column("code", "string", _l("Public code of the candidate on the ballot and in the ballot box.")),
        Column("name", "string", _l("Name of the candidate.")),
        Column("organisation", "string", _l("Organisation that nominated the candidate.")),
        Column("bio", "string", _l("Short biography (Markdown).")),
        Column("statement", "string", _l("Statement of the candidate (Markdown).")),
    ),
    query=lambda: sa.select(
        Candidate.id, Candidate.election_id, Candidate.public_code.label("code"), Candidate.name,
        User.name.label("organisation"), Candidate.bio, Candidate.statement,
    ).join(User, User.id == Candidate.organisation_id).where(Candidate.state == CandidateState.validated),
    key=(Candidate.id,),
    filters=(Filter("election_id", "integer", _l("Only the candidates of this election."),
                    eq(Candidate.election_id)),),
)

roll = Dataset(
    slug="election-rolls",
    title=_l("Electoral rolls"),
    description=_l("The organisations entitled to vote in each election, frozen when voting opened. Whether each "
                   "one voted is published when voting closes; how it voted is secret and never recorded with "
                   "its name."),
    columns=(
        id_column(_l("roll entry")),
        ELECTION_ID,
        Column("position", "integer", _l("Place on the roll.")),
        Column("organisation", "string", _l("Name of the organisation, as on the roll.")),
        Column("voted", "boolean", _l("Whether it voted; empty until voting closes."), nullable=True),
    ),
    query=lambda: sa.select(
        RollEntry.id, RollEntry.election_id, RollEntry.position, RollEntry.name.label("organisation"),
        sa.case((Election.state.in_(_OVER), RollEntry.voted), else_=None).label("voted"),
    ).join(Election, Election.id == RollEntry.election_id)
    .where(Election.state.not_in((ElectionState.draft, ElectionState.nominating))),
    key=(RollEntry.id,),
    filters=(Filter("election_id", "integer", _l("Only the roll of this election."), eq(RollEntry.election_id)),),
)

ballots = Dataset(
    slug="ballots",
    title=_l("Ballot boxes"),
    description=_l("Every ballot of each closed election, in the order cast, hash-chained: anyone can recount "
                   "and check the chain with the published verifier. A ballot carries no voter."),
    columns=(
        Column("id", "string", _l("Unique identifier of the ballot (random).")),
        ELECTION_ID,
        Column("position", "integer", _l("Order in which the ballot entered the box.")),
        Column("receipt_digest", "string", _l("Hash of the voter's receipt, to find one's own ballot.")),
        Column("choice", "json", _l("Codes chosen, in order of seats; blank when empty.")),
        Column("prev_hash", "string", _l("Hash of the previous ballot (chain).")),
        Column("entry_hash", "string", _l("Hash of this ballot.")),
    ),
    query=lambda: sa.select(
        Ballot.id, Ballot.election_id, Ballot.position, Ballot.receipt_digest, Ballot.choice, Ballot.prev_hash,
        Ballot.entry_hash,
    ).join(Election, Election.id == Ballot.election_id).where(Election.state.in_(_OVER)),
    key=(Ballot.election_id, Ballot.position),
    filters=(Filter("election_id", "integer", _l("Only the ballots of this election."), eq(Ballot.election_id)),),
)

results = Dataset(
    slug="election-results",
    title=_l("Election results"),
    description=_l("Published results, seat by seat, of votes and of self-selection agreements."),
    columns=(
        id_column(_l("result")),
        ELECTION_ID,
        Column("seat_index", "integer", _l("Seat (0 is the titular, 1 the alternate).")),
        Column("seat_kind", "string", _l("Kind of seat: cs_titular or cs_suplente.")),
        Column("winner_code", "string", _l("Code of the person elected; empty for a vacant seat."), nullable=True),
        Column("winner_name", "string", _l("Name of the person elected."), nullable=True),
        Column("winner_organisation", "string", _l("Organisation of the person elected."), nullable=True),
        Column("winner_votes", "integer", _l("Votes for the person elected.")),
        Column("votes", "json", _l("Votes for each candidate code.")),
        Column("blank", "integer", _l("Blank ballots for this seat.")),
        Column("ballots", "integer", _l("Ballots cast.")),
        Column("roll_size", "integer", _l("Organisations on the roll (turnout = ballots / roll_size).")),
        Column("tie_break", "json", _l("How a tie was broken, if there was one."), nullable=True),
        Column("self_selection", "boolean", _l("Whether the seat was filled by a self-selection agreement.")),
        Column("published_at", "datetime", _l("When it was published.")),
    ),
    query=lambda: sa.select(
        ElectionResult.id, ElectionResult.election_id, ElectionResult.seat_index, ElectionResult.seat_kind,
        ElectionResult.winner_code, ElectionResult.winner_name, ElectionResult.winner_organisation,
        ElectionResult.winner_votes, ElectionResult.votes, ElectionResult.blank, ElectionResult.ballots,
        ElectionResult.roll_size, ElectionResult.tie_break, ElectionResult.self_selection,
        ElectionResult.published_at,
    ),
    key=(ElectionResult.id,),
    filters=(Filter("election_id", "integer", _l("Only the results of this election."),
                    eq(ElectionResult.election_id)),),
)

agreements = Dataset(
    slug="self-selection-agreements",
    title=_l("Self-selection agreements"),
    description=_l("Where too few organisations took part to vote, the recorded agreement by which they chose "
                   "their representatives."),
    columns=(
        id_column(_l("agreement")),
        ELECTION_ID,
        Column("participants", "json", _l("Organisations that took part in the agreement.")),
        Column("titular_name", "string", _l("Representative chosen.")),
        Column("titular_organisation", "string", _l("Organisation of the representative.")),
        Column("suplente_name", "string", _l("Alternate chosen."), nullable=True),
        Column("suplente_organisation", "string", _l("Organisation of the alternate."), nullable=True),
        Column("agreed_on", "date", _l("Date of the agreement.")),
        Column("notes", "string", _l("Notes of the guarantor body.")),
        Column("record_sha256", "string", _l("SHA-256 of the signed record, to check the published file.")),
        Column("published_at", "datetime", _l("When it was published.")),
    ),
    query=lambda: sa.select(
        SelfSelectionAgreement.id, SelfSelectionAgreement.election_id, SelfSelectionAgreement.participants,
        SelfSelectionAgreement.titular_name, SelfSelectionAgreement.titular_organisation,
        SelfSelectionAgreement.suplente_name, SelfSelectionAgreement.suplente_organisation,
        SelfSelectionAgreement.agreed_on, SelfSelectionAgreement.notes, SelfSelectionAgreement.record_sha256,
        SelfSelectionAgreement.published_at,
    ).where(SelfSelectionAgreement.published_at.is_not(None)),
    key=(SelfSelectionAgreement.id,),
)

DATASETS = (elections, candidates, roll, ballots, results, agreements)
