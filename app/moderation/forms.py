"""Forms of moderation: reports, and the facilitators' acts. They never touch the database."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.moderation.models import REPORT_REASON_LABELS, ReportReason, ReportTarget
from app.moderation.services import BLOCK_DAYS, MAX_DETAILS, MAX_REASON


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def report_reason_choices():
    return [("", _l("Choose a reason"))] + [(r.value, REPORT_REASON_LABELS[r]) for r in ReportReason]


class ReportForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    reason = SelectField(
        _l("Reason"),
        choices=report_reason_choices,
        validators=[InputRequired(message=_l("Choose a reason."))],
    )
    details = TextAreaField(
        _l("Details"),
        validators=[Optional(), Length(max=MAX_DETAILS, message=_l("Use at most %(max)d characters."))],
        filters=[_strip],
        description=_l("Required when the reason is “Other”. Only the facilitators read it."),
        render_kw={"rows": 3, "maxlength": MAX_DETAILS},
    )

    def validate_target_type(self, field):
        if field.data not in {t.value for t in ReportTarget}:
            raise ValidationError(_l("Unknown content."))

    def validate_reason(self, field):
        if field.data not in {r.value for r in ReportReason}:
            raise ValidationError(_l("Choose a reason."))

    def validate_details(self, field):
        if self.reason.data == ReportReason.other.value and not field.data:
            raise ValidationError(_l("Tell the facilitators what is wrong."))


def _reason_field(label, required: bool):
    validators = [Length(max=MAX_REASON, message=_l("Use at most %(max)d characters."))]
    if required:
        validators.insert(0, DataRequired(message=_l("Give the reason; it is published.")))
    else:
        validators.insert(0, Optional())
    return TextAreaField(label, validators=validators, filters=[_strip],
                         render_kw={"rows": 2, "maxlength": MAX_REASON})


class HideForm(FlaskForm):
    reason = _reason_field(_l("Public reason for hiding"), required=True)


class ReviewForm(FlaskForm):
    """Restore or dismiss: the reason is optional, and public when given."""

    reason = _reason_field(_l("Public note (optional)"), required=False)


def block_days_choices():
    return [(0, _l("Choose a duration"))] + [
        (d, _l("%(num)d days", num=d) if d != 1 else _l("1 day")) for d in BLOCK_DAYS
    ]


class BlockForm(FlaskForm):
    reason = _reason_field(_l("Reason for the block (public, and shown to the account)"), required=True)
    days = SelectField(
        _l("Duration"),
        coerce=int,
        choices=block_days_choices,
        validators=[InputRequired(message=_l("Choose how long the block lasts."))],
    )

    def validate_days(self, field):
        if field.data not in BLOCK_DAYS:
            raise ValidationError(_l("Choose how long the block lasts."))
