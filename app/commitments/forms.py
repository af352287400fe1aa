"""Forms of the commitments area: they validate input and never write to the database."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.commitments.models import FIELD_LABELS, MILESTONE_FIELD_LABELS, CommitmentState
from app.commitments.queries import PUBLIC_STATES, CommitmentFilters
from app.commitments.services import (
    JUSTIFICATION_MIN,
    LINE_MAX,
    MILESTONE_RESPONSIBLE_MAX,
    MILESTONE_TEXT_MAX,
    REASON_MAX,
    REASON_MIN,
    TEXT_MAX,
    TITLE_MIN,
    WITHDRAW_REASON_MIN,
)
from app.maps.forms import LocationFields, PlaceField

REQUIRED = _l("This field is required.")
LENGTH = _l("Use between %(min)d and %(max)d characters.")
TOO_LONG = _l("Use at most %(max)d characters.")
# Blank rows are ignored, so a facilitator adds milestones without JavaScript.
MILESTONE_ROWS = 5
EXTRA_ROWS_WHEN_EDITING = 2

# The long texts of the template, in the order of the form, with a hint for each.
TEXT_FIELDS = {
    "other_actors_government": _l("Offices and agencies that take part, and their role."),
    "other_actors_civil_society": _l("Organisations, academia, private sector: who and their role."),
    "problem": _l("The public problem this commitment addresses. You can use Markdown."),
    "baseline": _l("Data that describe the problem today, with their sources."),
    "causes": _l("Why the problem happens."),
    "status_quo": _l("What exists today (policies, programmes, services) and its limits."),
    "objective": _l("What will be different when the commitment is fulfilled."),
    "description": _l("What will be done: the solution, its scope and its products."),
    "how_it_helps": _l("How what will be done helps solve the problem."),
    "value_transparency": _l("One sentence if the commitment claims this value; leave empty if not."),
    "value_participation": _l("One sentence if the commitment claims this value; leave empty if not."),
    "value_accountability": _l("One sentence if the commitment claims this value; leave empty if not."),
    "value_technology": _l("One sentence if the commitment claims this value; leave empty if not."),
    "budget": _l("Estimated budget and its source."),
    "additional_info": _l("Links to other plans, the Sustainable Development Goals, anything else."),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class IsoDateField(DateField):
    """A YYYY-MM-DD date; what the user typed stays in the field when it is not a date."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter the date as YYYY-MM-DD."))) from None


class MilestoneRowForm(Form):
    """One row of the milestones table; a row left blank is ignored."""

    id = HiddenField()
    description = TextAreaField(
        MILESTONE_FIELD_LABELS["description"],
        validators=[Optional(), Length(max=MILESTONE_TEXT_MAX, message=TOO_LONG)],
        filters=[_strip], render_kw={"rows": 2},
    )
    responsible = StringField(
        MILESTONE_FIELD_LABELS["responsible"],
        validators=[Optional(), Length(max=MILESTONE_RESPONSIBLE_MAX, message=TOO_LONG)],
        filters=[_line], render_kw={"maxlength": MILESTONE_RESPONSIBLE_MAX},
    )
    starts_on = IsoDateField(MILESTONE_FIELD_LABELS["starts_on"], validators=[Optional()])
    ends_on = IsoDateField(MILESTONE_FIELD_LABELS["ends_on"], validators=[Optional()])
    deliverable = TextAreaField(
        MILESTONE_FIELD_LABELS["deliverable"],
        validators=[Optional(), Length(max=MILESTONE_TEXT_MAX, message=TOO_LONG)],
        filters=[_strip], render_kw={"rows": 2},
        description=_l("The evidence that will show it done."),
    )
    remove = BooleanField(_l("Remove this milestone"))

    TEXTS = ("description", "responsible", "deliverable")

    def is_blank(self) -> bool:
        return not any(self[name].data for name in self.TEXTS) and not any(
            self[name].raw_data and self[name].raw_data[0] for name in ("starts_on", "ends_on")
        )

    def is_removed(self) -> bool:
        return bool(self.remove.data) or (self.is_blank() and bool(self.id.data))


