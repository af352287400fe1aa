"""Forms of the accounts area: they validate input and never write to the database."""
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.accounts.models import SECTOR_LABELS, Sector
from app.accounts.municipalities import is_municipality_choice, municipality_choices
from app.accounts.passwords import MAX_LENGTH, password_problems

REQUIRED = _l("This field is required.")


def email_field(label=None):
    return EmailField(
        label or _l("Email"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            Email(message=_l("Enter a valid email address, such as nombre@ejemplo.mx."),
                  check_deliverability=False),
        ],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        render_kw={"autocomplete": "email"},
    )


def name_field(label, max_length=200):
    return StringField(
        label,
        validators=[
            DataRequired(message=REQUIRED),
            Length(min=2, max=max_length, message=_l("Use between %(min)d and %(max)d characters.")),
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )


def _known_municipality(form, field):
    if not is_municipality_choice(field.data):
        raise ValidationError(_l("Choose your municipality from the list."))


def municipality_field():
    # The choices are the current plan's catalogue; a value not in it is refused with a clear
    # message (not WTForms' "Not a valid choice").
    return SelectField(
        _l("Municipality"),
        choices=municipality_choices,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a municipality.")), _known_municipality],
    )


class NewPasswordMixin:
    """A new password and its confirmation, checked against the user's own name and email."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=REQUIRED)],
        description=_l(
            "At least 12 characters. A phrase of several words you can remember is a good choice."
        ),
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def personal_inputs(self) -> tuple[str, str]:
        return "", ""

    def validate_password(self, field):
        name, email = self.personal_inputs()
        problems = password_problems(field.data or "", name=name, email=email)
        if problems:
            raise ValidationError(" ".join(problems))


def _http_url(form, field):
    """Only web addresses: older WTForms' URL() accepts any scheme, javascript: included."""
    if field.data and urlsplit(field.data).scheme.lower() not in ("http", "https"):
        raise ValidationError(_l("Enter a full web address, such as https://ejemplo.org.mx."))


def _municipality_valid(form, field):
    if not field.data:
        raise ValidationError(_l("Choose a municipality."))


class CitizenRegistrationForm(NewPasswordMixin, FlaskForm):
    name = name_field(_l("Full name"))
    email = email_field()
    municipality = municipality_field()
    accept_terms = BooleanField(
        _l("I have read the privacy notice and accept the terms of participation."),
        validators=[DataRequired(message=_l("You must accept the privacy notice to register."))],
    )

    def personal_inputs(self):
        return self.name.data or "", self.email.data or ""


class OrganisationRegistrationForm(NewPasswordMixin, FlaskForm):
    legal_name = name_field(_l("Legal name of the organisation"))
    sector = SelectField(
        _l("Sector"),
        choices=lambda: [("", _l("Choose a sector"))] + [(s.value, SECTOR_LABELS[s]) for s in Sector],
        validators=[InputRequired(message=_l("Choose a sector."))],
    )
    municipality = municipality_field()
    contact_person = name_field(_l("Contact person"))
    email = email_field(_l("Contact email"))
    website = URLField(
        _l("Website (optional)"),
        validators=[
            Optional(),
            Length(max=300),
            URL(require_tld=True, message=_l("Enter a full web address, such as https://ejemplo.org.mx.")),
            _http_url,
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        validators=[Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))],
    )
    accept_terms = CitizenRegistrationForm.accept_terms

    def personal_inputs(self):
        return f"{self.legal_name.data or ''} {self.contact_person.data or ''}", self.email.data or ""

    def validate_sector(self, field):
        if field.data not in {s.value for s in Sector}:
            raise ValidationError(_l("Choose a sector."))


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class EmailOnlyForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def personal_inputs(self):
        return (self._user.name, self._user.email or "") if self._user else ("", "")


class ProfileForm(FlaskForm):
    name = name_field(_l("Full name"))
    municipality = municipality_field()
    locale = SelectField(
        _l("Language"), choices=[("es_MX", "Español"), ("en", "English")], default="es_MX"
    )


class OrganisationProfileForm(ProfileForm):
    name = name_field(_l("Legal name of the organisation"))
    contact_person = name_field(_l("Contact person"))
    website = OrganisationRegistrationForm.website
    description = OrganisationRegistrationForm.description


class ChangeEmailForm(FlaskForm):
    new_email = email_field(_l("New email"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = ChangeEmailForm.current_password

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def personal_inputs(self):
        return (self._user.name, self._user.email or "") if self._user else ("", "")


class DeleteAccountForm(FlaskForm):
    current_password = ChangeEmailForm.current_password
    confirm = BooleanField(
        _l("I understand that my account will be deleted and this cannot be undone."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


def code_field(label=None, description=None):
    return StringField(
        label or _l("Code"),
        validators=[DataRequired(message=REQUIRED), Length(max=40)],
        description=description,
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false",
                   "autocapitalize": "off"},
    )


class TwoFactorLoginForm(FlaskForm):
    code = code_field(description=_l(
        "The 6-digit code your authenticator app shows now, or one of your recovery codes."
    ))


class TwoFactorCodeForm(FlaskForm):
    code = code_field(description=_l("The 6-digit code your authenticator app shows now."))


class DisableTwoFactorForm(FlaskForm):
    current_password = ChangeEmailForm.current_password
    code = code_field(description=_l("A code from your authenticator app, or a recovery code."))


class EndSessionForm(FlaskForm):
    """Only the CSRF token: ending a session is one button."""
