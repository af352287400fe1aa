"""What the election pages share: loading an election or a nomination, the way back to an
election's pages, and the helpers every election template may use."""
from flask import url_for
from flask_babel import gettext as _

from app.core.views import load_or_404, redirect_with
from app.elections import bp, chain, queries
from app.elections.models import CandidateState, Election, ElectionState

AUDIT_LABELS = {
    "election.created": lambda: _("Election created"),
    "election.edited": lambda: _("Election edited before its windows opened"),
    "election.nominations_opened": lambda: _("Nominations opened"),
    "election.candidate_validated": lambda: _("Candidate validated"),
    "election.candidate_rejected": lambda: _("Candidate rejected"),
    "election.voting_opened": lambda: _("Voting opened; roll frozen and published"),
    "election.closed": lambda: _("Voting closed"),
    "election.result_published": lambda: _("Result published"),
    "election.agreement_recorded": lambda: _("Self-selection agreement recorded"),
    "election.agreement_published": lambda: _("Self-selection agreement published"),
}


@bp.context_processor
def _helpers():
    return {
        "format_receipt": chain.format_receipt,
        "audit_label": lambda action: AUDIT_LABELS.get(action, lambda: action)(),
        "CandidateState": CandidateState,
        "ElectionState": ElectionState,
    }


def load_election(election_id: int) -> Election:
    return load_or_404(queries.election_by_id(election_id),
                       _("There is no election with that number."))


def load_election_with_agreement(election_id: int):
    """load_election and the election's self-selection agreement (or None), in one statement."""
    return load_or_404(queries.election_with_agreement(election_id),
                       _("There is no election with that number."))


def load_candidate(candidate_id: int):
    return load_or_404(queries.candidate_by_id(candidate_id),
                       _("There is no nomination with that number."))


def to_election(election: Election, message: str, anchor: str | None = None):
    return redirect_with(message, url_for("elections.show", election_id=election.id,
                                          _anchor=anchor), status=303)


def to_manage(election: Election, message: str):
    return redirect_with(message, url_for("elections.manage", election_id=election.id), status=303)