class _CommitmentFields(FlaskForm):
    title = StringField(
        FIELD_LABELS["title"],
        validators=[DataRequired(message=REQUIRED),
                    Length(min=TITLE_MIN, max=LINE_MAX["title"], message=LENGTH)],
        filters=[_line], render_kw={"maxlength": LINE_MAX["title"]},
    )
    theme_id = SelectField(FIELD_LABELS["theme"], choices=[], validate_choice=True)
    lead_institution = StringField(
        FIELD_LABELS["lead_institution"],
        validators=[Optional(), Length(max=LINE_MAX["lead_institution"], message=TOO_LONG)],
        filters=[_line], render_kw={"maxlength": LINE_MAX["lead_institution"]},
    )
    responsible_official = StringField(
        FIELD_LABELS["responsible_official"],
        validators=[Optional(), Length(max=LINE_MAX["responsible_official"], message=TOO_LONG)],
        filters=[_line], render_kw={"maxlength": LINE_MAX["responsible_official"]},
        description=_l("Name and position."),
    )
    official_contact = StringField(
        FIELD_LABELS["official_contact"],
        validators=[Optional(), Length(max=LINE_MAX["official_contact"], message=TOO_LONG)],
        filters=[_line], render_kw={"maxlength": LINE_MAX["official_contact"]},
        description=_l("Public email or telephone of the office."),
    )
    # InputRequired, not DataRequired: a mistyped date keeps its own message ("YYYY-MM-DD").
    starts_on = IsoDateField(FIELD_LABELS["starts_on"], validators=[InputRequired(message=REQUIRED)])
    ends_on = IsoDateField(FIELD_LABELS["ends_on"], validators=[InputRequired(message=REQUIRED)])
    milestones = FieldList(FormField(MilestoneRowForm), min_entries=MILESTONE_ROWS,
                           max_entries=60)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        rows = [row for row in self.milestones if not row.form.is_removed() and not row.form.is_blank()]
        for row in rows:
            for name in MilestoneRowForm.TEXTS + ("starts_on", "ends_on"):
                f = row.form[name]
                if not f.data and not f.errors:
                    f.errors = [str(REQUIRED)]
                    ok = False
            start, end = row.form.starts_on.data, row.form.ends_on.data
            if isinstance(start, date) and isinstance(end, date) and end < start:
                row.form.ends_on.errors = [str(_l("The end date cannot be before the start date."))]
                ok = False
        if not rows:
            first = self.milestones.entries[0].form.description
            first.errors = [*first.errors, str(_l("Add at least one milestone."))]
            ok = False
        if isinstance(self.starts_on.data, date) and isinstance(self.ends_on.data, date):
            if self.ends_on.data < self.starts_on.data:
                self.ends_on.errors = [*self.ends_on.errors,
                                       str(_l("The end date cannot be before the start date."))]
                ok = False
        return ok

    def commitment_data(self) -> dict:
        data = {name: self[name].data or "" for name in ("title", "lead_institution",
                                                          "responsible_official", "official_contact",
                                                          *TEXT_FIELDS)}
        data.update(theme_id=self.theme_id.data or None, starts_on=self.starts_on.data,
                    ends_on=self.ends_on.data)
        return data

    def milestone_rows(self) -> tuple[list[dict], list[int]]:
        """The milestones to keep, in order, and the form row of each (to place errors)."""
        kept, rows = [], []
        for index, entry in enumerate(self.milestones):
            row = entry.form
            if row.is_removed() or row.is_blank():
                continue
            kept.append({
                "id": row.id.data or None,
                "description": row.description.data,
                "responsible": row.responsible.data,
                "starts_on": row.starts_on.data,
                "ends_on": row.ends_on.data,
                "deliverable": row.deliverable.data,
            })
            rows.append(index)
        self._milestone_rows = rows
        return kept, rows

    def field_for(self, name: str):
        """Where a service's error goes (app/core/views.py): `milestones-<i>-<name>` names the
        i-th milestone sent (see milestone_rows), "milestones" the first row, else a field."""
        if name.startswith("milestones-"):
            _, index, sub = name.split("-", 2)
            rows = getattr(self, "_milestone_rows", [])
            try:
                return self.milestones.entries[rows[int(index)]].form[sub]
            except (IndexError, KeyError, ValueError):
                return None
        if name == "milestones":
            return self.milestones.entries[0].form.description if self.milestones.entries else None
        return self._fields.get(name)


def _add_text_fields(cls):
    for name, hint in TEXT_FIELDS.items():
        setattr(cls, name, TextAreaField(
            FIELD_LABELS[name],
            validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)],
            filters=[_strip], description=hint,
            render_kw={"rows": 2 if name.startswith("value_") else 4},
        ))
    return cls


