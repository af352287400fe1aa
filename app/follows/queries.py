"""Followers of an item. Only commitments have follows so far (app/progress); the other kinds
answer nobody until the follows area is merged."""
import sqlalchemy as sa

from app.extensions import db
from app.progress.models import Follow

KINDS = ("proposal", "commitment", "committee", "table", "election")


def follower_ids(target_type: str, target_id: int) -> list[int]:
    """Ids of the people who follow the item, in id order."""
    if target_type != "commitment":
        return []
    return list(db.session.scalars(
        sa.select(Follow.user_id).where(Follow.commitment_id == target_id).order_by(Follow.user_id)))
