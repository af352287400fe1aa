"""A newsletter is sent once: two clicks (or two tabs) at the same moment queue one mail per
recipient and one announcement, and the other is refused with the reason."""
import sqlalchemy as sa

from app.accounts.models import User
from app.announcements.models import Announcement
from app.core.mail import OutboxMessage
from app.extensions import db
from app.newsletters import services
from app.newsletters.models import Newsletter, NewsletterDelivery
from tests.concurrency import at_once
from tests.factories import make_admin, make_committee, make_organisation


def test_two_sends_at_once_send_it_once(app):
    plan = make_committee().plan
    admin = make_admin()
    for _ in range(3):
        make_organisation()
    newsletter = services.create_newsletter(admin, plan, {
        "subject": "Una sola vez", "body": "Texto", "segment": "organisations"})
    db.session.commit()
    admin_id, newsletter_id = admin.id, newsletter.id  # read here: each thread has its own session

    def send():
        return services.send_newsletter(db.session.get(User, admin_id),
                                        db.session.get(Newsletter, newsletter_id))

    outcomes = at_once(app, [send, send, send])
    assert sorted(kind for kind, _value in outcomes) == ["InvalidTransition", "InvalidTransition", "ok"]
    assert [value for kind, value in outcomes if kind == "ok"] == [3]
    assert all("una sola vez" in value for kind, value in outcomes if kind != "ok")
    assert db.session.scalar(sa.select(sa.func.count(NewsletterDelivery.id)).where(
        NewsletterDelivery.newsletter_id == newsletter_id)) == 3
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.subject == "Una sola vez")) == 3
    assert db.session.scalar(sa.select(sa.func.count(Announcement.id)).where(
        Announcement.title == "Una sola vez")) == 1
