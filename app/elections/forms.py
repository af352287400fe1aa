"""Forms of elections: they validate input and never touch the database.

Checks that depend on the database or on several fields (window order, the roll, the candidate's
account) and the ballot's choice live in the services, whose ValidationError the views show next
to the field.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.validators import ValidationError as FormError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core import storage
from app.core.i18n import LOCAL_TIME_HINT
from app.core.requests import nul_removed_from

REQUIRED = _l("This field is required.")
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
LOCAL_HINT = LOCAL_TIME_HINT
BLANK = "blank"


def _local(label):
    return DateTimeLocalField(label, format=LOCAL_FORMATS,
                              validators=[DataRequired(message=REQUIRED)], description=LOCAL_HINT)


def _id_or_none(value):
    """A select's id, or None for its empty option (the service then picks the default)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not an option: pre_validate refuses it


class ElectionForm(FlaskForm):
    committee_id = SelectField(_l("Committee"), coerce=int,
                               validators=[InputRequired(message=_l("Choose a committee."))])
    call_id = SelectField(_l("Call"), coerce=_id_or_none,
                          description=_l("The organisations approved for the committee in this "
                                         "call vote; the call must include the committee."))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)],
                        description=_l("Leave it empty for the usual title with the committee's name."))
    seats = SelectField(_l("Seats to fill"), choices=[
        ("both", _l("Titular, then suplente")),
        ("titular", _l("Titular only")),
    ], default="both")
    nominations_open_at = _local(_l("Nominations open"))
    nominations_close_at = _local(_l("Nominations close"))
    voting_opens_at = _local(_l("Voting opens"))
    voting_closes_at = _local(_l("Voting closes"))
    min_participants = IntegerField(
        _l("Minimum number of participating organisations"),
        default=3,
        validators=[InputRequired(message=REQUIRED),
                    NumberRange(min=0, max=10_000, message=_l("Enter a number between %(min)s and %(max)s."))],
        description=_l("With fewer organisations approved for the committee, the guarantor body may "
                       "record a self-selection agreement instead of a vote."),
    )

    FIELDS = ["call_id", "title", "seats", "nominations_open_at", "nominations_close_at", "voting_opens_at",
              "voting_closes_at", "min_participants"]

    def election_data(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class EditElectionForm(ElectionForm):
    committee_id = None


class NominationForm(FlaskForm):
    name = StringField(_l("Candidate's full name"),
                       validators=[DataRequired(message=REQUIRED), Length(max=200)])
    email = EmailField(_l("Email address of the candidate's account"),
                       validators=[DataRequired(message=REQUIRED), Length(max=320)],
                       description=_l("The candidate must have a confirmed account on the site; "
                                      "they will be asked to accept the nomination."))
    bio = TextAreaField(_l("Short biography"), validators=[DataRequired(message=REQUIRED),
                                                           Length(max=2_000)],
                        render_kw={"rows": 5})
    statement = TextAreaField(_l("Statement"), validators=[DataRequired(message=REQUIRED),
                                                           Length(max=6_000)],
                              description=_l("Why this person, and what they will do on the "
                                             "committee. You can use Markdown."),
                              render_kw={"rows": 8})

    FIELDS = ["name", "email", "bio", "statement"]

    def nomination_data(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=REQUIRED),
                                                     Length(max=2_000)],
                           description=_l("It is published in the election's public record."),
                           render_kw={"rows": 4})


class CloseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for closing early"), validators=[Optional(), Length(max=2_000)],
                           description=_l("Required before the end of the voting window; published "
                                          "in the ballot box and the public record."),
                           render_kw={"rows": 4})


class PublishForm(FlaskForm):
    term_start = DateField(_l("Start of the term"), validators=[DataRequired(message=REQUIRED)],
                           description=_l("The date from which the people chosen hold their seats."))


