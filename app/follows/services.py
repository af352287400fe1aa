"""Acts of following: follow and stop following anything registered in app/follows/targets.py.

Both are single statements that cannot lose a race: a double click or two tabs leave one row
(the unique constraint), and stopping twice is no error. They flush; the request commits.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.core import uow
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.permissions import require
from app.extensions import db
from app.follows import permissions as _permissions  # noqa: F401  (registers the rules)
from app.follows import targets as registry
from app.follows.models import Follow


def visible_target(actor, target_type: str, target_id: int):
    """The followed thing if it exists and the actor may read it; NotFound otherwise."""
    target = registry.by_kind(target_type)
    item = target.load([target_id]).get(target_id) if isinstance(target_id, int) else None
    if item is None or not target.visible(actor, item):
        raise NotFound(_("There is nothing to follow here."))
    return item


def follow(actor, target_type: str, target_id: int) -> bool:
    """Follow the thing; True if new, False if the actor already followed it."""
    require(actor, "follows.follow")
    visible_target(actor, target_type, target_id)
    return uow.insert_ignoring_conflict(
        Follow, user_id=actor.id, target_type=target_type, target_id=target_id,
        created_at=utcnow(),
    )


def unfollow(actor, target_type: str, target_id: int) -> bool:
    """Stop following (even a thing no longer visible); True if the actor was following."""
    require(actor, "follows.unfollow")
    registry.by_kind(target_type)
    removed = db.session.execute(
        sa.delete(Follow).where(Follow.user_id == actor.id, Follow.target_type == target_type,
                                Follow.target_id == target_id)
    ).rowcount
    return bool(removed)


def mark_seen(actor) -> None:
    """What the actor follows has been looked at now (their Following page was shown)."""
    require(actor, "follows.unfollow")
    db.session.execute(
        sa.update(Follow).where(Follow.user_id == actor.id).values(seen_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def forget_follows_of(user_id: int) -> None:
    """An account goes: what it followed goes with it."""
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user_id))
