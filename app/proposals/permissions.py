"""Who may do what with proposals: small predicates, denied by default, that carry their reason.

A refusal because of who asks is `deny` (403); one because of the state the proposal is in is
`not_now` (409). Taking part at all is the "participate" rule's, with its own reasons."""
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.permissions import facilitates
from app.core.clock import today
from app.core.permissions import check, deny, not_now, rule
from app.plans.queries import proposals_refusal
from app.proposals.models import FACILITATOR_TRANSITIONS, OPEN_STATES, ProposalState

PROPOSING_ROLES = {Role.citizen, Role.organisation, Role.moderator, Role.admin}


def _is_author(actor, proposal) -> bool:
    return actor is not None and proposal is not None and proposal.author_id == actor.id


def _not_facilitator():
    return deny(_("Only the committee's facilitators and the guarantor body act on its proposals."))


@rule("proposals.create")
def _create(actor, plan=None):
    """A participant, while a phase of the plan that accepts proposals covers today (the plan's
    phases say so: data, not code)."""
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if actor.role not in PROPOSING_ROLES:
        return False
    if plan is not None:
        refusal = proposals_refusal(plan, today())
        if refusal:
            return not_now(refusal)
    return True


@rule("proposals.edit")
def _edit(actor, proposal):
    """Only the author, and only while nobody has reacted: later readers must see what others saw."""
    if proposal is None:
        return False
    if not _is_author(actor, proposal):
        return deny(_("Only the author can edit a proposal, and only before it receives a support "
                      "or a comment."))
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if proposal.support_count or proposal.comment_count:
        return not_now(_("This proposal can no longer be edited: it has received a support or a "
                         "comment."))
    if proposal.state != ProposalState.submitted or proposal.is_hidden:
        return not_now(_("This proposal can no longer be edited."))
    return True


@rule("proposals.withdraw")
def _withdraw(actor, proposal):
    if proposal is None:
        return False
    if not _is_author(actor, proposal):
        return deny(_("Only the author can withdraw a proposal."))
    # A blocked author may still take their own proposal back; an unconfirmed one is told why not.
    if not actor.is_confirmed:
        return check(actor, "participate")
    if proposal.state not in OPEN_STATES:
        return not_now(_("This proposal can no longer be withdrawn."))
    return True


@rule("proposals.answer")
def _answer(actor, proposal):
    """A reasoned answer without a change of state; anything but a withdrawn proposal."""
    if proposal is None:
        return False
    if not facilitates(actor, proposal.committee_id):
        return _not_facilitator()
    if proposal.state == ProposalState.withdrawn:
        return not_now(_("A withdrawn proposal takes no more answers."))
    return True


@rule("proposals.change_state")
def _change_state(actor, proposal):
    if proposal is None:
        return False
    if not facilitates(actor, proposal.committee_id):
        return _not_facilitator()
    if not FACILITATOR_TRANSITIONS.get(proposal.state):
        return not_now(_("The state of this proposal can no longer change."))
    return True


@rule("proposals.merge")
def _merge(actor, proposal):
    if proposal is None:
        return False
    if not facilitates(actor, proposal.committee_id):
        return _not_facilitator()
    if proposal.state not in OPEN_STATES:
        return not_now(_("Only an open proposal can be merged."))
    return True


@rule("proposals.support")
def _support(actor, proposal):
    """Authors may not support their own proposal: a support counts someone else's agreement."""
    if proposal is None:
        return False
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if _is_author(actor, proposal):
        return deny(_("Authors cannot support their own proposal."))
    if proposal.state not in OPEN_STATES or proposal.is_hidden:
        return not_now(_("This proposal no longer accepts supports."))
    return True


@rule("proposals.unsupport")
def _unsupport(actor, proposal):
    # Supports freeze with the decision; until then anyone confirmed may take theirs back.
    if proposal is None or actor is None:
        return False
    if not actor.is_confirmed:
        return check(actor, "participate")
    if proposal.state not in OPEN_STATES:
        return not_now(_("Supports stay as they were once the proposal is decided."))
    return True
