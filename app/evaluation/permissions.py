"""Who takes part in the evaluation: the committee's current civil-society representatives give
their opinion; then its facilitators record the self-assessment; only during the plan's
evaluation phase, and only on formal commitments."""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.commitments.models import CommitmentState
from app.core.permissions import check, deny, not_now, rule
from app.evaluation import queries
from app.progress.queries import seat_of


def _formal(commitment) -> bool:
    return commitment is not None and commitment.state == CommitmentState.published


@rule("evaluation.opinion")
def _opinion(actor, commitment):
    if not (_formal(commitment) and actor is not None and check(actor, "participate").allowed
            and seat_of(actor, commitment.committee_id) is not None):
        return deny(_("Only the committee's civil-society representatives give their opinion on its "
                      "commitments."))
    if not queries.in_evaluation(commitment.plan_id):
        return not_now(_("Opinions are given during the plan's evaluation phase."))
    return True


@rule("evaluation.assess")
def _assess(actor, commitment):
    if not (_formal(commitment) and facilitates(actor, commitment.committee_id)):
        return deny(_("Only the committee's facilitators record its self-assessment."))
    if not queries.in_evaluation(commitment.plan_id):
        return not_now(_("The self-assessment is recorded during the plan's evaluation phase."))
    return True
