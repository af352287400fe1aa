"""Forms of comments: they validate input and never write to the database."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.comments.services import MAX_LENGTH


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(message=_l("Write your comment.")),
            Length(max=MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
        filters=[_strip],
        description=_l("You can use Markdown: **bold**, *italics*, lists and links."),
        render_kw={"rows": 5, "maxlength": MAX_LENGTH},
    )
