"""Who may open, close and answer a public consultation, and who may comment in it: small
predicates, denied by default. The window itself is a rule of the server (see services)."""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.commitments.models import Commitment, CommitmentState
from app.consultations.models import Consultation
from app.consultations.queries import window_state
from app.core.permissions import check, not_now, rule


def _committee_id(target) -> int | None:
    """The committee a commitment, its consultation or one of its comments belongs to."""
    if isinstance(target, Consultation):
        return target.commitment.committee_id
    return getattr(target, "committee_id", None)


@rule("consultations.open")
def _open(actor, commitment):
    """Facilitators of the commitment's committee, and admins (the state is the service's check)."""
    return isinstance(commitment, Commitment) and facilitates(actor, commitment.committee_id)


@rule("consultations.close")
def _close(actor, consultation):
    return isinstance(consultation, Consultation) and facilitates(actor, _committee_id(consultation))


@rule("consultations.answer")
def _answer(actor, comment):
    """Only comments made in a consultation (not on proposals) get a consultation answer."""
    return (
        comment is not None
        and getattr(comment, "commitment_id", None) is not None
        and facilitates(actor, comment.committee_id)
    )


@rule("consultations.preview")
def _preview(actor, commitment):
    """See a draft's consultation page and its report before they are public."""
    return isinstance(commitment, Commitment) and facilitates(actor, commitment.committee_id)


@rule("consultations.comment")
def _comment(actor, consultation):
    """Any account that may take part (the "participate" rule says why not), while the
    consultation's window is open."""
    if not isinstance(consultation, Consultation):
        return False
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if (consultation.commitment.state != CommitmentState.consultation
            or window_state(consultation) != "open"):
        return not_now(_("The public consultation on this draft is not open."))
    return True
