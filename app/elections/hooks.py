"""What elections plug into the areas below: the lock on a committee's applications once its
voting has opened (calls), open candidacies declined when an account goes, and candidacies, rolls
and self-selection agreements in the person's data export (accounts)."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section, on_account_deleted
from app.calls.locks import register_lock
from app.calls.models import CallApplication
from app.core.audit import record
from app.core.db import utcnow
from app.elections import queries
from app.elections.models import (
    Candidate,
    CandidateState,
    Election,
    ElectionState,
    RollEntry,
    SelfSelectionAgreement,
)
from app.extensions import db
from app.follows import targets as follow_targets

BALLOT_NOTE = _l(
    "Ballots are secret: the platform keeps no link between an organisation and its ballot, so "
    "this export can say whether your organisation voted, never what it voted."
)
AGREEMENT_NOTE = _l(
    "Self-selection agreements name the people chosen as free text, without an account: they "
    "are listed here where your organisation took part in the agreement or you recorded it."
)

# From the opening of voting the electorate of the election's call is frozen: its decisions too.
register_lock(queries.voting_has_opened)


@on_account_deleted
def _decline_open_candidacies(user) -> None:
    """A person who left cannot stand: nominations in elections still taking them are declined.

    Once voting opened the candidates are sealed in the ballot box's header, so those stay; so
    do published results, whose names are part of the public record.
    """
    open_states = (CandidateState.pending, CandidateState.accepted, CandidateState.validated)
    now = utcnow()
    for candidate, election in db.session.execute(
        sa.select(Candidate, Election)
        .join(Election, Election.id == Candidate.election_id)
        .where(
            Candidate.user_id == user.id,
            Candidate.state.in_(open_states),
            Election.state.in_((ElectionState.draft, ElectionState.nominating)),
        )
    ):
        candidate.state = CandidateState.declined
        candidate.answered_at = now
        record(user, "election.nomination_declined", election, committee_id=election.committee_id,
               candidate_id=candidate.id, reason="account deleted")


@export_section
def _elections(user_id: int) -> dict:
    candidacies = [
        {
            "election": title, "as": "candidate" if c.user_id == user_id else "nominating_organisation",
            "name": c.name, "bio": c.bio, "statement": c.statement, "state": c.state.value,
            "reason": c.reason, "nominated_at": iso(c.nominated_at),
            "answered_at": iso(c.answered_at), "decided_at": iso(c.decided_at),
        }
        for c, title in rows(
            sa.select(Candidate, Election.title)
            .join(Election, Election.id == Candidate.election_id)
            .where(sa.or_(Candidate.user_id == user_id, Candidate.organisation_id == user_id))
            .order_by(Candidate.id)
        )
    ]
    roll = [
        {"election": title, "name": name, "voted": bool(voted)}
        for title, name, voted in rows(
            sa.select(Election.title, RollEntry.name, RollEntry.voted)
            .join(Election, Election.id == RollEntry.election_id)
            .where(RollEntry.organisation_id == user_id)
            .order_by(RollEntry.election_id)
        )
    ]
    # Participants are stored as JSON; the query narrows to the committees the organisation
    # applied to (the only ones whose agreements can name it), the JSON is read here.
    applied = sa.select(CallApplication.committee_id).where(CallApplication.organisation_id == user_id)
    agreements = [
        {
            "election": title, "participants": [p.get("name") for p in a.participants],
            "titular": a.titular_name, "titular_organisation": a.titular_organisation,
            "suplente": a.suplente_name, "suplente_organisation": a.suplente_organisation,
            "agreed_on": iso(a.agreed_on), "recorded_by_you": a.recorded_by_id == user_id,
            "published_at": iso(a.published_at),
        }
        for a, title in rows(
            sa.select(SelfSelectionAgreement, Election.title)
            .join(Election, Election.id == SelfSelectionAgreement.election_id)
            .where(sa.or_(Election.committee_id.in_(applied),
                          SelfSelectionAgreement.recorded_by_id == user_id))
            .order_by(SelfSelectionAgreement.id)
        )
        if a.recorded_by_id == user_id
        or any(isinstance(p, dict) and p.get("id") == user_id for p in a.participants or [])
    ]
    return {
        "election_candidacies": candidacies,
        "election_rolls": {"note": str(BALLOT_NOTE), "entries": roll},
        "self_selection_agreements": {"note": str(AGREEMENT_NOTE), "entries": agreements},
    }


# --- Following (app/follows/targets.py) ----------------------------------------------------------

def _election_path(election: Election) -> str:
    return current_app.url_map.bind("localhost").build("elections.show", {"election_id": election.id})


follow_targets.register(follow_targets.Target(
    kind="election",
    label=_l("Elections"),
    model=Election,
    visible=lambda actor, election: True,
    title=lambda election: election.title,
    path=_election_path,
    sources=lambda: [
        follow_targets.Source(_("New nomination"), Candidate.election_id, Candidate.nominated_at),
        follow_targets.Source(_("Voting opened"), Election.id, Election.voting_opened_at),
        follow_targets.Source(_("Voting closed"), Election.id, Election.closed_at),
        follow_targets.Source(_("Results published"), Election.id, Election.published_at),
    ],
))
