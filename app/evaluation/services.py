"""Acts of the evaluation. A representative's opinion first; then the committee's
self-assessment, once, which the representatives' opinions must precede (when the committee has
representatives with an account). Each act checks its permission, validates, writes the public
audit entry and the plan's ledger, and flushes."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_text
from app.core.uow import savepoint
from app.evaluation import permissions as _permissions  # noqa: F401  (registers the rules)
from app.evaluation import queries, records
from app.evaluation.models import Assessment, Completion, OpenedGovernment, Opinion
from app.extensions import db
from app.ledger import services as ledger
from app.plans.models import CommitteeMember, MemberKind
from app.progress.queries import seat_of

TEXT_MAX = 10_000


def _choice(enum_cls, value, field: str, message: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise ValidationError(message, field=field) from None


def _text(value, field: str, message: str) -> str:
    text = clean_text(value or "").strip()
    if not text:
        raise ValidationError(message, field=field)
    if len(text) > TEXT_MAX:
        raise ValidationError(_("Use at most %(max)d characters.", max=TEXT_MAX), field=field)
    return text


def give_opinion(actor, commitment, data: dict) -> Opinion:
    require(actor, "evaluation.opinion", commitment)
    completion = _choice(Completion, data.get("completion"), "completion",
                         _("Choose the level of completion you see."))
    text = _text(data.get("text"), "text", _("Write your opinion: it is published with the assessment."))
    if queries.assessment_of(commitment.id) is not None:
        raise InvalidTransition(_("The committee already recorded its self-assessment of this commitment."))
    seat = seat_of(actor, commitment.committee_id)
    opinion = Opinion(commitment_id=commitment.id, author_id=actor.id, seat=seat.kind.value,
                      seat_holder=seat.name[:200], completion=completion, text=text)
    try:
        with savepoint():
            db.session.add(opinion)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise InvalidTransition(_("You already gave your opinion on this commitment.")) from None
    ledger.append(commitment.plan_id, "evaluation_opinion", f"evaluation_opinion:{opinion.id}",
                  records.opinion_content(opinion))
    record(actor, "evaluation.opinion", opinion, public=True, committee_id=commitment.committee_id,
           commitment_id=commitment.id, completion=completion.value)
    db.session.flush()
    return opinion


def record_assessment(actor, commitment, data: dict) -> Assessment:
    require(actor, "evaluation.assess", commitment)
    completion = _choice(Completion, data.get("completion"), "completion", _("Choose the level of completion."))
    opened = _choice(OpenedGovernment, data.get("opened_government"), "opened_government",
                     _("Choose whether it opened government."))
    evidence = _text(data.get("evidence"), "evidence", _("Give the evidence of the assessment."))
    representatives = db.session.scalar(sa.select(sa.func.count(CommitteeMember.id)).where(
        CommitteeMember.committee_id == commitment.committee_id, CommitteeMember.term_end.is_(None),
        CommitteeMember.user_id.is_not(None),
        CommitteeMember.kind.in_([MemberKind.cs_titular, MemberKind.cs_suplente])))
    if representatives and not queries.opinions_of(commitment.id):
        raise InvalidTransition(_("The civil-society representatives have their say first: record the "
                                  "self-assessment once one of them has given an opinion."))
    assessment = Assessment(commitment_id=commitment.id, completion=completion, opened_government=opened,
                            evidence=evidence, recorded_by_id=actor.id)
    try:
        with savepoint():
            db.session.add(assessment)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise InvalidTransition(_("The self-assessment of this commitment is already recorded.")) from None
    ledger.append(commitment.plan_id, "evaluation_assessment", f"evaluation_assessment:{assessment.id}",
                  records.assessment_content(assessment))
    record(actor, "evaluation.assessment", assessment, public=True, committee_id=commitment.committee_id,
           commitment_id=commitment.id, completion=completion.value, opened_government=opened.value)
    db.session.flush()
    return assessment
