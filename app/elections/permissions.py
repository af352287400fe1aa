"""Permission rules of elections: the guarantor body runs them, organisations vote, people accept.

The rules are about who the actor is; whether an organisation is approved for the committee or
on the frozen roll is a fact of the database, checked by the services with a precise message.
"""
from app.accounts.permissions import is_admin
from app.core.permissions import can, rule
from app.elections.models import ElectionState


@rule("elections.manage")
def _manage(actor, target=None):
    """Create, edit, open, validate, close, publish, record agreements: the guarantor body."""
    return is_admin(actor)


def _organisation(actor) -> bool:
    return (
        actor is not None
        and actor.is_organisation
        and can(actor, "participate")
        and actor.is_verified_organisation
    )


@rule("elections.nominate")
def _nominate(actor, election=None):
    return _organisation(actor)


@rule("elections.vote")
def _vote(actor, election=None):
    return _organisation(actor)


@rule("elections.answer_nomination")
def _answer(actor, candidate=None):
    """Only the person nominated accepts or declines the nomination."""
    return (
        candidate is not None
        and actor is not None
        and actor.is_confirmed
        and candidate.user_id == actor.id
    )


@rule("elections.see_counts")
def _see_counts(actor, election=None):
    """Nobody, admins included, before the close: the rule looks at the election only."""
    return election is not None and election.state in (ElectionState.closed, ElectionState.published)
