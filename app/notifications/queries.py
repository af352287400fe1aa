"""Reads of notifications shared by the pages: the unread count and one page of the list."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa

from app.accounts.session_store import read_with_session
from app.extensions import db
from app.notifications.models import Notification

PER_PAGE = 20


UNREAD = "unread_notifications"


@read_with_session(UNREAD)
def _unread_with_session(user_id_column):
    """The bell's count, as a column of the signed-in session's one statement."""
    return (sa.select(sa.func.count(Notification.id))
            .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
            .scalar_subquery())


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


class TitleMask(NamedTuple):
    """How an area keeps the titles of its hidden content out of notifications.

    `find(entries)` answers, in one query whatever the number of (params, url) entries, what of
    them is hidden now (anything; falsy when nothing is); `apply(params, url, found)` returns the
    params with the titles of hidden content replaced by a notice, in the current language."""

    find: Callable[[list[tuple[dict, str]]], Any]
    apply: Callable[[dict, str, Any], dict]


# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_MASKS: list[TitleMask] = []


def register_mask(mask: TitleMask) -> TitleMask:
    """For areas whose notifications carry titles that moderation may hide (from their hooks.py)."""
    if mask not in _MASKS:
        _MASKS.append(mask)
    return mask


def hidden_now(entries: list[tuple[dict, str]]) -> list[tuple[TitleMask, Any]]:
    """What each registered mask finds hidden among the entries (one query per mask)."""
    return [(mask, found) for mask in _MASKS if (found := mask.find(entries))]


def masked(params: dict, url: str, hidden: list[tuple[TitleMask, Any]]) -> dict:
    """`params` with the titles of hidden content replaced (`hidden` from hidden_now)."""
    params = dict(params or {})
    for mask, found in hidden:
        params = mask.apply(params, url, found)
    return params


def without_hidden_titles(entries: list[tuple[dict, str]]) -> list[dict]:
    """Each (params, url) with the titles of content hidden by moderation replaced by the notice.

    A notification keeps the title it was sent with; once moderation hides the content, lists,
    mails and digests must stop showing it, as every other page does.
    """
    hidden = hidden_now(entries)
    return [masked(params, url, hidden) for params, url in entries]
