"""Forms of the administration area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.accounts.forms import email_field
from app.accounts.models import (
    ROLE_LABELS,
    SECTOR_LABELS,
    VERIFICATION_LABELS,
    Role,
    Sector,
    Verification,
)
from app.admin.queries import OrganisationFilters, UserFilters
from app.admin.users import role_choices
from app.core.text import clean_line


def _line(value):
    return clean_line(value, 200) if isinstance(value, str) else value


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


# --- People: the users page and the organisations queue -----------------------------------------

USER_STATE_LABELS = {
    "active": _l("Active"),
    "unconfirmed": _l("Email not confirmed"),
    "blocked": _l("Blocked"),
    "deleted": _l("Deleted"),
}


class UserFilterForm(FlaskForm):
    """The users list's GET form; values that do not fit are ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), filters=[_line], render_kw={"maxlength": 200, "type": "search"})
    role = SelectField(_l("Role"), choices=[], validate_choice=True)
    state = SelectField(_l("State"), choices=[], validate_choice=True)
    municipality = SelectField(_l("Municipality"), choices=[], validate_choice=True)


class OrganisationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, contact or email"), filters=[_line],
                    render_kw={"maxlength": 200, "type": "search"})
    sector = SelectField(_l("Sector"), choices=[], validate_choice=True)
    verification = SelectField(_l("Decision"), choices=[], validate_choice=True)
    committee = SelectField(_l("Committee applied to"), choices=[], validate_choice=True)
    call = SelectField(_l("Call applied to"), choices=[], validate_choice=True)


class _ReasonForm(FlaskForm):
    """A form whose reason field has its own name on a page of several forms; a service's error
    about "reason" is shown next to it."""

    reason_field = "reason"

    def field_for(self, name):
        return self._fields.get(self.reason_field if name == "reason" else name)

    def reason_text(self) -> str:
        return self._fields[self.reason_field].data or ""


def _reason_area(label):
    return TextAreaField(label, validators=[Length(max=2000, message=_l("Use at most %(max)d characters."))],
                         render_kw={"rows": 3})


class ChangeRoleForm(_ReasonForm):
    reason_field = "role_reason"
    role = SelectField(_l("New role"), choices=[],
                       validators=[InputRequired(message=_l("Choose a role."))])
    role_reason = _reason_area(_l("Reason for the change (kept in the public log)"))


class BlockForm(_ReasonForm):
    reason_field = "block_reason"
    block_reason = _reason_area(_l("Reason for blocking (kept in the audit log)"))


class UnblockForm(_ReasonForm):
    reason_field = "unblock_reason"
    unblock_reason = _reason_area(_l("Reason for unblocking (kept in the audit log)"))


def _ignore_invalid(form) -> None:
    """A filter that does not fit its choices counts as not given (shown as "any", not an error)."""
    form.validate()
    for f in form:
        if f.errors:
            f.data = f.default
            f.errors = []


def _choice(value):
    return value or None


def user_filters(form: UserFilterForm, municipalities: list[str]) -> UserFilters:
    anything = _l("Any")
    form.role.choices = [("", anything)] + [(r.value, label) for r, label in ROLE_LABELS.items()]
    form.state.choices = [("", anything)] + list(USER_STATE_LABELS.items())
    form.municipality.choices = [("", anything)] + [(m, m) for m in municipalities]
    _ignore_invalid(form)
    return UserFilters(
        text=_choice(form.q.data),
        role=Role(form.role.data) if _choice(form.role.data) else None,
        state=_choice(form.state.data),
        municipality=_choice(form.municipality.data),
    )


def organisation_filters(form: OrganisationFilterForm, committees, calls) -> OrganisationFilters:
    anything = _l("Any")
    form.sector.choices = [("", anything)] + [(s.value, label) for s, label in SECTOR_LABELS.items()]
    form.verification.choices = [("", anything)] + [
        (v.value, label) for v, label in VERIFICATION_LABELS.items()]
    form.committee.choices = [("", anything)] + [
        (str(c.id), f"{c.name} ({c.plan.name})") for c in committees]
    form.call.choices = [("", anything)] + [(str(c.id), c.title) for c in calls]
    _ignore_invalid(form)
    return OrganisationFilters(
        text=_choice(form.q.data),
        sector=Sector(form.sector.data) if _choice(form.sector.data) else None,
        verification=Verification(form.verification.data) if _choice(form.verification.data) else None,
        committee_id=int(form.committee.data) if _choice(form.committee.data) else None,
        call_id=int(form.call.data) if _choice(form.call.data) else None,
    )


def role_form_for(user, form: ChangeRoleForm | None = None) -> ChangeRoleForm:
    form = form or ChangeRoleForm(formdata=None)
    form.role.choices = [("", _l("Choose a role"))] + [
        (r.value, ROLE_LABELS[r]) for r in role_choices(user) if r != user.role]
    return form
