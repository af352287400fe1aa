"""Who may comment, reply, edit and delete: small predicates, denied by default."""
from datetime import timedelta

from app.comments.models import EDIT_WINDOW_SECONDS
from app.commitments.models import Commitment, CommitmentState
from app.core.db import utcnow
from app.core.permissions import can, rule
from app.proposals.models import Proposal, ProposalState

# A merged or withdrawn proposal's conversation is closed; the page keeps what was said.
CLOSED_PROPOSAL_STATES = {ProposalState.merged, ProposalState.withdrawn}


def accepts_comments(target) -> bool:
    """Whether a commentable thing (a proposal, a commitment) takes new comments."""
    if isinstance(target, Proposal):
        return target.state not in CLOSED_PROPOSAL_STATES and not target.is_hidden
    if isinstance(target, Commitment):
        # A draft in public consultation; comments.services.post_comment enforces the window.
        return target.state == CommitmentState.consultation
    return False


def accepts_replies(comment) -> bool:
    """A deleted or hidden comment cannot be answered (there is nothing left to answer)."""
    return comment is not None and not comment.is_deleted and not comment.is_hidden


def within_edit_window(comment, now=None) -> bool:
    now = now or utcnow()
    return now - comment.created_at < timedelta(seconds=EDIT_WINDOW_SECONDS)


def _is_author(actor, comment) -> bool:
    return actor is not None and comment is not None and comment.author_id == actor.id


@rule("comments.post")
def _post(actor, target):
    """Comment on a target (a proposal), or reply in its threads."""
    return target is not None and can(actor, "participate") and accepts_comments(target)


@rule("comments.edit")
def _edit(actor, comment):
    return (
        _is_author(actor, comment)
        and can(actor, "participate")
        and not comment.is_deleted
        and not comment.is_hidden
        and within_edit_window(comment)
    )


@rule("comments.delete")
def _delete(actor, comment):
    # A blocked author may still take their own words back.
    return _is_author(actor, comment) and actor.is_confirmed and not comment.is_deleted
