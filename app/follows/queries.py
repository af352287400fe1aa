"""Reads of following: who follows a thing, whether one person does, and what a person follows
with what changed in it since they last looked."""
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.accounts.models import User
from app.core import read_along
from app.extensions import db
from app.follows import targets as registry
from app.follows.models import Follow

# The Following page and the panel read at most this many follows of one person.
MAX_FOLLOWS = 500


def follower_ids(target_type: str, target_id: int) -> list[int]:
    """The ids of the active accounts following the thing, in id order."""
    return list(db.session.scalars(
        sa.select(Follow.user_id)
        .join(User, User.id == Follow.user_id)
        .where(Follow.target_type == target_type, Follow.target_id == target_id,
               User.deleted_at.is_(None))
        .order_by(Follow.user_id)
    ))


def followers(target_type: str, target_id: int) -> list[User]:
    """The active accounts following the thing (for notify()), in id order."""
    return list(db.session.scalars(
        sa.select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.target_type == target_type, Follow.target_id == target_id,
               User.deleted_at.is_(None))
        .options(lazyload(User.moderator_scopes))
        .order_by(User.id)
    ))


def is_following(user, target_type: str, target_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id,
    ))))


@functools.cache
def _follow_state_statement():
    """Built once per process with the reader and the thing as parameters (every followable page
    runs it; building it costs more than running it). Thread-safe: a statement is immutable."""
    mine = sa.case((Follow.user_id == sa.bindparam("user_id"), 1), else_=0)
    return (sa.select(sa.func.count(Follow.id), sa.func.coalesce(sa.func.sum(mine), 0))
            .join(User, User.id == Follow.user_id)
            .where(Follow.target_type == sa.bindparam("target_type"),
                   Follow.target_id == sa.bindparam("target_id"), User.deleted_at.is_(None)))


def _reader_id(user) -> int:
    return user.id if user is not None and getattr(user, "is_authenticated", False) else -1


def follow_state_alongside(user, target_type: str, target_id: int) -> tuple:
    """(statement, parameters) of follow_state, for a page to read alongside its own version
    (app/core/read_along.py); `remember_follow_state` then keeps what it read."""
    return _follow_state_statement(), {"user_id": _reader_id(user), "target_type": target_type,
                                       "target_id": target_id}


def remember_follow_state(user, target_type: str, target_id: int, values) -> None:
    count, following = values
    read_along.remember("follow", (_reader_id(user), target_type, target_id), (int(count), bool(following)))


def read_with_follow_state(version_statement, parameters: dict, user, target_type: str, target_id: int) -> tuple:
    """A page's version statement (`version_statement(follow statement)` gives it and its widths)
    run with the follow box's state for `user` alongside, which is kept for the box; returns the
    version's own values."""
    follow, follow_parameters = follow_state_alongside(user, target_type, target_id)
    statement, widths = version_statement(follow)
    row = db.session.execute(statement, {**parameters, **follow_parameters}).one()
    own, follow_values = read_along.split(row, widths)
    remember_follow_state(user, target_type, target_id, follow_values)
    return own


def follow_state(user, target_type: str, target_id: int) -> tuple[int, bool]:
    """(number of followers with an active account, whether `user` is one), in one statement (or
    none, when the page read it alongside its own version)."""
    user_id = _reader_id(user)
    known = read_along.recall("follow", (user_id, target_type, target_id))
    if known is not None:
        return known
    count, following = db.session.execute(
        _follow_state_statement(),
        {"user_id": user_id, "target_type": target_type, "target_id": target_id},
    ).one()
    return int(count), bool(following)


@dataclass
class Followed:
    """One thing a person follows, as their pages show it."""

    follow: Follow
    kind: str
    item: Any            # None when it no longer exists or the person may no longer read it
    title: str
    path: str | None
    changed_at: datetime | None
    change: str | None

    @property
    def is_new(self) -> bool:
        """Changed after the person last looked (or after they started following)."""
        since = self.follow.seen_at or self.follow.created_at
        return self.changed_at is not None and self.changed_at > since


def followed_by(user) -> dict[str, list[Followed]]:
    """{kind: the things of that kind the person follows, latest change first}.

    One statement for the follows, then one to load each kind and one per source of its changes,
    whatever the number of follows.
    """
    follows = list(db.session.scalars(
        sa.select(Follow).where(Follow.user_id == user.id)
        .order_by(Follow.created_at.desc(), Follow.id.desc()).limit(MAX_FOLLOWS)
    ))
    grouped: dict[str, list[Followed]] = {}
    for target in registry.targets():
        mine = [f for f in follows if f.target_type == target.kind]
        if not mine:
            continue
        ids = [f.target_id for f in mine]
        items = target.load(ids)
        changes = registry.latest_changes(target, ids)
        entries = []
        for follow in mine:
            item = items.get(follow.target_id)
            if item is not None and not target.visible(user, item):
                item = None
            change = changes.get(follow.target_id) if item is not None else None
            entries.append(Followed(
                follow=follow, kind=target.kind, item=item,
                title=target.title(item) if item is not None else "",
                path=target.path(item) if item is not None else None,
                changed_at=change.at if change else None, change=change.label if change else None,
            ))
        entries.sort(key=lambda e: (e.changed_at or e.follow.created_at), reverse=True)
        grouped[target.kind] = entries
    return grouped


def latest_followed(user, limit: int = 5) -> tuple[list[Followed], int]:
    """(the `limit` followed things that changed last, how many the person follows in all)."""
    grouped = followed_by(user)
    entries = [e for kind in grouped.values() for e in kind if e.item is not None]
    entries.sort(key=lambda e: (e.changed_at or e.follow.created_at), reverse=True)
    return entries[:limit], sum(len(kind) for kind in grouped.values())
