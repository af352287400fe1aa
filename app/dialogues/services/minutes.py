"""After a table has started: who attended, and the minutes (published once, then corrected only
by new versions with their reason)."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_text
from app.core.uow import savepoint
from app.dialogues import queries
from app.dialogues.models import DialogueTable, MinutesVersion, TableRegistration, TableState
from app.dialogues.services.common import notify_registered, require_scheduled, rowcount
from app.extensions import db


def _require_started(table: DialogueTable, message: str) -> None:
    if utcnow() < table.starts_at:
        raise InvalidTransition(message)


def record_attendance(actor, table: DialogueTable, attended_ids) -> int:
    """Mark who came (every other registered person: did not). Returns how many attended."""
    require(actor, "dialogues.attendance", table)
    require_scheduled(table)
    _require_started(table, _("Attendance can be recorded once the table has started."))
    attended_ids = {int(i) for i in attended_ids}
    registrations = queries.active_registrations(table.id)
    for registration in registrations:
        registration.attended = registration.id in attended_ids
    count = sum(1 for r in registrations if r.attended)
    record(actor, "dialogues.attendance", table, public=True, committee_id=table.committee_id,
           attended=count, registered=len(registrations))
    db.session.flush()
    return count


def _clean_minutes(table: DialogueTable, data: dict) -> tuple[str, str, dict[str, str]]:
    summary = clean_text(data.get("summary"))
    if not summary:
        raise ValidationError(_("Write the summary of the table."), field="summary")
    agreements = clean_text(data.get("agreements"))
    if not agreements:
        raise ValidationError(_("Write the agreements of the table."), field="agreements")
    given = {str(k): clean_text(v) for k, v in (data.get("outcomes") or {}).items()}
    outcomes = {}
    for item in queries.agenda(table.id):
        key = str(item.proposal_id)
        if not given.get(key):
            raise ValidationError(
                _("Write the outcome for %(ref)s.", ref=item.proposal.reference),
                field=f"outcome_{item.proposal_id}",
            )
        outcomes[key] = given[key]
    return summary, agreements, outcomes


def _attendance_count(table_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(TableRegistration.id)).where(
            TableRegistration.table_id == table_id, TableRegistration.attended.is_(True)
        )
    )


def _add_version(version: MinutesVersion) -> bool:
    """Store a version; False when another of the same number got there first."""
    try:
        with savepoint():
            db.session.add(version)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def publish_minutes(actor, table: DialogueTable, data: dict) -> MinutesVersion:
    """Publish the minutes (summary, agreements, an outcome per agenda proposal); then locked."""
    require(actor, "dialogues.minutes", table)
    require_scheduled(table)
    _require_started(table, _("The minutes can be published once the table has started."))
    summary, agreements, outcomes = _clean_minutes(table, data)
    now = utcnow()
    published = _("The minutes of this table are already published.")
    updated = rowcount(
        sa.update(DialogueTable)
        .where(DialogueTable.id == table.id, DialogueTable.state == TableState.scheduled)
        .values(state=TableState.minutes_published, updated_at=now)
    )
    if not updated:
        raise InvalidTransition(published)
    version = MinutesVersion(
        table_id=table.id, number=1, summary=summary, agreements=agreements, outcomes=outcomes,
        attendance_count=_attendance_count(table.id), author_id=actor.id, published_at=now,
    )
    if not _add_version(version):
        raise InvalidTransition(published)
    db.session.refresh(table)
    notify_registered(table, "table_minutes", actor)
    record(actor, "dialogues.minutes", table, public=True, committee_id=table.committee_id,
           version=1)
    db.session.flush()
    return version


def correct_minutes(actor, table: DialogueTable, data: dict) -> MinutesVersion:
    """Published minutes stay as they were: a correction is a new version with its reason."""
    require(actor, "dialogues.minutes", table)
    if table.state != TableState.minutes_published:
        raise InvalidTransition(_("There are no published minutes to correct."))
    reason = clean_text(data.get("reason"))
    if not reason:
        raise ValidationError(_("Say why the minutes are corrected."), field="reason")
    summary, agreements, outcomes = _clean_minutes(table, data)
    latest = queries.latest_minutes(table.id)
    number = (latest.number if latest else 0) + 1
    version = MinutesVersion(
        table_id=table.id, number=number, summary=summary, agreements=agreements,
        outcomes=outcomes, attendance_count=_attendance_count(table.id),
        correction_reason=reason, author_id=actor.id, published_at=utcnow(),
    )
    if not _add_version(version):
        raise ValidationError(
            _("Someone else corrected these minutes at the same time. Reload the page and check."),
            field="reason",
        )
    notify_registered(table, "table_minutes", actor, version=number)
    record(actor, "dialogues.minutes_correct", table, reason=reason, public=True,
           committee_id=table.committee_id, version=number)
    db.session.flush()
    return version
