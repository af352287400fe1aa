"""Seats stay exact when many people register or cancel at the same moment.

Each thread has its own app context, hence its own session and database connection, and all
are released together by a barrier. On SQLite writers are serialised by the database lock (busy
timeout 30 s); on PostgreSQL by the table row lock and the conditional UPDATE.
"""
from datetime import timedelta

from app.accounts.models import User
from app.dialogues import services
from app.dialogues.models import DialogueTable, RegistrationStatus
from app.extensions import db
from tests.concurrency import at_once
from tests.dialogues.factories import make_registration, make_table, make_user
from tests.dialogues.helpers import confirmed_count, count_status, notifications

C, W = RegistrationStatus.confirmed, RegistrationStatus.waiting


def run_together(app, jobs):
    """Run each (callable, user_id, table_id) at once: each registration's status, or the
    refusal's class name."""
    return [value if kind == "ok" else (f"crash: {value}" if kind == "crash" else kind)
            for kind, value in at_once(app, [
                lambda j=job, u=user_id, t=table_id: j(db.session.get(User, u),
                                                       db.session.get(DialogueTable, t)).status
                for job, user_id, table_id in jobs])]


def test_twenty_people_for_five_seats(app, world):
    table = make_table(world.committee, capacity=5)
    people = [make_user() for _ in range(20)]
    outcomes = run_together(app, [(services.register, p.id, table.id) for p in people])
    assert not [o for o in outcomes if str(o).startswith("crash")], outcomes
    assert outcomes.count(C) == 5 and outcomes.count(W) == 15
    assert count_status(table, C) == 5
    assert count_status(table, W) == 15
    assert confirmed_count(table) == 5


def test_one_person_clicking_five_times_gets_one_registration(app, world):
    table = make_table(world.committee, capacity=5)
    outcomes = run_together(app, [(services.register, world.citizen.id, table.id)] * 5)
    assert not [o for o in outcomes if str(o).startswith("crash")], outcomes
    # Every click answers with the one registration there is: one seat taken, one row.
    assert outcomes == [C] * 5
    assert count_status(table, C) == 1 and confirmed_count(table) == 1
    assert count_status(table, W) == 0


def test_cancellations_and_registrations_at_once_keep_the_seats_exact(app, world):
    table = make_table(world.committee, capacity=3)
    holders = [make_user() for _ in range(3)]
    for person in holders:
        make_registration(table, person)
    waiting = [make_user() for _ in range(4)]
    for person in waiting:
        make_registration(table, person, W)
    newcomers = [make_user() for _ in range(5)]
    jobs = [(services.cancel_registration, p.id, table.id) for p in holders]
    jobs += [(services.register, p.id, table.id) for p in newcomers]
    outcomes = run_together(app, jobs)
    assert not [o for o in outcomes if str(o).startswith("crash")], outcomes
    # Three seats freed and refilled from the waiting list; never a free seat while people wait.
    assert confirmed_count(table) == 3 == count_status(table, C)
    assert count_status(table, W) == 4 + 5 - 3
    assert len(notifications("table_seat")) == 3


def test_two_tabs_cancelling_at_once_free_one_seat(app, world):
    table = make_table(world.committee, capacity=1, starts_in=timedelta(days=2))
    make_registration(table, world.citizen)
    outcomes = run_together(app, [(services.cancel_registration, world.citizen.id, table.id)] * 2)
    assert outcomes == [RegistrationStatus.cancelled] * 2  # the second tab changes nothing
    assert confirmed_count(table) == 0
    assert count_status(table, C) == 0
