"""The announcement form (publishing is a separate one-button act)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.announcements import services

REQUIRED = _l("This field is required.")
TOO_LONG = _l("Use at most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.TITLE_MAX, message=TOO_LONG)])
    body = TextAreaField(_l("Text"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED), Length(max=services.BODY_MAX, message=TOO_LONG)],
        description=_l("You can use Markdown: **bold**, *italics*, lists and links."),
        render_kw={"rows": 12})