class _Located(LocationFields, PlaceField):
    """The "Location (optional)" fields of a commitment, new or edited (the service checks them
    as it checks a proposal's)."""

    def commitment_data(self) -> dict:
        return {**super().commitment_data(), **self.location_data()}


@_add_text_fields
class DraftForm(_Located, _CommitmentFields):
    proposals = SelectMultipleField(
        _l("Proposals it comes from"), choices=[], validate_choice=True,
        validators=[DataRequired(message=_l("Choose at least one proposal of the committee."))],
        description=_l("Each one becomes accepted, with an answer that names this commitment."),
    )
    tables = SelectMultipleField(
        _l("Dialogue tables where it was discussed (optional)"), choices=[], coerce=int,
        validate_choice=True,
    )


@_add_text_fields
class EditForm(_Located, _CommitmentFields):
    base_version = HiddenField()
    reason = TextAreaField(
        _l("Why this change?"),
        validators=[DataRequired(message=REQUIRED),
                    Length(min=REASON_MIN, max=REASON_MAX, message=LENGTH)],
        filters=[_strip], render_kw={"rows": 3},
        description=_l("Shown in the public version history."),
    )

    def require_justification(self) -> None:
        """A formal commitment's text changes only with a real justification."""
        self.reason.label.text = str(_l("Justification of the change to the formal commitment"))
        self.reason.validators = [
            DataRequired(message=REQUIRED),
            Length(min=JUSTIFICATION_MIN, max=REASON_MAX, message=LENGTH),
        ]
        self.reason.description = _l(
            "At least %(min)d characters. Shown in the public version history.", min=JUSTIFICATION_MIN
        )


class PublishForm(FlaskForm):
    reason = TextAreaField(
        _l("Note for the version history"),
        validators=[DataRequired(message=REQUIRED),
                    Length(min=REASON_MIN, max=REASON_MAX, message=LENGTH)],
        filters=[_strip], render_kw={"rows": 3},
        description=_l("For example, the session or agreement that approved it."),
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the commitment withdrawn?"),
        validators=[DataRequired(message=REQUIRED),
                    Length(min=WITHDRAW_REASON_MIN, max=REASON_MAX, message=LENGTH)],
        filters=[_strip], render_kw={"rows": 4},
        description=_l("Public: shown on the commitment's page and sent to its followers."),
    )


class FilterForm(FlaskForm):
    """The list's GET form; values that do not fit are ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), render_kw={"maxlength": 200, "type": "search"})
    committee = SelectField(_l("Committee"), choices=[], validate_choice=True)
    theme = SelectField(_l("Theme"), choices=[], validate_choice=True)
    state = SelectField(_l("State"), choices=[], validate_choice=True)


# ---------------------------------------------------------------- choices

def prepare_commitment_form(form, plan):
    form.theme_id.choices = [("", _l("No theme"))] + [(str(t.id), t.name) for t in plan.themes]
    return form


def prepare_draft_form(form, plan, proposals, tables):
    prepare_commitment_form(form, plan)
    form.proposals.choices = [(p.reference, f"{p.reference} — {p.title}") for p in proposals]
    form.tables.choices = [(t.id, t.title) for t in tables]
    return form


def prepare_filter_form(form, plan):
    from app.commitments.models import COMMITMENT_STATE_LABELS

    anything = _l("Any")
    form.committee.choices = [("", anything)] + [(str(c.id), c.name) for c in plan.committees]
    form.theme.choices = [("", anything)] + [(str(t.id), t.name) for t in plan.themes]
    form.state.choices = [("", anything)] + [
        (s.value, COMMITMENT_STATE_LABELS[s]) for s in PUBLIC_STATES
    ]
    return form


def filters_from(form) -> CommitmentFilters:
    form.validate()
    for f in form:
        if f.errors:  # a filter that does not fit counts as "any", not as a mistake
            f.data = f.default
            f.errors = []
    return CommitmentFilters(
        committee_id=int(form.committee.data) if form.committee.data else None,
        theme_id=int(form.theme.data) if form.theme.data else None,
        state=CommitmentState(form.state.data) if form.state.data else None,
        text=" ".join((form.q.data or "").split())[:200] or None,
    )
