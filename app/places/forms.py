"""Forms of the catalogue of places: they validate input and never write to the database."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, ValidationError

from app.maps.forms import LocationFields
from app.places.models import NAME_MAX, PLACE_KIND_LABELS, PlaceKind
from app.places.services import MAX_BYTES

REQUIRED = _l("This field is required.")


def _line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _name_field():
    return StringField(
        _l("Name"),
        validators=[DataRequired(message=REQUIRED),
                    Length(max=NAME_MAX, message=_l("Use at most %(max)d characters."))],
        filters=[_line], render_kw={"maxlength": NAME_MAX},
    )


def _committee_field():
    # The service checks that the committee is the plan's.
    return SelectField(_l("Committee that covers it"), choices=[], validate_choice=False,
                       description=_l("People from this place are guided to this committee."))


class PlaceForm(LocationFields, FlaskForm):
    name = _name_field()
    kind = SelectField(_l("Kind"), default=PlaceKind.municipality.value, validate_choice=False,
                       choices=[(k.value, label) for k, label in PLACE_KIND_LABELS.items()])
    parent_id = SelectField(_l("Municipality of the locality"), choices=[], validate_choice=False,
                            description=_l("Only for a locality."))
    committee_id = _committee_field()


class EditPlaceForm(LocationFields, FlaskForm):
    name = _name_field()
    committee_id = _committee_field()


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), description=_l(
        "UTF-8, with the header municipality,locality,committee. Or paste the lines below."))
    text = TextAreaField(_l("Or paste the CSV"), render_kw={"rows": 12, "spellcheck": "false"})

    def csv_text(self) -> str:
        """What to import: the uploaded file (read in validate_file) or the pasted text."""
        return getattr(self, "_uploaded", None) or self.text.data or ""

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            return
        raw = field.data.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ValidationError(_l("The file is larger than %(size)d MB.",
                                     size=MAX_BYTES // (1024 * 1024)))
        try:
            self._uploaded = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_l("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from None

    def validate_text(self, field):
        if not getattr(self, "_uploaded", None) and not (field.data or "").strip():
            raise ValidationError(_l("Choose a file or paste the lines."))


class CommitteePlacesForm(FlaskForm):
    place_ids = SelectMultipleField(
        _l("Places the committee covers"), choices=[], validate_choice=False,
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
