"""Publishing a draft as a formal commitment (its text locks), and withdrawing a formal one."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.commitments import permissions as _permissions  # noqa: F401  (registers the rules)
from app.commitments import registry
from app.commitments.models import (
    COMMITMENT_TRANSITIONS,
    FIELD_LABELS,
    OGP_VALUES,
    Commitment,
    CommitmentState,
    CommitmentVersion,
)
from app.commitments.services.common import commitment_path
from app.commitments.services.fields import WITHDRAW_REASON_MIN, validated_reason
from app.commitments.services.versions import add_version, snapshot_of
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.extensions import db
from app.notifications.services import notify

# What the OGP template requires before a commitment becomes formal (plus one value claimed,
# the dates and a milestone, checked separately).
REQUIRED_TO_PUBLISH = (
    "title", "lead_institution", "responsible_official", "problem", "objective", "description",
    "how_it_helps",
)


def missing_for_publication(commitment: Commitment) -> list[str]:
    """Names of what the OGP template still lacks (FIELD_LABELS names, plus "values" and
    "milestones"); empty when the commitment can be published."""
    missing = [name for name in REQUIRED_TO_PUBLISH if not (getattr(commitment, name) or "").strip()]
    if not any((getattr(commitment, name) or "").strip() for name in OGP_VALUES):
        missing.append("values")
    for name in ("starts_on", "ends_on"):
        if getattr(commitment, name) is None:
            missing.append(name)
    if not commitment.milestones:
        missing.append("milestones")
    return missing


def missing_labels(names: list[str]) -> list[str]:
    extra = {
        "values": _("at least one Open Government value with its sentence"),
        "milestones": _("at least one milestone"),
    }
    return [extra[n] if n in extra else str(FIELD_LABELS[n]) for n in names]


def publish_commitment(actor: User, commitment: Commitment, reason: str) -> CommitmentVersion:
    """A draft (or a draft after consultation) becomes a formal commitment: its text locks."""
    require(actor, "commitments.publish", commitment)
    state = commitment.state
    if CommitmentState.published not in COMMITMENT_TRANSITIONS.get(state, set()):
        raise InvalidTransition(_("This commitment cannot be published in its current state."))
    reason = validated_reason(reason)
    missing = missing_for_publication(commitment)
    if missing:
        raise ValidationError(
            _("Before publishing, complete: %(fields)s.", fields="; ".join(missing_labels(missing))),
            missing=missing,
        )
    consultation = registry.running_consultation(commitment)
    if consultation is not None:
        raise InvalidTransition(
            _("A public consultation on this draft is open or scheduled until %(date)s. "
              "Close it (or wait for it to end) before publishing.",
              date=consultation.closes_at.date().isoformat())
        )
    seen_version, commitment_id, now = commitment.version, commitment.id, utcnow()
    number = seen_version + 1
    result = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.state == state,
               Commitment.version == seen_version)
        .values(state=CommitmentState.published, published_at=now, updated_at=now,
                version=number)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _("This commitment changed while you were looking at it. Reload the page and try again.")
        )
    db.session.expire(commitment)
    version = add_version(actor, commitment_id, number, snapshot_of(commitment), reason,
                           CommitmentState.published)
    record(actor, "commitment.published", commitment, reason=reason, public=True,
           committee_id=commitment.committee_id, from_state=state.value, version=number)
    notify(registry.followers_of(commitment), "commitment_version", commitment_path(commitment),
           actor=actor, title=commitment.title)
    db.session.flush()
    return version


def withdraw_commitment(actor: User, commitment: Commitment, reason: str) -> None:
    """A formal commitment is withdrawn with a public reason; its page and history stay."""
    require(actor, "commitments.withdraw", commitment)
    reason = validated_reason(reason, WITHDRAW_REASON_MIN)
    commitment_id = commitment.id
    result = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.state == CommitmentState.published)
        .values(state=CommitmentState.withdrawn, withdrawn_reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _("This commitment changed while you were looking at it. Reload the page and try again.")
        )
    db.session.expire(commitment)
    record(actor, "commitment.withdrawn", commitment, reason=reason, public=True,
           committee_id=commitment.committee_id)
    notify(registry.followers_of(commitment), "commitment_status", commitment_path(commitment),
           actor=actor, title=commitment.title, status="withdrawn")
    db.session.flush()
