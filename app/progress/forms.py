"""Forms of implementation: a progress note with evidence, and the implementation status.

They check what they can without the database (the same checks the services repeat), so that
every mistake, every refused file included, is shown at once.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.commitments.models import IMPLEMENTATION_LABELS, MILESTONE_STATUS_LABELS
from app.core import clock, storage
from app.progress import services
from app.progress.models import VERDICT_LABELS

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ReportForm(FlaskForm):
    status = SelectField(
        _l("Status of the milestone"),
        choices=[(s.value, label) for s, label in MILESTONE_STATUS_LABELS.items()],
        validate_choice=True,
        description=_l("A complete milestone counts in full towards the commitment's progress; "
                       "one in progress counts half."),
    )
    noted_on = DateField(
        _l("Date of the progress"),
        validators=[DataRequired(message=_l("Give the date, such as 2026-03-31."))],
        default=clock.today,
        description=_l("The day it happened; not a future date."),
    )
    note = TextAreaField(
        _l("What was done"),
        validators=[DataRequired(message=REQUIRED),
                    Length(max=services.NOTE_MAX, message=TOO_LONG)],
        filters=[_strip],
        description=_l("Public. You can use Markdown: **bold**, *italics*, lists and links."),
        render_kw={"rows": 8},
    )
    links = TextAreaField(
        _l("Links to evidence (optional)"),
        validators=[Optional()],
        description=_l("Up to 5 web addresses, one per line, starting with https:// or http://."),
        render_kw={"rows": 4, "spellcheck": "false", "autocomplete": "off"},
    )
    files = MultipleFileField(
        _l("Files as evidence (optional)"),
        render_kw={"accept": storage.ACCEPT},
    )

    def validate_noted_on(self, field):
        message = services.check_noted_on(field.data)
        if message:
            field.errors.append(message)

    def validate_links(self, field):
        field.errors.extend(services.check_links(services.link_lines(field.data))[1])

    def validate_files(self, field):
        field.errors.extend(storage.inspect_all(field.data)[1])


class StatusForm(FlaskForm):
    """Shown inside the commitment page's panel too: prefixed "impl" so its ids are unique there;
    the template adds the CSRF token (CSRFProtect checks every POST)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Implementation status"),
        choices=[(s.value, label) for s, label in IMPLEMENTATION_LABELS.items()],
        validate_choice=True,
        description=_l("The scale of the Open Government Partnership."),
    )
    note = TextAreaField(
        _l("Why does the status change?"),
        validators=[DataRequired(message=REQUIRED),
                    Length(max=services.STATUS_NOTE_MAX, message=TOO_LONG)],
        filters=[_strip],
        description=_l("Public: it is shown with the status and sent to the followers."),
        render_kw={"rows": 3},
    )


# ---------------------------------------------------------------- who drafts and who checks

REASON_MAX = 5_000


def _reason(label, description, rows: int = 4):
    return TextAreaField(label, validators=[DataRequired(message=REQUIRED),
                                            Length(max=REASON_MAX, message=TOO_LONG)],
                         filters=[_strip], description=description, render_kw={"rows": rows})


class OfficialForm(FlaskForm):
    email = StringField(
        _l("Email of the official's account"),
        validators=[DataRequired(message=REQUIRED), Length(max=254, message=TOO_LONG)],
        filters=[_strip],
        description=_l("The person must have a confirmed account on Cocrea."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    institution = StringField(
        _l("Institution"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        filters=[_strip],
        description=_l("Leave it empty for the commitment's lead institution."),
    )
    position_title = StringField(
        _l("Position (optional)"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        filters=[_strip],
    )


class EndOfficialForm(FlaskForm):
    reason = StringField(
        _l("Why does the appointment end?"),
        validators=[DataRequired(message=REQUIRED), Length(max=500, message=TOO_LONG)],
        filters=[_strip],
        description=_l("Public: it stays in the commitment's history."),
    )


class ReturnForm(FlaskForm):
    reason = _reason(_l("What does the report need?"),
                     _l("Its author reads it and may send a new report."))


class ReviewForm(FlaskForm):
    verdict = RadioField(
        _l("Your verdict"),
        choices=[(v.value, label) for v, label in VERDICT_LABELS.items()],
        validators=[DataRequired(message=_l("Choose whether you confirm or dispute the report."))],
        validate_choice=True,
    )
    reason = _reason(_l("Your reason"),
                     _l("Public: it is shown with your verdict, your name and your seat. "
                        "Say what you checked, or what does not match."))


class AnswerForm(FlaskForm):
    answer = _reason(_l("Answer to the dispute"),
                     _l("Public: it is shown under the dispute."), rows=5)
