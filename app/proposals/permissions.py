"""Who may do what with proposals: small predicates, denied by default."""
from app.accounts.models import Role
from app.accounts.permissions import facilitates
from app.core.permissions import can, rule
from app.proposals.models import FACILITATOR_TRANSITIONS, OPEN_STATES, ProposalState

PROPOSING_ROLES = {Role.citizen, Role.organisation, Role.moderator, Role.admin}


def _participates(actor) -> bool:
    return can(actor, "participate")


def _is_author(actor, proposal) -> bool:
    return actor is not None and proposal is not None and proposal.author_id == actor.id


@rule("proposals.create")
def _create(actor, plan=None):
    return _participates(actor) and actor.role in PROPOSING_ROLES


@rule("proposals.edit")
def _edit(actor, proposal):
    """Only the author, and only while nobody has reacted: later readers must see what others saw."""
    return (
        _is_author(actor, proposal)
        and _participates(actor)
        and proposal.state == ProposalState.submitted
        and proposal.support_count == 0
        and proposal.comment_count == 0
        and not proposal.is_hidden
    )


@rule("proposals.withdraw")
def _withdraw(actor, proposal):
    # A blocked author may still take their own proposal back.
    return (
        _is_author(actor, proposal)
        and actor.is_confirmed
        and proposal.state in OPEN_STATES
    )


@rule("proposals.answer")
def _answer(actor, proposal):
    """A reasoned answer without a change of state; anything but a withdrawn proposal."""
    return (
        proposal is not None
        and proposal.state != ProposalState.withdrawn
        and facilitates(actor, proposal.committee_id)
    )


@rule("proposals.change_state")
def _change_state(actor, proposal):
    return (
        proposal is not None
        and bool(FACILITATOR_TRANSITIONS.get(proposal.state))
        and facilitates(actor, proposal.committee_id)
    )


@rule("proposals.merge")
def _merge(actor, proposal):
    return (
        proposal is not None
        and proposal.state in OPEN_STATES
        and facilitates(actor, proposal.committee_id)
    )


@rule("proposals.support")
def _support(actor, proposal):
    """Authors may not support their own proposal: a support counts someone else's agreement."""
    return (
        proposal is not None
        and _participates(actor)
        and not _is_author(actor, proposal)
        and proposal.state in OPEN_STATES
        and not proposal.is_hidden
    )


@rule("proposals.unsupport")
def _unsupport(actor, proposal):
    # Supports freeze with the decision; until then anyone confirmed may take theirs back.
    return (
        proposal is not None
        and actor is not None
        and actor.is_confirmed
        and proposal.state in OPEN_STATES
    )
