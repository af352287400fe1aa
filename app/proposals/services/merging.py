"""Merging a proposal into another that says the same: both pages link each other."""
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.permissions import facilitates
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.extensions import db
from app.proposals.models import Proposal, ProposalAnswer, ProposalState
from app.proposals.services.common import answer_text, move_state, tell_author_and_supporters


def _check_merge_target(actor: User, proposal: Proposal, into: Proposal | None) -> None:
    if into is None:
        raise ValidationError(_("No proposal has that reference."), field="into")
    if into.id == proposal.id:
        raise ValidationError(_("A proposal cannot be merged into itself."), field="into")
    if into.plan_id != proposal.plan_id:
        raise ValidationError(_("Choose a proposal of the same plan."), field="into")
    if into.state in (ProposalState.merged, ProposalState.withdrawn) or into.is_hidden:
        raise ValidationError(
            _("That proposal was merged, withdrawn or hidden; choose the one that remains."),
            field="into",
        )
    if not facilitates(actor, into.committee_id):
        # The proposal merged into gains a public link: its committee must be the actor's too.
        raise ValidationError(
            _("You can merge only into a proposal of a committee you facilitate."), field="into"
        )


def merge_proposal(actor: User, proposal: Proposal, into: Proposal | None, answer: str) -> ProposalAnswer:
    """`proposal` becomes merged into `into`; supports stay where they were given."""
    require(actor, "proposals.merge", proposal)
    _check_merge_target(actor, proposal, into)
    text = answer_text(answer)
    from_state = proposal.state
    move_state(proposal, from_state, ProposalState.merged, merged_into_id=into.id)
    answer_row = ProposalAnswer(proposal_id=proposal.id, actor_id=actor.id, from_state=from_state,
                                to_state=ProposalState.merged, body=text)
    db.session.add(answer_row)
    record(actor, "proposal.merged", proposal, reason=text, public=True,
           committee_id=proposal.committee_id, reference=proposal.reference,
           into_reference=into.reference, into_id=into.id)
    tell_author_and_supporters(actor, proposal, "proposal_merged", into_reference=into.reference,
                               into_title=into.title)
    db.session.flush()
    return answer_row
