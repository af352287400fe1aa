"""Reads of announcements: everything public goes through `visible()` (drafts never)."""
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.announcements.models import Announcement
from app.extensions import db

PER_PAGE = 10


def visible():
    return Announcement.published_at.is_not(None)


def _newest():
    return (Announcement.published_at.desc(), Announcement.id.desc())


@dataclass
class AnnouncementPage:
    items: list[Announcement]
    total: int
    page: int
    pages: int


def published_page(plan, page=1, per_page: int = PER_PAGE) -> AnnouncementPage:
    """The plan's published announcements, newest first; two statements whatever the data size."""
    where = (visible(), Announcement.plan_id == plan.id)
    total = db.session.scalar(sa.select(sa.func.count(Announcement.id)).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    try:
        page = max(1, min(int(page), pages))
    except (TypeError, ValueError):
        page = 1
    items = list(db.session.scalars(
        sa.select(Announcement).where(*where).order_by(*_newest())
        .limit(per_page).offset((page - 1) * per_page)))
    return AnnouncementPage(items=items, total=total, page=page, pages=pages)


def latest(plan, limit: int = 3) -> list[Announcement]:
    if plan is None:
        return []
    return list(db.session.scalars(
        sa.select(Announcement).where(visible(), Announcement.plan_id == plan.id)
        .order_by(*_newest()).limit(limit)))


def latest_everywhere(limit: int = 50) -> list[Announcement]:
    """For the feed: the newest published announcements of every plan."""
    return list(db.session.scalars(sa.select(Announcement).where(visible())
                                   .order_by(*_newest()).limit(limit)))


def public_announcement(announcement_id: int) -> Announcement | None:
    return db.session.scalar(
        sa.select(Announcement).where(Announcement.id == announcement_id, visible())
        .options(joinedload(Announcement.author).lazyload(User.moderator_scopes)))


def any_announcement(announcement_id: int) -> Announcement | None:
    """Drafts included: for the guarantor body's forms."""
    return db.session.get(Announcement, announcement_id)


def all_of(plan) -> list[Announcement]:
    """Drafts first, then the published ones, newest first: the guarantor body's list."""
    return list(db.session.scalars(
        sa.select(Announcement).where(Announcement.plan_id == plan.id)
        .order_by(Announcement.published_at.is_not(None), Announcement.published_at.desc(),
                  Announcement.id.desc())))
