"""What reminders add to a person's data export (which reminders they were sent), and forget when
the account goes."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section, on_account_deleted
from app.extensions import db
from app.reminders.models import ReminderSent


@on_account_deleted
def _forget_reminders(user) -> None:
    db.session.execute(sa.delete(ReminderSent).where(ReminderSent.recipient_id == user.id))


@export_section
def _reminders(user_id: int) -> dict:
    return {"reminders_sent": [
        {"kind": kind, "about": key, "sent_at": iso(sent_at)}
        for kind, key, sent_at in rows(
            sa.select(ReminderSent.kind, ReminderSent.target_key, ReminderSent.sent_at)
            .where(ReminderSent.recipient_id == user_id).order_by(ReminderSent.id)
        )
    ]}
