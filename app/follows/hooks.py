"""What following plugs into accounts: what a person follows is in their data export, and goes
with their account."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section, on_account_deleted
from app.follows.models import Follow
from app.follows.services import forget_follows_of


@on_account_deleted
def _forget_follows(user) -> None:
    forget_follows_of(user.id)


@export_section
def _follows(user_id: int) -> dict:
    return {"follows": [
        {"type": target_type, "id": target_id, "since": iso(created_at), "seen_at": iso(seen_at)}
        for target_type, target_id, created_at, seen_at in rows(
            sa.select(Follow.target_type, Follow.target_id, Follow.created_at, Follow.seen_at)
            .where(Follow.user_id == user_id).order_by(Follow.id)
        )
    ]}
