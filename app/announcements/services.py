"""Acts on announcements: write a draft, edit it (audited), publish and unpublish.

Publishing and unpublishing are conditional UPDATEs, so a double click records one change. Any
of these commits bumps the page cache's data version (app/core/cache.py): the home page, the list
and the feed are fresh on the next request.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.announcements import permissions as _permissions  # noqa: F401  (registers the rules)
from app.announcements.models import Announcement
from app.core.audit import record
from app.core.clock import now
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.extensions import db

TITLE_MAX = 300
BODY_MAX = 20_000


def _fields(data: dict) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title = clean_line(data.get("title"))
    if not title:
        errors["title"] = [_("Give the announcement a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title can have at most %(max)d characters.", max=TITLE_MAX)]
    body = clean_text(data.get("body"))
    if not body:
        errors["body"] = [_("Write the text of the announcement.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("The text can have at most %(max)d characters.", max=BODY_MAX)]
    if errors:
        name, messages = next(iter(errors.items()))
        raise ValidationError(messages[0], field=name, errors=errors)
    return title, body


def create_announcement(actor, plan, data: dict) -> Announcement:
    """A draft announcement of `plan` (data: title, body in Markdown); publish it to show it."""
    require(actor, "announcements.manage", plan)
    title, body = _fields(data)
    announcement = Announcement(plan_id=plan.id, title=title, body=body, author_id=actor.id,
                                updated_at=now())
    db.session.add(announcement)
    db.session.flush()
    record(actor, "announcements.create", announcement, plan_id=plan.id, title=title)
    db.session.flush()
    return announcement


def edit_announcement(actor, announcement: Announcement, data: dict) -> bool:
    """Change title and body; the previous text is kept in the audit entry. False if unchanged."""
    require(actor, "announcements.manage", announcement)
    title, body = _fields(data)
    if (title, body) == (announcement.title, announcement.body):
        return False
    record(actor, "announcements.edit", announcement, previous_title=announcement.title,
           previous_body=announcement.body, title=title)
    announcement.title, announcement.body, announcement.updated_at = title, body, now()
    db.session.flush()
    return True


def _set_published(actor, announcement: Announcement, publish: bool) -> bool:
    require(actor, "announcements.manage", announcement)
    moment = now()
    condition = (Announcement.published_at.is_(None) if publish
                 else Announcement.published_at.is_not(None))
    changed = db.session.execute(
        sa.update(Announcement).where(Announcement.id == announcement.id, condition)
        .values(published_at=moment if publish else None, updated_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        record(actor, "announcements.publish" if publish else "announcements.unpublish",
               announcement, public=publish, title=announcement.title)
        db.session.flush()
    db.session.refresh(announcement)
    return bool(changed)


def publish_announcement(actor, announcement: Announcement) -> bool:
    """Show it on the home page, the news list and the feed; False if it already was."""
    return _set_published(actor, announcement, True)


def unpublish_announcement(actor, announcement: Announcement) -> bool:
    """Back to a draft; False if it was not published."""
    return _set_published(actor, announcement, False)
