"""Reminders that come again: an overdue milestone weekly while it stays overdue (each week once
per person), and a dialogue table's waiting list told it has no seat yet (then, once promoted,
the reminder of the seated)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.commitments.models import MilestoneStatus
from app.core import clock
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.dialogues import services as dialogues
from app.extensions import db
from app.follows import services as follows
from app.reminders.services import OVERDUE_REMINDERS, overdue_occurrence, send_reminders
from tests.factories import make_user
from tests.progress.factories import add_milestone, make_commitment
from tests.reminders.factories import mails, table_tomorrow


def run(days_later: int = 0) -> dict:
    moment = utcnow() + timedelta(days=days_later)
    with clock.use(lambda: moment):
        counts = send_reminders()
    db.session.commit()
    return counts


def bodies_to(email: str) -> list[str]:
    db.session.expire_all()
    return [m.body for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id))]


@pytest.mark.parametrize(("days_late", "occurrence"), [
    (-3, None), (0, None), (1, 0), (7, 0), (8, 1), (14, 1), (15, 2),
    (7 * OVERDUE_REMINDERS, OVERDUE_REMINDERS - 1), (7 * OVERDUE_REMINDERS + 1, None),
])
def test_the_weekly_rule(days_late, occurrence):
    today = clock.today()
    assert overdue_occurrence(today - timedelta(days=days_late), today) == occurrence


def test_an_overdue_milestone_is_reminded_the_day_after_then_weekly_once_each(world):
    commitment = make_commitment(world, milestones=0)
    today = clock.today()
    milestone = add_milestone(commitment, starts_on=today - timedelta(days=60), ends_on=today)
    follows.follow(world.reader, "commitment", commitment.id)
    db.session.commit()
    assert run()["milestones"] == 0  # due today: not late yet
    assert run(1)["milestones"] == 2  # the follower and the committee's facilitator
    assert run(1)["milestones"] == 0 and run(7)["milestones"] == 0  # same week: once
    body = bodies_to(world.reader.email)[0]
    assert "Lleva 1 día de retraso." in body and "una vez por semana" in body
    assert run(8)["milestones"] == 2 and run(8)["milestones"] == 0
    assert "Lleva 8 días de retraso." in bodies_to(world.reader.email)[1]
    assert run(15)["milestones"] == 2
    last = 7 * OVERDUE_REMINDERS
    assert run(last)["milestones"] == 2 and run(last + 1)["milestones"] == 0
    assert "último recordatorio" in bodies_to(world.reader.email)[-1]
    assert len(bodies_to(world.reader.email)) == 4
    # Complete: no more reminders, whatever the week.
    milestone.status = MilestoneStatus.complete
    db.session.commit()
    assert run(22)["milestones"] == 0


def test_a_milestone_moved_to_a_later_date_starts_again(world):
    commitment = make_commitment(world, milestones=0)
    today = clock.today()
    milestone = add_milestone(commitment, starts_on=today - timedelta(days=60),
                              ends_on=today - timedelta(days=3))
    assert run()["milestones"] == 1  # the facilitator
    milestone.ends_on = today - timedelta(days=1)
    db.session.commit()
    assert run()["milestones"] == 1 and run()["milestones"] == 0


def test_the_waiting_list_is_told_it_has_no_seat_and_a_promoted_person_gets_the_usual(world):
    second = make_user()
    table = table_tomorrow(world, registered=[world.citizen], waiting=[world.reader, second])
    table.capacity = 1  # full: one seat, taken
    db.session.commit()
    assert run()["tables"] == 3
    assert run()["tables"] == 0  # each once
    subjects = dict(mails())
    assert subjects[world.citizen.email] == f"Mañana: la mesa de diálogo «{table.title}»"
    assert subjects[world.reader.email].endswith("(estás en la lista de espera)")
    reader_body, = bodies_to(world.reader.email)
    assert "Estás en la lista de espera" in reader_body and "Tu lugar en la lista de espera: 1" in reader_body
    assert "Tu lugar en la lista de espera: 2" in bodies_to(second.email)[0]
    assert "Tienes lugar" in bodies_to(world.citizen.email)[0]
    # The seated person gives up: the first waiting is promoted (and told by the table's service).
    dialogues.cancel_registration(world.citizen, table)
    db.session.commit()
    assert run()["tables"] == 1 and run()["tables"] == 0
    reminders = [b for b in bodies_to(world.reader.email) if "que se reúne mañana" in b]
    assert len(reminders) == 2 and "Tienes lugar" in reminders[-1]
    assert len(bodies_to(second.email)) == 1  # still waiting: already told
