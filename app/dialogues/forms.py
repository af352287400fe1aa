"""Forms of dialogue tables: they validate input and never write to the database.

Checks that need several fields or the database (deadline before the start, a place or a link,
the theme's plan) live in the services, whose ValidationError the views show next to the field.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.i18n import LOCAL_TIME_HINT
from app.dialogues.models import MAX_CAPACITY

REQUIRED = _l("This field is required.")
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
LOCAL_HINT = LOCAL_TIME_HINT


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _local_datetime(label, required: bool):
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMATS,
        validators=[DataRequired(message=REQUIRED)] if required else [Optional()],
        description=LOCAL_HINT,
    )


class TableForm(FlaskForm):
    committee_id = SelectField(_l("Committee"), coerce=int,
                               validators=[InputRequired(message=_l("Choose a committee."))])
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=REQUIRED), Length(max=200)],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    objective = TextAreaField(
        _l("Objective"),
        validators=[DataRequired(message=REQUIRED), Length(max=20_000)],
        description=_l("What the table will discuss and hopes to reach. You can use Markdown."),
        render_kw={"rows": 6},
    )
    theme_id = SelectField(_l("Theme"), coerce=_optional_int, validators=[Optional()])
    starts_at = _local_datetime(_l("Date and start time"), required=True)
    ends_at = _local_datetime(_l("End time (optional)"), required=False)
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=300)],
        description=_l("Address of the venue. Give a place, an online link, or both."),
    )
    online_url = URLField(
        _l("Online link"),
        validators=[Optional(), Length(max=500)],
        description=_l("Shown only to confirmed attendees. Starts with https://"),
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=MAX_CAPACITY,
                        message=_l("Enter a number between %(min)s and %(max)s.")),
        ],
        render_kw={"min": 1, "max": MAX_CAPACITY},
    )
    registration_deadline = _local_datetime(_l("Registration deadline"), required=True)

    FIELD_ORDER = [
        "committee_id", "title", "objective", "theme_id", "starts_at", "ends_at", "place",
        "online_url", "capacity", "registration_deadline",
    ]

    def table_data(self) -> dict:
        return {name: self[name].data for name in self.FIELD_ORDER if name in self}


class CancelTableForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[DataRequired(message=REQUIRED), Length(max=2000)],
        description=_l("Public: it is shown on the table's page and sent to registered people."),
    )


class AgendaForm(FlaskForm):
    references = StringField(
        _l("Proposal references"),
        validators=[DataRequired(message=REQUIRED), Length(max=1000)],
        description=_l("One or more references such as ABC-2026-0042, separated by commas."),
    )
    note = TextAreaField(
        _l("Note for the authors (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Added to the public answer that tells each proposal it goes to this table."),
    )


class AttendanceForm(FlaskForm):
    """The checkboxes are one per registration (name "attended", value = registration id)."""


class _MinutesBase(FlaskForm):
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(message=REQUIRED), Length(max=50_000)],
        description=_l("You can use Markdown."),
        render_kw={"rows": 8},
    )
    agreements = TextAreaField(
        _l("Agreements"),
        validators=[DataRequired(message=REQUIRED), Length(max=50_000)],
        description=_l("You can use Markdown."),
        render_kw={"rows": 6},
    )


def minutes_form(agenda_items, *, correction: bool, **kwargs) -> FlaskForm:
    """The minutes form: an outcome field per proposal on the agenda, and a reason to correct."""

    class MinutesForm(_MinutesBase):
        pass

    for item in agenda_items:
        setattr(
            MinutesForm,
            f"outcome_{item.proposal_id}",
            TextAreaField(
                _l("Outcome for %(ref)s", ref=item.proposal.reference),
                validators=[DataRequired(message=REQUIRED), Length(max=10_000)],
                render_kw={"rows": 3},
            ),
        )
    if correction:
        MinutesForm.reason = TextAreaField(
            _l("Reason for the correction"),
            validators=[DataRequired(message=REQUIRED), Length(max=2000)],
            description=_l("Public: shown in the list of versions."),
        )
    form = MinutesForm(**kwargs)
    form.outcome_names = [f"outcome_{item.proposal_id}" for item in agenda_items]
    return form


def minutes_data(form, agenda_items) -> dict:
    data = {"summary": form.summary.data, "agreements": form.agreements.data}
    data["outcomes"] = {
        str(item.proposal_id): form[f"outcome_{item.proposal_id}"].data for item in agenda_items
    }
    if "reason" in form:
        data["reason"] = form.reason.data
    return data
