"""Forms of the committees' sessions. They check what they can without the database; the
services check again, and what depends on the committee's members."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from app.core import clock

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SessionForm(FlaskForm):
    held_on = DateField(_l("Date of the session"), default=clock.today,
                        validators=[DataRequired(message=_l("Give the date, such as 2026-03-31."))])
    place = StringField(_l("Place (optional)"), filters=[_strip],
                        validators=[Optional(), Length(max=300, message=TOO_LONG)])
    agenda = TextAreaField(_l("Agenda"), filters=[_strip], render_kw={"rows": 5},
                           validators=[DataRequired(message=REQUIRED), Length(max=20_000, message=TOO_LONG)],
                           description=_l("Public. You can use Markdown: lists, **bold**, links."))
    present = SelectMultipleField(_l("Members present"), coerce=int, validate_choice=True,
                                  option_widget=widgets.CheckboxInput(),
                                  widget=widgets.ListWidget(prefix_label=False))
    stand_in = BooleanField(_l("The suplente stood in for the absent titular"))

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.present.choices = [(m.id, f"{m.name} ({m.kind_label})") for m in members]


class AgreementForm(FlaskForm):
    text = TextAreaField(_l("What was agreed"), filters=[_strip], render_kw={"rows": 3},
                         validators=[DataRequired(message=REQUIRED), Length(max=5_000, message=TOO_LONG)])
    owner = StringField(_l("Who is responsible"), filters=[_strip],
                        validators=[DataRequired(message=REQUIRED), Length(max=300, message=TOO_LONG)])
    due_on = DateField(_l("Due on"), validators=[DataRequired(message=_l("Give the date, such as 2026-03-31."))])


class DoneForm(FlaskForm):
    done_on = DateField(_l("Done on"), default=clock.today,
                        validators=[DataRequired(message=_l("Give the date, such as 2026-03-31."))])
    note = StringField(_l("Note (optional)"), filters=[_strip],
                       validators=[Optional(), Length(max=5_000, message=TOO_LONG)])


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes"), filters=[_strip], render_kw={"rows": 10},
                            validators=[DataRequired(message=REQUIRED), Length(max=20_000, message=TOO_LONG)],
                            description=_l("Once published, the minutes are the public record of the session."))
