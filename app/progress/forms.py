"""Forms of implementation: a progress note with evidence, and the implementation status.

They check what they can without the database (the same checks the services repeat), so that
every mistake, every refused file included, is shown at once.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.commitments.models import IMPLEMENTATION_LABELS, MILESTONE_STATUS_LABELS
from app.core import clock, storage
from app.progress import services

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
