"""Reporting content, and the facilitators' acts on it: hide, restore, dismiss, block.

Every act of a facilitator or admin is written to the public audit log with its committee.
Counters (`open_reports`, and whatever the content's area counts, told through
app/moderation/content.py) move in the same unit of work, by UPDATE statements; moderators' acts
first lock the item's row, so two facilitators (or a report arriving meanwhile) cannot leave the
counters wrong. Services only flush: the request (or command) commits.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, ValidationError
from app.core.permissions import require
from app.core.text import clean_text
from app.core.uow import savepoint
from app.core.urls import int_arg
from app.extensions import db
from app.moderation import content
from app.moderation import permissions as _rules  # noqa: F401  (registers the rules)
from app.moderation.models import AUTO_HIDE_THRESHOLD, Report, ReportReason, ReportTarget

# Stored as the hidden reason of automatic hides; pages translate it.
AUTO_HIDE_REASON = "pending review"
REPORT_LIMIT_COUNT = 20
REPORT_LIMIT_WINDOW = timedelta(hours=1)
BLOCK_DAYS = (1, 3, 7, 30, 90, 365)
MAX_REASON = 1000
MAX_DETAILS = 2000


def target_type_of(item) -> ReportTarget:
    return ReportTarget(content.kind_of(item).kind)


def load_target(target_type, target_id):
    """The item named by a report form or a moderation URL; NotFound otherwise."""
    model = content.by_kind(target_type).model
    item_id = int_arg(target_id)
    item = db.session.get(model, item_id) if item_id is not None else None
    if item is None:
        raise NotFound(_("That content does not exist."))
    return item


def _checked_text(value, max_length: int, field: str, required_message: str | None = None) -> str | None:
    text = clean_text(value)
    if not text:
        if required_message:
            raise ValidationError(required_message, field=field)
        return None
    if len(text) > max_length:
        raise ValidationError(_("Use at most %(n)d characters.", n=max_length), field=field)
    return text


# --- Reports -------------------------------------------------------------------------------------


def report_content(actor, item, reason, details=None) -> Report | None:
    """One report per account and item (None when the account had reported it already); at
    AUTO_HIDE_THRESHOLD open reports from different accounts the item is hidden until a
    facilitator reviews it."""
    require(actor, "moderation.report", item)
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ValidationError(_("Choose a reason."), field="reason") from None
    details = _checked_text(
        details,
        MAX_DETAILS,
        "details",
        _("Tell the facilitators what is wrong.") if reason == ReportReason.other else None,
    )
    since = utcnow() - REPORT_LIMIT_WINDOW
    recent = db.session.scalar(
        sa.select(sa.func.count(Report.id)).where(
            Report.reporter_id == actor.id, Report.created_at >= since
        )
    )
    if recent >= REPORT_LIMIT_COUNT:
        raise ValidationError(
            _("You have sent %(count)d reports in the last hour. Please wait a while before sending "
              "another.", count=REPORT_LIMIT_COUNT),
            field="reason",
        )

    report = Report(
        reporter_id=actor.id,
        target_type=target_type_of(item),
        target_id=item.id,
        committee_id=item.committee_id,
        reason=reason,
        details=details,
        created_at=utcnow(),
    )
    try:
        with savepoint():  # a double click or a second tab: the unique constraint decides
            db.session.add(report)
            db.session.flush()
    except sa.exc.IntegrityError:
        return None
    model = type(item)
    open_now = db.session.execute(
        sa.update(model)
        .where(model.id == item.id)
        .values(open_reports=model.open_reports + 1)
        .returning(model.open_reports)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    # The row is ours until the end of the unit: read it fresh (a deletion that came first).
    db.session.refresh(item)
    record(actor, "report.created", item, reason=reason.value, committee_id=item.committee_id)
    if open_now >= AUTO_HIDE_THRESHOLD:
        _auto_hide(item)
    db.session.flush()
    return report


def _auto_hide(item) -> None:
    """Hide pending review, unless already hidden; nobody is the hider (hidden_by_id None)."""
    model = type(item)
    hidden = db.session.execute(
        sa.update(model)
        .where(model.id == item.id, model.hidden_at.is_(None))
        .values(hidden_at=utcnow(), hidden_reason=AUTO_HIDE_REASON, hidden_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not hidden:
        return
    content.visibility_changed(item, -1)
    db.session.expire(item, ["hidden_at", "hidden_reason", "hidden_by_id"])
    record(None, "content.auto_hidden", item, reason=AUTO_HIDE_REASON, public=True,
           committee_id=item.committee_id, threshold=AUTO_HIDE_THRESHOLD)


# --- Facilitators' acts --------------------------------------------------------------------------


def _lock(item) -> None:
    """Take the item's row for this unit of work, then read it fresh."""
    model = type(item)
    db.session.execute(
        sa.update(model)
        .where(model.id == item.id)
        .values(open_reports=model.open_reports)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)


