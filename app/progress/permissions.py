"""Who may report progress, set the implementation status and follow a commitment."""
from app.accounts.permissions import facilitates
from app.commitments.models import CommitmentState
from app.core.permissions import can, rule


def _commitment_of(target):
    """The commitment of a commitment or of one of its milestones."""
    if target is None:
        return None
    return getattr(target, "commitment", None) or target


def _facilitates_published(actor, target) -> bool:
    """Only formal commitments are implemented, by their committee's facilitators or an admin."""
    commitment = _commitment_of(target)
    return (
        commitment is not None
        and commitment.state == CommitmentState.published
        and facilitates(actor, commitment.committee_id)
    )


rule("progress.report")(_facilitates_published)
rule("progress.set_status")(_facilitates_published)


@rule("progress.follow")
def _follow(actor, commitment=None):
    return can(actor, "participate") and (commitment is None or commitment.is_public)


@rule("progress.unfollow")
def _unfollow(actor, commitment=None):
    # A blocked or unconfirmed account may still stop receiving news.
    return actor is not None and actor.is_active
