"""Forms of the call: publish or edit it, extend its window, apply, decide on an application.

They check what they can without the database (the services check it all again), so that every
mistake is shown at once, next to its field, with the user's input kept.
"""
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import ValidationError as FormError
from wtforms.widgets import CheckboxInput, ListWidget

from app.calls import services
from app.core.i18n import LOCAL_TIME_HINT, zone_name

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")
# What browsers send for <input type="datetime-local">, and what people type without one.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
DATETIME_MESSAGE = _l("Give a date and time, such as 2026-03-31 18:00.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes; templates/calls/_macros.html draws it as a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        # The service says which choice is wrong in words; WTForms' message quotes raw values.
        if self.data and any(value not in dict(self.choices or []) for value in self.data):
            raise FormError(self.gettext("Choose only among the options shown."))


def _window_field(label, description):
    return DateTimeLocalField(
        label, format=DATETIME_FORMATS,
        validators=[DataRequired(message=DATETIME_MESSAGE)],
        description=description,
    )


class CallForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=REQUIRED),
                    Length(max=services.TITLE_MAX, message=TOO_LONG)],
        filters=[_strip],
    )
    body = TextAreaField(
        _l("Text of the call"),
        validators=[DataRequired(message=REQUIRED),
                    Length(max=services.TEXT_MAX, message=TOO_LONG)],
        description=_l("Public. You can use Markdown: **bold**, *italics*, lists and links."),
        render_kw={"rows": 12},
    )
    requirements = TextAreaField(
        _l("Requirements"),
        validators=[Optional(), Length(max=services.TEXT_MAX, message=TOO_LONG)],
        description=_l("Who may apply and what they must show. Markdown, like the text."),
        render_kw={"rows": 8},
    )
    declarations = TextAreaField(
        _l("Declarations"),
        validators=[DataRequired(message=_l("Write at least one declaration."))],
        description=_l("One per line. Each organisation must accept all of them to apply, "
                       "e.g. «We have no conflict of interest with the committee's government "
                       "members»."),
        render_kw={"rows": 5},
    )
    committee_ids = CheckboxesField(_l("Committees the call covers"), coerce=int)
    opens_at = _window_field(_l("Registration opens"), LOCAL_TIME_HINT)
    closes_at = _window_field(_l("Registration closes"), LOCAL_TIME_HINT)

    def validate_declarations(self, field):
        lines = services.declaration_lines(field.data)
        if len(lines) > services.DECLARATIONS_MAX:
            raise FormError(_l("A call can ask for at most %(max)d declarations.",
                                max=services.DECLARATIONS_MAX))

    def validate_committee_ids(self, field):
        if not field.data:
            raise FormError(_l("Choose at least one committee."))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise FormError(_l("Registration must close after it opens."))


class ExtendForm(FlaskForm):
    """Once registration is open, only the closing date can move, and only later."""

    closes_at = _window_field(_l("Registration closes"),
                              LazyString(lambda: _("Local time of the plan (%(zone)s); only a later "
                                                   "date is accepted.", zone=zone_name())))


class ApplyForm(FlaskForm):
    committee_ids = CheckboxesField(_l("Committees you apply to"), coerce=int)
    declarations = CheckboxesField(_l("Declarations"), coerce=int)
    documents = MultipleFileField(
        _l("Documents (optional)"),
        render_kw={"accept": services.DOCUMENT_ACCEPT},
    )

    def validate_committee_ids(self, field):
        if not field.data:
            raise FormError(_l("Choose at least one committee."))

    def validate_declarations(self, field):
        if set(field.data or []) != {value for value, _label in self.declarations.choices}:
            raise FormError(_l("Accept every declaration the call asks for."))

    def validate_documents(self, field):
        field.errors.extend(services.check_documents(field.data)[1])


class DecisionForm(FlaskForm):
    """One per application on the review page (prefixed, so ids stay unique there); the template
    adds the CSRF token, which CSRFProtect checks on every POST."""

    class Meta:
        csrf = False

    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[DataRequired(message=_l("Choose approve or reject."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=services.REASON_MAX, message=TOO_LONG)],
        filters=[_strip],
        description=_l("Required to reject. The organisation receives it by mail and it is "
                       "public in the audit log."),
        render_kw={"rows": 3},
    )

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise FormError(_l("Give the reason for the rejection; the organisation will read "
                                "it."))
