"""Reads of notifications shared by the pages: the unread count and one page of the list."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification

PER_PAGE = 20


def unread_count(user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ) or 0


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_for(user_id: int, number: int, per_page: int = PER_PAGE) -> Page:
    """A user's notifications, newest first; a page past the end shows the last one.

    Two statements whatever the number of notifications: a COUNT and one page of rows (the
    rows carry everything the page shows, so nothing loads lazily).
    """
    total = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user_id)
    ) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    items = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return Page(items=list(items), number=number, pages=pages, total=total)