class _BallotChoice:
    """The choice as it was sent, for cast_ballot's one check of it (services/voting.py): it is
    refused, never repaired, so nothing here keeps the first of several values or drops what
    does not belong to the code."""

    def sent_choice(self):
        """A list when the choice came several times; None for the blank ballot; else the code."""
        sent = list(self.choice.raw_data or [])
        if nul_removed_from(self.choice.name):
            # The request reader took a NUL out (app/core/requests.py): what came was not the
            # code offered, so the check must see that a control character was there.
            sent = [value + "\x00" for value in sent]
        if len(sent) != 1:
            return sent or None
        return None if sent[0] == BLANK else sent[0]


class ChoiceForm(_BallotChoice, FlaskForm):
    """The ballot: one candidate, or a blank ballot (the options are set by the view)."""

    choice = RadioField(_l("Your choice"), validate_choice=False,
                        validators=[InputRequired(message=_l("Choose an option."))])


class ConfirmBallotForm(_BallotChoice, FlaskForm):
    choice = HiddenField()
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(message=_l("Enter your password."))],
                             description=_l("Enter your account's password again to cast the ballot."),
                             render_kw={"autocomplete": "current-password"})


class ReceiptForm(FlaskForm):
    class Meta:
        csrf = False  # a read (GET): nothing changes

    code = StringField(_l("Receipt code"), validators=[DataRequired(message=REQUIRED),
                                                       Length(max=64)],
                       description=_l("The 20 characters you received when you voted; dashes and "
                                      "spaces do not matter."))


class BoxCheckForm(FlaskForm):
    """An observer's note taken while voting was open: the head hash and, optionally, its position."""

    class Meta:
        csrf = False  # a read (GET): nothing changes

    head = StringField(_l("Head hash you noted (optional)"),
                       validators=[Optional(), Regexp(r"^\s*[0-9a-fA-F]{64}\s*$",
                                                      message=_l("A head hash is 64 characters, digits "
                                                                 "0-9 and letters a-f."))],
                       description=_l("The code shown as the current head hash while voting was open."))
    position = IntegerField(_l("Its position (optional)"), validators=[Optional(), NumberRange(min=0, max=10**6)],
                            description=_l("The number shown next to it: the ballots in the box then."))

    def validate_position(self, field):
        if field.data is not None and not (self.head.data or "").strip():
            raise FormError(_l("Give the head hash that goes with this position."))

    @property
    def noted_head(self) -> tuple[str, int | None] | None:
        value = (self.head.data or "").strip().lower()
        return (value, self.position.data) if value else None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AgreementForm(FlaskForm):
    participants = MultiCheckboxField(_l("Participating organisations"), coerce=int,
                                      validators=[DataRequired(message=_l("Choose at least one."))])
    titular_name = StringField(_l("Titular: name of the person chosen"),
                               validators=[DataRequired(message=REQUIRED), Length(max=200)])
    titular_organisation_id = SelectField(_l("Titular: organisation"), coerce=int,
                                          validators=[InputRequired(message=REQUIRED)])
    suplente_name = StringField(_l("Suplente: name of the person chosen"),
                                validators=[Optional(), Length(max=200)])
    suplente_organisation_id = SelectField(_l("Suplente: organisation"),
                                           coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                                           validators=[Optional()])
    agreed_on = DateField(_l("Date of the agreement"), validators=[DataRequired(message=REQUIRED)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5_000)],
                          render_kw={"rows": 4})
    record = FileField(_l("Signed record"),
                       description=_l("PDF, PNG, JPEG, ODT or DOCX, up to 10 MB."))

    FIELDS = ["participants", "titular_name", "titular_organisation_id", "suplente_name",
              "suplente_organisation_id", "agreed_on", "notes"]
    upload: storage.Upload | None = None  # the signed record, read and checked

    def validate_record(self, field):
        """The file chosen must be what its extension promises (app/core/storage.py)."""
        file = field.data
        if file is None or not getattr(file, "filename", None):
            return
        try:
            self.upload = storage.inspect(file)
        except storage.Refused as refused:
            raise FormError(refused.message) from None

    def agreement_data(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}
