"""Reads of newsletters for the guarantor body's pages; delivery counts from the outbox."""
from typing import NamedTuple

import sqlalchemy as sa

from app.core.mail import OutboxMessage
from app.extensions import db
from app.newsletters.models import Newsletter, NewsletterDelivery, NewsletterOptOut


def all_of(plan) -> list[Newsletter]:
    """Drafts first, then the sent ones, newest first."""
    return list(db.session.scalars(
        sa.select(Newsletter).where(Newsletter.plan_id == plan.id)
        .order_by(Newsletter.sent_at.is_not(None), Newsletter.sent_at.desc(), Newsletter.id.desc())))


def newsletter(newsletter_id: int) -> Newsletter | None:
    return db.session.get(Newsletter, newsletter_id)


class Counts(NamedTuple):
    recipients: int
    sent: int
    failed: int  # tried and failed, will be retried (the outbox's last_error)
    waiting: int


def delivery_counts(newsletter: Newsletter) -> Counts:
    """How the newsletter's mail went, from the outbox's delivery state; one statement."""
    sent = OutboxMessage.sent_at.is_not(None)
    failed = sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.last_error.is_not(None))
    row = db.session.execute(
        sa.select(sa.func.count(NewsletterDelivery.id),
                  sa.func.count(sa.case((sent, 1))),
                  sa.func.count(sa.case((failed, 1))))
        .select_from(NewsletterDelivery)
        .outerjoin(OutboxMessage, OutboxMessage.id == NewsletterDelivery.outbox_message_id)
        .where(NewsletterDelivery.newsletter_id == newsletter.id)).one()
    total, sent_count, failed_count = (int(v or 0) for v in row)
    return Counts(total, sent_count, failed_count, total - sent_count - failed_count)


def receives_newsletters(user_id: int) -> bool:
    return not db.session.scalar(
        sa.select(sa.exists().where(NewsletterOptOut.user_id == user_id)))
