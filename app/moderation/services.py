"""Reporting content, and the facilitators' acts on it: hide, restore, dismiss, block.

Every act of a facilitator or admin is written to the public audit log with its committee.
Counters (`open_reports`, a proposal's `comment_count`) move in the same transaction, by UPDATE
statements; moderators' acts first lock the item's row, so two facilitators (or a report arriving
meanwhile) cannot leave the counters wrong.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.comments.models import Comment
from app.comments.services import change_visible_count
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, ValidationError
from app.core.permissions import require
from app.core.urls import int_arg
from app.extensions import db
from app.moderation import permissions as _rules  # noqa: F401  (registers the rules)
from app.moderation.models import AUTO_HIDE_THRESHOLD, Report, ReportReason, ReportTarget
from app.moderation.permissions import require_taking_part
from app.proposals.models import Proposal

# Stored as the hidden reason of automatic hides; pages translate it.
AUTO_HIDE_REASON = "pending review"
REPORT_LIMIT_COUNT = 20
REPORT_LIMIT_WINDOW = timedelta(hours=1)
BLOCK_DAYS = (1, 3, 7, 30, 90, 365)
MAX_REASON = 1000
MAX_DETAILS = 2000

TARGET_MODELS = {ReportTarget.proposal: Proposal, ReportTarget.comment: Comment}


class AlreadyReported(ValidationError):
    """The account reported this item before (one report per account and item)."""


def target_type_of(item) -> ReportTarget:
    for target_type, model in TARGET_MODELS.items():
        if isinstance(item, model):
            return target_type
    raise NotFound(_("That content cannot be moderated."))


def load_target(target_type, target_id):
    """The proposal or comment named by a report form or a moderation URL; NotFound otherwise."""
    item_id = int_arg(target_id)
    try:
        model = TARGET_MODELS[ReportTarget(target_type)]
    except (KeyError, ValueError):
        model = None
    item = db.session.get(model, item_id) if model is not None and item_id is not None else None
    if item is None:
        raise NotFound(_("That content does not exist."))
    return item


def _clean(value, max_length: int, field: str, required_message: str | None = None) -> str | None:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required_message:
            raise ValidationError(required_message, field=field)
        return None
    if len(text) > max_length:
        raise ValidationError(_("Use at most %(n)d characters.", n=max_length), field=field)
    return text


# --- Reports -------------------------------------------------------------------------------------


def report_content(actor, item, reason, details=None) -> Report:
    """One report per account and item; at AUTO_HIDE_THRESHOLD open reports from different
    accounts the item is hidden until a facilitator reviews it."""
    require_taking_part(actor, "moderation.report", item)
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ValidationError(_("Choose a reason."), field="reason") from None
    details = _clean(
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

    target_type = target_type_of(item)
    model = type(item)
    report = Report(
        reporter_id=actor.id,
        target_type=target_type,
        target_id=item.id,
        committee_id=item.committee_id,
        reason=reason,
        details=details,
        created_at=utcnow(),
    )
    db.session.add(report)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise AlreadyReported(
            _("You have already reported this. The facilitators of the committee will review it.")
        ) from None
    open_now = db.session.execute(
        sa.update(model)
        .where(model.id == item.id)
        .values(open_reports=model.open_reports + 1)
        .returning(model.open_reports)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    record(actor, "report.created", item, reason=reason.value, committee_id=item.committee_id)
    if open_now >= AUTO_HIDE_THRESHOLD:
        _auto_hide(item)
    db.session.commit()
    db.session.refresh(item)
    return report


def _auto_hide(item) -> None:
    """Hide pending review, unless already hidden; nobody is the hider (hidden_by_id None)."""
    model = type(item)
    values = {"hidden_at": utcnow(), "hidden_reason": AUTO_HIDE_REASON, "hidden_by_id": None}
    base = sa.update(model).where(model.id == item.id, model.hidden_at.is_(None))
    base = base.values(**values).execution_options(synchronize_session=False)
    if model is Comment:
        if db.session.execute(base.where(Comment.deleted_at.is_(None))).rowcount:
            change_visible_count(item, -1)
        elif not db.session.execute(base).rowcount:
            return
    elif not db.session.execute(base).rowcount:
        return
    record(None, "content.auto_hidden", item, reason=AUTO_HIDE_REASON, public=True,
           committee_id=item.committee_id, threshold=AUTO_HIDE_THRESHOLD)


# --- Facilitators' acts --------------------------------------------------------------------------


def _lock(item) -> None:
    """Take the item's row for this transaction, then read it fresh."""
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


def _counts_as_visible(item) -> bool:
    return isinstance(item, Comment) and not item.is_deleted


def _unhide(item) -> None:
    if not item.is_hidden:
        return
    item.hidden_at = None
    item.hidden_reason = None
    item.hidden_by_id = None
    if _counts_as_visible(item):
        change_visible_count(item, +1)


def is_auto_hidden(item) -> bool:
    return item.is_hidden and item.hidden_by_id is None


def hide_content(actor, item, reason) -> None:
    """Hide with a public reason; open reports are resolved as "hidden"."""
    require(actor, "moderation.hide", item)
    reason = _clean(reason, MAX_REASON, "reason", _("Give the public reason for hiding it."))
    _lock(item)
    if item.is_hidden and not is_auto_hidden(item):
        db.session.rollback()
        raise InvalidTransition(_("This content is already hidden."))
    if not item.is_hidden and _counts_as_visible(item):
        change_visible_count(item, -1)
    item.hidden_at = utcnow()
    item.hidden_reason = reason
    item.hidden_by_id = actor.id
    resolved = _resolve_reports(actor, item, "hidden")
    record(actor, "content.hidden", item, reason=reason, public=True,
           committee_id=item.committee_id, reports=resolved)
    db.session.commit()


def restore_content(actor, item, reason=None) -> None:
    """Show hidden content again; open reports are dismissed with it."""
    require(actor, "moderation.restore", item)
    reason = _clean(reason, MAX_REASON, "reason")
    _lock(item)
    if not item.is_hidden:
        db.session.rollback()
        raise InvalidTransition(_("This content is not hidden."))
    _unhide(item)
    resolved = _resolve_reports(actor, item, "dismissed")
    record(actor, "content.restored", item, reason=reason, public=True,
           committee_id=item.committee_id, reports=resolved)
    db.session.commit()


def dismiss_reports(actor, item, reason=None) -> None:
    """The reports were unfounded: resolve them, and undo an automatic hide they caused."""
    require(actor, "moderation.dismiss", item)
    reason = _clean(reason, MAX_REASON, "reason")
    _lock(item)
    auto_hidden = is_auto_hidden(item)
    if not item.open_reports and not auto_hidden:
        db.session.rollback()
        raise InvalidTransition(_("There are no open reports on this content."))
    if auto_hidden:
        _unhide(item)
    resolved = _resolve_reports(actor, item, "dismissed")
    record(actor, "reports.dismissed", item, reason=reason, public=True,
           committee_id=item.committee_id, reports=resolved, restored=auto_hidden)
    db.session.commit()


def block_account(actor, item, reason, days) -> None:
    """Block the author of `item` for `days` days: they may read, but not post, support, report
    or register. The reason is public on the accountability page and shown to them."""
    require(actor, "moderation.block", item)
    reason = _clean(reason, MAX_REASON, "reason", _("Give the reason for blocking the account."))
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
    db.session.commit()