def _resolve_reports(actor, item, resolution: str) -> int:
    resolved = db.session.execute(
        sa.update(Report)
        .where(
            Report.target_type == target_type_of(item),
            Report.target_id == item.id,
            Report.resolved_at.is_(None),
        )
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    ).rowcount
    item.open_reports = 0
    return resolved


def _unhide(item) -> None:
    if not item.is_hidden:
        return
    item.hidden_at = None
    item.hidden_reason = None
    item.hidden_by_id = None
    content.visibility_changed(item, +1)


def is_auto_hidden(item) -> bool:
    return item.is_hidden and item.hidden_by_id is None


def hide_content(actor, item, reason) -> None:
    """Hide with a public reason; open reports are resolved as "hidden"."""
    require(actor, "moderation.hide", item)
    reason = _checked_text(reason, MAX_REASON, "reason", _("Give the public reason for hiding it."))
    _lock(item)
    if item.is_hidden and not is_auto_hidden(item):
        raise InvalidTransition(_("This content is already hidden."))
    if not item.is_hidden:
        content.visibility_changed(item, -1)
    item.hidden_at = utcnow()
    item.hidden_reason = reason
    item.hidden_by_id = actor.id
    resolved = _resolve_reports(actor, item, "hidden")
    record(actor, "content.hidden", item, reason=reason, public=True,
           committee_id=item.committee_id, reports=resolved)
    db.session.flush()


def restore_content(actor, item, reason=None) -> None:
    """Show hidden content again; open reports are dismissed with it."""
    require(actor, "moderation.restore", item)
    reason = _checked_text(reason, MAX_REASON, "reason")
    _lock(item)
    if not item.is_hidden:
        raise InvalidTransition(_("This content is not hidden."))
    _unhide(item)
    resolved = _resolve_reports(actor, item, "dismissed")
    record(actor, "content.restored", item, reason=reason, public=True,
           committee_id=item.committee_id, reports=resolved)
    db.session.flush()


def dismiss_reports(actor, item, reason=None) -> None:
    """The reports were unfounded: resolve them, and undo an automatic hide they caused."""
    require(actor, "moderation.dismiss", item)
    reason = _checked_text(reason, MAX_REASON, "reason")
    _lock(item)
    auto_hidden = is_auto_hidden(item)
    if not item.open_reports and not auto_hidden:
        raise InvalidTransition(_("There are no open reports on this content."))
    if auto_hidden:
        _unhide(item)
    resolved = _resolve_reports(actor, item, "dismissed")
    record(actor, "reports.dismissed", item, reason=reason, public=True,
           committee_id=item.committee_id, reports=resolved, restored=auto_hidden)
    db.session.flush()


def block_account(actor, item, reason, days) -> None:
    """Block the author of `item` for `days` days: they may read, but not post, support, report
    or register. The reason is public on the accountability page and shown to them."""
    require(actor, "moderation.block", item)
    reason = _checked_text(reason, MAX_REASON, "reason", _("Give the reason for blocking the account."))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = None
    if days not in BLOCK_DAYS:
        raise ValidationError(_("Choose how long the block lasts."), field="days")
    author = item.author
    until = utcnow() + timedelta(days=days)
    author.blocked_until = until
    author.blocked_reason = reason
    record(actor, "account.blocked", author, reason=reason, public=True,
           committee_id=item.committee_id, days=days, until=until.isoformat(),
           item_type=target_type_of(item).value, item_id=item.id)
    db.session.flush()
