"""The facilitators' reasoned answers: with a change of state, or leaving the state as it is.

`change_state` is also called by other areas' services (a dialogue table's agenda puts proposals
`in_dialogue`, a commitment accepts them): it flushes, and their unit of work commits it."""
from flask_babel import gettext as _

from app.accounts.models import User
from app.core.audit import record
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.extensions import db
from app.proposals.models import FACILITATOR_TRANSITIONS, Proposal, ProposalAnswer, ProposalState
from app.proposals.services.common import answer_text, move_state, notify_answer


def change_state(actor: User, proposal: Proposal, new_state: ProposalState, answer: str) -> ProposalAnswer:
    """Move a proposal to another state with a public, reasoned answer."""
    require(actor, "proposals.change_state", proposal)
    try:
        new_state = ProposalState(new_state)
    except ValueError:
        raise ValidationError(_("Choose a state."), field="state") from None
    from_state = proposal.state
    if new_state not in FACILITATOR_TRANSITIONS.get(from_state, set()):
        raise InvalidTransition(
            _("A proposal cannot go from “%(old)s” to that state.", old=proposal.state_label)
        )
    text = answer_text(answer)
    move_state(proposal, from_state, new_state)
    answer_row = ProposalAnswer(proposal_id=proposal.id, actor_id=actor.id, from_state=from_state,
                                to_state=new_state, body=text)
    db.session.add(answer_row)
    record(actor, "proposal.state_changed", proposal, reason=text, public=True,
           committee_id=proposal.committee_id, reference=proposal.reference,
           from_state=from_state.value, to_state=new_state.value)
    notify_answer(actor, proposal, new_state)
    db.session.flush()
    return answer_row


def answer_proposal(actor: User, proposal: Proposal, answer: str) -> ProposalAnswer:
    """A public, reasoned answer that leaves the state as it is."""
    require(actor, "proposals.answer", proposal)
    text = answer_text(answer)
    answer_row = ProposalAnswer(proposal_id=proposal.id, actor_id=actor.id,
                                from_state=proposal.state, to_state=proposal.state, body=text)
    db.session.add(answer_row)
    record(actor, "proposal.answered", proposal, reason=text, public=True,
           committee_id=proposal.committee_id, reference=proposal.reference,
           state=proposal.state.value)
    notify_answer(actor, proposal, proposal.state)
    db.session.flush()
    return answer_row
