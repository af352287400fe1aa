"""Who may report progress and set the implementation status (following: app/follows)."""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.commitments.models import CommitmentState
from app.core.permissions import deny, rule


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


@rule("progress.report")
def _report(actor, target):
    return _facilitates_published(actor, target) or deny(
        _("Only the committee's facilitators report progress, and only on a formal commitment."))


@rule("progress.set_status")
def _set_status(actor, target):
    return _facilitates_published(actor, target) or deny(
        _("Only the committee's facilitators change the status of a formal commitment."))
