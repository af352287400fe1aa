"""The newsletter form (sending is a separate confirmation), the confirmation forms, and the
person's choice on their preferences page. Forms never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.newsletters import services
from app.newsletters.models import Segment

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")

SEGMENT_LABELS = {
    Segment.everyone: _l("Everyone: every active account that accepts newsletters"),
    Segment.organisations: _l("Verified organisations"),
    Segment.committee: _l("The participants of a committee"),
    Segment.followers: _l("The followers of an item"),
}
FOLLOW_LABELS = {
    "proposal": _l("Proposal"), "commitment": _l("Commitment"), "committee": _l("Committee"),
    "table": _l("Dialogue table"), "election": _l("Election"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    if value in (None, "") or isinstance(value, int):
        return value or None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class NewsletterForm(FlaskForm):
    subject = StringField(_l("Subject"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.SUBJECT_MAX, message=TOO_LONG)])
    body = TextAreaField(_l("Text"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.BODY_MAX, message=TOO_LONG)],
        description=_l("You can use Markdown: **bold**, *italics*, lists and links. The mail "
                       "shows it as plain text; the news page shows it formatted."),
        render_kw={"rows": 14})
    segment = RadioField(_l("Who receives it"), validate_choice=False,
                         choices=[(s.value, label) for s, label in SEGMENT_LABELS.items()],
                         default=Segment.everyone.value)
    committee_id = SelectField(_l("Committee (for its participants)"), coerce=_optional_int,
                               validate_choice=False,
                               description=_l("People who proposed, commented or registered for "
                                              "a dialogue table in its scope, and organisations "
                                              "that applied to it."))
    follow_type = SelectField(_l("Kind of item (for its followers)"), validate_choice=False,
                              choices=[("", "—"), *FOLLOW_LABELS.items()])
    follow_key = StringField(_l("Number of the item (for its followers)"), filters=[_strip],
                             validators=[Length(max=40, message=TOO_LONG)],
                             description=_l("The number in the item's address; for a proposal, "
                                            "its reference."))

    def set_committees(self, committees) -> None:
        self.committee_id.choices = [("", "—"), *((c.id, c.name) for c in committees)]


class ConfirmForm(FlaskForm):
    """A confirmation button (sending a newsletter): the CSRF token alone."""


class NewsletterPreferenceForm(FlaskForm):
    receive = BooleanField(_l("Receive the newsletters of the guarantor body by email"))
