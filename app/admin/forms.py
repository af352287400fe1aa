"""Forms of the administration area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.accounts.forms import email_field


class VerifyOrganisationForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("verify", _l("Verify")), ("reject", _l("Reject"))],
        validators=[InputRequired(message=_l("Choose verify or reject."))],
    )
    # No Optional() here: it would stop the chain before validate_reason sees an empty reason.
    reason = TextAreaField(
        _l("Reason (required to reject; sent to the organisation)"),
        validators=[Length(max=2000, message=_l("Use at most %(max)d characters."))],
    )

    def validate_reason(self, field):
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason for the rejection."))


class GrantScopeForm(FlaskForm):
    email = email_field(_l("Email of the facilitator's account"))
    committee_id = SelectField(
        _l("Committee"), coerce=int, validators=[InputRequired(message=_l("Choose a committee."))]
    )

    def validate_committee_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a committee."))
