"""Who may draft, edit, publish, withdraw and read draft commitments: facilitators of the
commitment's committee and admins; everyone else is refused (deny by default)."""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.commitments.models import Commitment, CommitmentState
from app.core.permissions import can, deny, rule

EDITABLE_STATES = {CommitmentState.draft, CommitmentState.consultation, CommitmentState.published}
PUBLISHABLE_STATES = {CommitmentState.draft, CommitmentState.consultation}


def _facilitates_any(actor) -> bool:
    return actor is not None and actor.is_confirmed and (actor.is_admin or bool(actor.committee_ids))


@rule("commitments.draft")
def _draft(actor, committee=None):
    """Without a committee: whether the actor may draft for some committee (for links)."""
    if committee is None:
        return _facilitates_any(actor)
    return facilitates(actor, committee.id)


@rule("commitments.view_draft")
def _view_draft(actor, commitment: Commitment):
    return commitment is not None and facilitates(actor, commitment.committee_id)


@rule("commitments.edit")
def _edit(actor, commitment: Commitment):
    if commitment is None:
        return False
    if commitment.state in EDITABLE_STATES and facilitates(actor, commitment.committee_id):
        return True
    return deny(_("Only the committee's facilitators can edit it, and a withdrawn commitment "
                  "cannot change."))


@rule("commitments.publish")
def _publish(actor, commitment: Commitment):
    return (
        commitment is not None
        and commitment.state in PUBLISHABLE_STATES
        and facilitates(actor, commitment.committee_id)
    )


@rule("commitments.withdraw")
def _withdraw(actor, commitment: Commitment):
    return (
        commitment is not None
        and commitment.state == CommitmentState.published
        and facilitates(actor, commitment.committee_id)
    )


def can_read(actor, commitment: Commitment) -> bool:
    """Public once out of draft; a draft only for its committee's facilitators and admins."""
    return commitment is not None and (
        commitment.is_public or can(actor, "commitments.view_draft", commitment)
    )
