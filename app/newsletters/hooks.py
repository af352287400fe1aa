"""What newsletters add to a person's data export: whether they opted out, and what they were sent."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.extensions import db
from app.newsletters.models import Newsletter, NewsletterDelivery, NewsletterOptOut


@export_section
def _newsletters(user_id: int) -> dict:
    opted_out = db.session.scalar(
        sa.select(NewsletterOptOut.created_at).where(NewsletterOptOut.user_id == user_id))
    sent = [
        {"newsletter_id": newsletter_id, "subject": subject, "sent_at": iso(sent_at)}
        for newsletter_id, subject, sent_at in rows(
            sa.select(Newsletter.id, Newsletter.subject, Newsletter.sent_at)
            .join(NewsletterDelivery, NewsletterDelivery.newsletter_id == Newsletter.id)
            .where(NewsletterDelivery.user_id == user_id).order_by(Newsletter.id))
    ]
    return {"newsletters": {"opted_out_at": iso(opted_out), "received": sent}}
