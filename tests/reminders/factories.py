"""Factories of the reminders tests: people of every kind, and one thing due for each reminder."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.comments.models import Comment
from app.commitments.models import CommitmentState
from app.consultations.models import Consultation
from app.core import clock
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.dialogues.models import RegistrationStatus
from app.elections.models import ElectionState, RollEntry
from app.extensions import db
from tests.calls.factories import make_call
from tests.dialogues.factories import make_registration, make_table
from tests.elections.factories import make_election
from tests.factories import make_organisation, make_user
from tests.progress.factories import World as ProgressWorld
from tests.progress.factories import add_milestone, make_commitment


class World(ProgressWorld):
    def __init__(self):
        super().__init__()
        self.other_organisation = make_organisation()
        self.unverified = make_organisation(verified=False)
        self.reader = make_user()  # follows and registers for nothing


def mails() -> list[tuple[str, str]]:
    """(recipient, subject) of every queued mail, in order."""
    db.session.expire_all()
    return [(m.recipient, m.subject) for m in db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def recipients() -> list[str]:
    return sorted(recipient for recipient, _subject in mails())


def call_opening_and_closing(world):
    """Opened an hour ago, closes in two days: both reminders are due."""
    now = utcnow()
    return make_call(world.plan, [world.committee], opens_at=now - timedelta(hours=1),
                     closes_at=now + timedelta(days=2))


def election_in_voting(world, voted=()):
    now = utcnow()
    election = make_election(
        world.committee, state=ElectionState.voting,
        nominations_open_at=now - timedelta(days=10), nominations_close_at=now - timedelta(days=5),
        voting_opens_at=now - timedelta(hours=1), voting_closes_at=now + timedelta(hours=12),
        voting_opened_at=now - timedelta(hours=1),
    )
    for position, org in enumerate((world.organisation, world.other_organisation), 1):
        db.session.add(RollEntry(election_id=election.id, organisation_id=org.id, name=org.name,
                                 position=position, voted=org in voted))
    db.session.commit()
    return election


def consultation_closing(world, commenter):
    now = utcnow()
    commitment = make_commitment(world, state=CommitmentState.consultation)
    consultation = Consultation(commitment_id=commitment.id, opens_at=now - timedelta(days=5),
                                closes_at=now + timedelta(days=2))
    db.session.add(consultation)
    db.session.add(Comment(commitment_id=commitment.id, author_id=commenter.id, body="Opinión",
                           created_at=now - timedelta(days=1)))
    db.session.commit()
    return commitment


def table_tomorrow(world, registered=(), waiting=()):
    starts_at = clock.local_to_utc(datetime.combine(clock.today() + timedelta(days=1), time(10)))
    table = make_table(world.committee, starts_in=starts_at - utcnow())
    for person in registered:
        make_registration(table, person)
    for person in waiting:
        make_registration(table, person, RegistrationStatus.waiting)
    return table


def overdue_milestone(world):
    commitment = make_commitment(world, milestones=0)
    today = clock.today()
    add_milestone(commitment, starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=2))
    return commitment
