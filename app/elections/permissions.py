"""Permission rules of elections: the guarantor body runs them, organisations nominate and vote,
people answer their nominations; each refusal says why.

A refusal because of who asks is a `deny` (403): not an organisation, not approved for the
committee, not on the frozen roll. One because of the election's state is `not_now` (409): the
window is shut, the organisation has already voted. The services require these rules; the pages
check them before showing a form (one evaluation per request: decisions are memoised).
"""
from flask_babel import gettext as _

from app.accounts.permissions import is_admin
from app.core.permissions import DENIED, Decision, check, deny, not_now, rule
from app.elections import queries
from app.elections.models import ElectionState
from app.elections.windows import nomination_problem, voting_problem


def already_voted_message() -> str:
    return _("Your organisation has already voted in this election. A ballot cannot be changed "
             "once cast.")


@rule("elections.manage")
def _manage(actor, target=None):
    """Create, edit, open, validate, close, publish, record agreements: the guarantor body."""
    if not is_admin(actor):
        return deny(_("Only the guarantor body runs elections."))
    return True


def _organisation(actor, refusal: str) -> Decision | bool:
    """A verified organisation that may take part; otherwise `refusal` (or why it may not take
    part: an unconfirmed email, a block)."""
    if actor is None:
        return DENIED
    if not actor.is_organisation:
        return deny(refusal)
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    return True if actor.is_verified_organisation else deny(refusal)


def _organisation_now(actor, election, refusal: str, window_problem) -> Decision | bool:
    """A verified organisation that may take part, while the election's window is open
    (`window_problem(election)` says why it is not)."""
    who = _organisation(actor, refusal)
    if not who or election is None:
        return who
    problem = window_problem(election)
    return not_now(problem) if problem else True


@rule("elections.nominate")
def _nominate(actor, election=None):
    """An organisation approved for the committee, inside the nomination window."""
    decision = _organisation_now(actor, election, _("Only verified organisations approved for "
                                                    "this committee can nominate."),
                                 nomination_problem)
    if not decision or election is None:
        return decision
    if not queries.is_approved(election, actor.id):
        return deny(_("Your organisation is not approved for this committee in the call, so it "
                      "cannot nominate a candidate."))
    return True


@rule("elections.vote")
def _vote(actor, election=None):
    """An organisation on the election's frozen roll that has not voted, inside the voting
    window. Casting asks the database again (the window under the election's lock, the roll's
    conditional UPDATE): a close or another tab may have won meanwhile."""
    decision = _organisation_now(actor, election, _("Only organisations approved for this "
                                                    "committee vote. Citizens and other accounts "
                                                    "can follow the election and check its "
                                                    "ballot box."), voting_problem)
    if not decision or election is None:
        return decision
    entry = queries.roll_entry_of(election.id, actor.id)
    if entry is None:
        return deny(_("Your organisation is not on this election's roll: only the organisations "
                      "approved for this committee when voting opened can vote."))
    if entry.voted:
        return not_now(already_voted_message())
    return True


@rule("elections.answer_nomination")
def _answer(actor, candidate=None):
    """Only the person nominated accepts or declines the nomination, while nominations last."""
    if candidate is None or actor is None or not actor.is_confirmed or candidate.user_id != actor.id:
        return deny(_("Only the person nominated can answer this nomination."))
    if candidate.election.state != ElectionState.nominating:
        return not_now(_("The nominations of this election are over."))
    return True


@rule("elections.see_counts")
def _see_counts(actor, election=None):
    """Nobody, admins included, before the close: the rule looks at the election only."""
    return election is not None and election.state in (ElectionState.closed, ElectionState.published)
