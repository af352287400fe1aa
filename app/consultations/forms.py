"""Forms of consultations: they validate input and never write to the database.

Checks that need the clock or the database (the window in the future, one consultation at a
time, a section of this draft) live in the services, whose ValidationError the views show next to
the field.
"""
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.comments.services import MAX_LENGTH
from app.consultations.models import CONSULTATION_OUTCOME_LABELS, ConsultationOutcome
from app.core.i18n import LOCAL_TIME_HINT, zone_name

REQUIRED = _l("This field is required.")
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
LOCAL_HINT = LOCAL_TIME_HINT
REASON_MIN = 10
REASON_MAX = 5000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _local_datetime(label, description=LOCAL_HINT):
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMATS,
        validators=[DataRequired(message=_l("Enter a date and time."))],
        description=description,
    )


class _PanelForm(FlaskForm):
    """Forms shown on the commitment page, prefixed so their ids differ from its own forms. The
    POSTs are still protected: CSRFProtect checks every POST, and the templates add the token."""

    class Meta:
        csrf = False


class OpenConsultationForm(_PanelForm):
    """Used with prefix="consultation"."""

    opens_at = _local_datetime(
        _l("Opens"), LazyString(lambda: _("Now or later. Local time of the plan (%(zone)s).", zone=zone_name()))
    )
    closes_at = _local_datetime(_l("Closes"))

    FIELD_ORDER = ["opens_at", "closes_at"]


class CloseConsultationForm(_PanelForm):
    """Used with prefix="close"."""

    reason = TextAreaField(
        _l("Why close it early"),
        validators=[
            DataRequired(message=_l("Say why the consultation closes early.")),
            Length(min=REASON_MIN, max=REASON_MAX,
                   message=_l("Write between %(min)d and %(max)d characters.")),
        ],
        filters=[_strip],
        description=_l("Published with the consultation."),
        render_kw={"rows": 3},
    )


class ConsultationCommentForm(FlaskForm):
    section = SelectField(_l("Part of the draft"), validators=[InputRequired(message=REQUIRED)])
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(message=_l("Write your comment.")),
            Length(max=MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
        filters=[_strip],
        description=_l("You can use Markdown: **bold**, *italics*, lists and links."),
        render_kw={"rows": 5, "maxlength": MAX_LENGTH},
    )

    FIELD_ORDER = ["section", "body"]


def prepare_comment_form(form: ConsultationCommentForm, sections) -> ConsultationCommentForm:
    form.section.choices = [(s.key, s.label) for s in sections if not s.removed]
    return form


class AnswerForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[(o.value, CONSULTATION_OUTCOME_LABELS[o]) for o in ConsultationOutcome],
        validators=[InputRequired(message=_l("Choose an outcome."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for the outcome.")),
            Length(min=REASON_MIN, max=REASON_MAX,
                   message=_l("Write between %(min)d and %(max)d characters.")),
        ],
        filters=[_strip],
        description=_l("Public: it appears under the comment and in the report."),
        render_kw={"rows": 4},
    )
    # "1" when the facilitator changes an answer they saw; a new answer sends "0", so that a
    # double click or a second facilitator does not silently replace an answer.
    update = HiddenField(default="0")

    FIELD_ORDER = ["outcome", "reason"]
