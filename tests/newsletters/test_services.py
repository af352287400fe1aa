"""Newsletters of the guarantor body: only the admin writes and sends; each segment reaches exactly
its people (opted-out, deleted and blocked accounts never); a newsletter is sent once, through the
outbox, with a one-click unsubscribe link, and published in the news; counts come from the outbox."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.announcements.models import Announcement
from app.calls.models import ApplicationStatus
from app.core.audit import AuditEntry
from app.core.clock import now
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.core.mail import OutboxMessage
from app.dialogues.models import RegistrationStatus
from app.extensions import db
from app.newsletters import queries, segments, services
from app.newsletters.models import Newsletter, NewsletterDelivery, NewsletterOptOut
from tests.calls.factories import make_application, make_call
from tests.comments.factories import make_comment, make_proposal
from tests.consultations.factories import make_comment as make_consultation_comment
from tests.consultations.factories import make_commitment
from tests.dialogues.factories import make_registration, make_table
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_user,
)
from tests.progress.factories import follow


class World:
    """Two committees of a plan; for committee A one person of each way to take part, and people
    who must never receive anything (opted out, deleted, blocked, unconfirmed)."""

    def __init__(self):
        self.a = make_committee()
        self.plan = self.a.plan
        self.b = make_committee(self.plan)
        self.admin = make_admin()
        self.citizen = make_user()
        self.org = make_organisation()
        self.pending_org = make_organisation(verified=False)
        self.author = make_user()
        make_proposal(self.a, self.author)
        self.commenter = make_user()
        make_comment(make_proposal(self.a, self.author), author=self.commenter)
        self.commitment = make_commitment(self.a)
        self.consulted = make_user()
        make_consultation_comment(self.commitment, author=self.consulted)
        table = make_table(self.a)
        self.registrant = make_user()
        make_registration(table, self.registrant)
        self.cancelled = make_user()
        make_registration(table, self.cancelled, RegistrationStatus.cancelled)
        self.applicant = make_organisation()
        make_application(make_call(self.plan, [self.a, self.b]), self.applicant, self.a,
                         ApplicationStatus.rejected)
        self.elsewhere = make_user()
        make_proposal(self.b, self.elsewhere)
        # Never reached: each took part in committee A too.
        self.opted_out = make_organisation()
        self.deleted = make_organisation()
        self.blocked = make_organisation()
        self.unconfirmed = make_organisation(confirmed=False)
        for person in (self.opted_out, self.deleted, self.blocked, self.unconfirmed):
            make_proposal(self.a, person)
            follow(person, self.commitment)
        db.session.add(NewsletterOptOut(user_id=self.opted_out.id))
        self.deleted.deleted_at = now()
        self.blocked.access_blocked_at = now()
        self.follower = make_user()
        follow(self.follower, self.commitment)
        db.session.commit()


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def data(**changes):
    values = {"subject": f"Boletín {HOSTILE}", "body": f"**Hola** {HOSTILE}\n\n- uno\n- dos",
              "segment": "everyone"}
    values.update(changes)
    return values


def draft(world, **changes) -> Newsletter:
    return services.create_newsletter(world.admin, world.plan, data(**changes))


def recipients(newsletter) -> set[int]:
    return {row[0] for row in segments.recipients_of(newsletter)}


def ids(*people) -> set[int]:
    return {p.id for p in people}


# ---------------------------------------------------------------- permission and validation

@pytest.mark.parametrize("who", ["citizen", "organisation", "facilitator", "unconfirmed admin"])
def test_only_the_guarantor_body_writes_and_sends(world, who):
    actor = {"citizen": lambda: world.citizen, "organisation": lambda: world.org,
             "facilitator": lambda: make_moderator(world.a),
             "unconfirmed admin": lambda: make_admin(confirmed=False)}[who]()
    with pytest.raises(PermissionDenied):
        services.create_newsletter(actor, world.plan, data())
    newsletter = draft(world)
    with pytest.raises(PermissionDenied):
        services.send_newsletter(actor, newsletter)
    with pytest.raises(PermissionDenied):
        services.edit_newsletter(actor, newsletter, data(subject="Otro"))
    assert not newsletter.is_sent


def test_subject_body_and_segment_are_checked(world):
    with pytest.raises(ValidationError) as refused:
        services.create_newsletter(world.admin, world.plan,
                                   {"subject": " ", "body": "", "segment": "nobody"})
    assert set(refused.value.details["errors"]) == {"subject", "body", "segment"}
    with pytest.raises(ValidationError) as refused:
        draft(world, subject="x" * 201)
    assert "200" in refused.value.details["errors"]["subject"][0]


def test_a_committee_or_an_item_must_be_of_the_plan(world):
    other_plan_committee = make_committee()
    for committee_id in (None, other_plan_committee.id, 10**8):
        with pytest.raises(ValidationError) as refused:
            draft(world, segment="committee", committee_id=committee_id)
        assert "committee_id" in refused.value.details["errors"]
    with pytest.raises(ValidationError) as refused:
        draft(world, segment="followers", follow_type="commitment", follow_key="999999")
    assert "follow_key" in refused.value.details["errors"]
    with pytest.raises(ValidationError) as refused:
        draft(world, segment="followers", follow_type="everything", follow_key="1")
    assert "follow_type" in refused.value.details["errors"]


def test_create_and_edit_are_audited_and_a_sent_one_cannot_change(world):
    newsletter = draft(world)
    assert services.edit_newsletter(world.admin, newsletter, data(subject="Nuevo asunto")) is True
    assert services.edit_newsletter(world.admin, newsletter, data(subject="Nuevo asunto")) is False
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.target_type == "Newsletter", AuditEntry.target_id == newsletter.id)
        .order_by(AuditEntry.id)).all()
    assert actions == ["newsletters.create", "newsletters.edit"]
    services.send_newsletter(world.admin, newsletter)
    with pytest.raises(InvalidTransition, match="una sola vez"):
        services.edit_newsletter(world.admin, newsletter, data(subject="Tarde"))


# ---------------------------------------------------------------- segments

def test_everyone_is_every_reachable_account_that_did_not_opt_out(world):
    reached = recipients(draft(world))
    assert ids(world.citizen, world.org, world.pending_org, world.author, world.follower,
               world.admin) <= reached
    assert not reached & ids(world.opted_out, world.deleted, world.blocked, world.unconfirmed)


def test_organisations_are_the_verified_ones(world):
    assert recipients(draft(world, segment="organisations")) == ids(world.org, world.applicant)


def test_a_committees_participants_are_exactly_who_took_part_in_it(world):
    newsletter = draft(world, segment="committee", committee_id=world.a.id)
    assert recipients(newsletter) == ids(world.author, world.commenter, world.consulted,
                                         world.registrant, world.applicant)
    assert segments.recipient_count(newsletter) == 5
    other = draft(world, segment="committee", committee_id=world.b.id)
    assert recipients(other) == ids(world.elsewhere)


def test_followers_of_a_commitment(world):
    newsletter = draft(world, segment="followers", follow_type="commitment",
                       follow_key=str(world.commitment.id))
    assert recipients(newsletter) == ids(world.follower)


# ---------------------------------------------------------------- sending

def test_sending_queues_one_mail_each_publishes_it_and_is_audited(world):
    newsletter = draft(world, segment="committee", committee_id=world.a.id)
    assert services.send_newsletter(world.admin, newsletter) == 5
    assert newsletter.is_sent and newsletter.recipient_count == 5
    deliveries = db.session.scalars(sa.select(NewsletterDelivery).where(
        NewsletterDelivery.newsletter_id == newsletter.id)).all()
    assert {d.user_id for d in deliveries} == ids(world.author, world.commenter, world.consulted,
                                                   world.registrant, world.applicant)
    message = db.session.get(OutboxMessage, deliveries[0].outbox_message_id)
    assert message.subject == newsletter.subject
    assert "**Hola**" in message.body and "<script>" in message.body  # plain text: as written
    link = re.search(r"^http://\S+/newsletters/unsubscribe/(\S+)$", message.body, re.M)
    assert link and services.user_of_token(link.group(1)) == deliveries[0].user_id
    # Mail programs offer the link, and RFC 8058's one-click POST to it.
    assert message.headers == {"List-Unsubscribe": f"<{link.group(0)}>",
                               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    announcement = db.session.get(Announcement, newsletter.announcement_id)
    assert announcement.is_published and announcement.title == newsletter.subject
    assert announcement.body == newsletter.body
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "newsletters.send",
                                                          AuditEntry.target_id == newsletter.id))
    assert entry.data["recipients"] == 5


def test_a_second_send_is_refused_and_sends_nothing_more(world):
    newsletter = draft(world, segment="organisations")
    services.send_newsletter(world.admin, newsletter)
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    with pytest.raises(InvalidTransition, match="una sola vez"):
        services.send_newsletter(world.admin, newsletter)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(Announcement.id)).where(
        Announcement.title == newsletter.subject)) == 1


def test_counts_come_from_the_outbox(world):
    newsletter = draft(world, segment="organisations")
    services.send_newsletter(world.admin, newsletter)
    assert queries.delivery_counts(newsletter) == (2, 0, 0, 2)
    first, second = db.session.scalars(sa.select(OutboxMessage).join(
        NewsletterDelivery, NewsletterDelivery.outbox_message_id == OutboxMessage.id)
        .where(NewsletterDelivery.newsletter_id == newsletter.id).order_by(OutboxMessage.id)).all()
    first.sent_at = now()
    second.last_error = "SMTPServerDisconnected: down"
    second.next_attempt_at = now() + timedelta(minutes=2)
    db.session.flush()
    assert queries.delivery_counts(newsletter) == (2, 1, 1, 0)


# ---------------------------------------------------------------- opting out

def test_unsubscribing_twice_is_one_opt_out_and_the_preference_brings_it_back(world):
    assert services.unsubscribe(world.citizen.id) is True
    assert services.unsubscribe(world.citizen.id) is False
    assert not queries.receives_newsletters(world.citizen.id)
    assert world.citizen.id not in recipients(draft(world))
    assert services.set_receives_newsletters(world.citizen, world.citizen, True) is True
    assert queries.receives_newsletters(world.citizen.id)
    with pytest.raises(PermissionDenied):
        services.set_receives_newsletters(world.org, world.citizen, False)


@pytest.mark.parametrize("token", ["", "not-a-token", "eyJ1IjoxfQ.forged.signature", "x" * 500])
def test_a_forged_token_names_nobody(world, token):
    assert services.user_of_token(token) is None


def test_the_data_export_says_what_the_person_received_and_chose(world):
    from app.newsletters.hooks import _newsletters

    newsletter = draft(world, segment="organisations")
    services.send_newsletter(world.admin, newsletter)
    services.unsubscribe(world.org.id)
    section = _newsletters(world.org.id)["newsletters"]
    assert section["opted_out_at"] and [r["newsletter_id"] for r in section["received"]] == [newsletter.id]
    assert _newsletters(world.citizen.id)["newsletters"] == {"opted_out_at": None, "received": []}
