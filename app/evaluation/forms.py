"""Forms of the evaluation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.evaluation.models import COMPLETION_LABELS, OPENED_LABELS

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _completion():
    return RadioField(_l("Level of completion"), choices=[(k.value, v) for k, v in COMPLETION_LABELS.items()],
                      validators=[DataRequired(message=_l("Choose the level of completion."))])


class OpinionForm(FlaskForm):
    completion = _completion()
    text = TextAreaField(_l("Your opinion"), filters=[_strip], render_kw={"rows": 6},
                         validators=[DataRequired(message=REQUIRED), Length(max=10_000, message=TOO_LONG)],
                         description=_l("Public, with your name and seat: what was done, what was not, "
                                        "and whether it changed anything."))


class AssessmentForm(FlaskForm):
    completion = _completion()
    opened_government = RadioField(
        _l("Did it open government?"), choices=[(k.value, v) for k, v in OPENED_LABELS.items()],
        validators=[DataRequired(message=_l("Choose whether it opened government."))])
    evidence = TextAreaField(_l("Evidence"), filters=[_strip], render_kw={"rows": 6},
                             validators=[DataRequired(message=REQUIRED), Length(max=10_000, message=TOO_LONG)],
                             description=_l("Public. Link the reports, documents and data that support it."))
