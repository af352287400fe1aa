"""Forms of the repository and the Declaratoria. The file is read and checked by its content when
the form is validated (the service checks it again), so a refused file is shown with the other
mistakes at once; the typed fields are kept when the form is shown again."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import ValidationError as FormError

from app.core import clock
from app.core.errors import ValidationError
from app.documents.models import DOCUMENT_KIND_LABELS, DocumentKind
from app.documents.services import documents as services

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")
FILE_HINT = _l("PDF, images or office documents (ODT, DOCX, XLSX…), up to 10 MB. Its SHA-256 "
               "fingerprint is computed and published with it.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class _WithFile(FlaskForm):
    file = FileField(_l("File"), description=FILE_HINT, render_kw={"accept": services.ACCEPT})
    upload = None  # the file, read and checked

    def validate_file(self, field):
        try:
            self.upload = services.read_upload(field.data)
        except ValidationError as refused:
            raise FormError(refused.message) from None


class DocumentForm(_WithFile):
    kind = SelectField(_l("Kind of document"), validate_choice=True)
    committee_id = SelectField(_l("Committee (optional)"), coerce=_optional_int,
                               validate_choice=False)
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.TITLE_MAX, message=TOO_LONG)])
    description = TextAreaField(_l("Description (optional)"), filters=[_strip], validators=[
        Optional(), Length(max=services.DESCRIPTION_MAX, message=TOO_LONG)], render_kw={"rows": 4})
    document_date = DateField(_l("Date of the document"), default=clock.today,
                              validators=[DataRequired(message=_l("Give the date, such as 2026-03-31."))])

    FIELDS = ["kind", "committee_id", "title", "description", "document_date", "file"]

    def set_choices(self, committees, kinds=None):
        kinds = kinds or list(DocumentKind)
        self.kind.choices = [(k.value, DOCUMENT_KIND_LABELS[k]) for k in kinds]
        self.committee_id.choices = [("", _l("— None —"))] + [(c.id, c.name) for c in committees]

    def document_data(self) -> dict:
        return {name: self[name].data for name in self.FIELDS if name != "file"}


class VersionForm(_WithFile):
    reason = TextAreaField(_l("Why is it replaced?"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.REASON_MAX, message=TOO_LONG)],
        description=_l("Public: shown with the new version. The previous versions stay "
                       "downloadable."), render_kw={"rows": 3})
    FIELDS = ["file", "reason"]


class DetailsForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.TITLE_MAX, message=TOO_LONG)])
    description = TextAreaField(_l("Description (optional)"), filters=[_strip], validators=[
        Optional(), Length(max=services.DESCRIPTION_MAX, message=TOO_LONG)], render_kw={"rows": 4})


class DeclarationForm(_WithFile):
    signed_on = DateField(_l("Date of signature"),
                          validators=[DataRequired(message=_l("Give the date, such as 2026-03-31."))])
    place = StringField(_l("Place of signature"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    title = StringField(_l("Title of the signed document (optional)"), filters=[_strip],
                        validators=[Optional(), Length(max=services.TITLE_MAX, message=TOO_LONG)])
    FIELDS = ["signed_on", "place", "title", "file"]

    def declaration_data(self) -> dict:
        return {"signed_on": self.signed_on.data, "place": self.place.data, "title": self.title.data}


class SignatoryForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    institution = StringField(_l("Institution or organisation"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    position = StringField(_l("Position (optional)"), filters=[_strip],
                           validators=[Optional(), Length(max=200, message=TOO_LONG)])
    is_adhesion = BooleanField(_l("A later adhesion (signed after the Declaratoria)"))
    signed_on = DateField(_l("Date of signature (for an adhesion)"), validators=[Optional()],
                          description=_l("Leave it empty for an original signatory."))

    def signatory_data(self) -> dict:
        return {name: self[name].data for name in
                ("name", "institution", "position", "is_adhesion", "signed_on")}
