"""What proposals plug into other areas: they are a comment host (app/comments/hosts.py), and
they add a person's proposals, supports and answers to the data export."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.comments import hosts
from app.core.permissions import deny
from app.extensions import db
from app.proposals.models import Proposal, ProposalAnswer, ProposalState, Support
from app.proposals.services import proposal_path

# A merged or withdrawn proposal's conversation is closed; the page keeps what was said.
CLOSED_STATES = (ProposalState.merged, ProposalState.withdrawn)


def _accepts_comments(proposal: Proposal):
    if proposal.is_hidden or proposal.state in CLOSED_STATES:
        return deny(_("This conversation is closed to new comments."))
    return True


hosts.register(hosts.Host(
    kind="proposal",
    model=Proposal,
    column="proposal_id",
    accepts=_accepts_comments,
    path=lambda comment, anchor: proposal_path(comment.proposal, anchor),
    counter="comment_count",
    still_open=lambda: sa.and_(Proposal.state.not_in(CLOSED_STATES), Proposal.hidden_at.is_(None)),
    reference=Proposal.reference,
))


@export_section
def _proposals(user_id: int) -> dict:
    proposals = [
        {
            "reference": p.reference, "title": p.title, "body": p.body, "place": p.place,
            "state": p.state.value, "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at), "withdrawn_at": iso(p.withdrawn_at),
            "withdrawal_reason": p.withdrawal_reason, "hidden_at": iso(p.hidden_at),
            "hidden_reason": p.hidden_reason,
        }
        for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.author_id == user_id).order_by(Proposal.id)
        )
    ]
    supports = [
        {"proposal": reference, "title": title, "created_at": iso(created_at)}
        for reference, title, created_at in rows(
            sa.select(Proposal.reference, Proposal.title, Support.created_at)
            .join(Proposal, Proposal.id == Support.proposal_id)
            .where(Support.user_id == user_id)
            .order_by(Support.id)
        )
    ]
    proposal_answers = [
        {
            "proposal": reference, "from_state": a.from_state.value, "to_state": a.to_state.value,
            "body": a.body, "created_at": iso(a.created_at),
        }
        for a, reference in rows(
            sa.select(ProposalAnswer, Proposal.reference)
            .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
            .where(ProposalAnswer.actor_id == user_id)
            .order_by(ProposalAnswer.id)
        )
    ]
    return {"proposals": proposals, "supports": supports, "proposal_answers": proposal_answers}
