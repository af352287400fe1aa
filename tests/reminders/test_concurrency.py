"""Two reminder runs at the same moment, on real commits: each reminder still goes once.

On SQLite the database lock serialises the two writers; on PostgreSQL the second INSERT … ON
CONFLICT DO NOTHING waits for the first transaction and then skips its rows.
"""
import pytest

from app.reminders.services import send_reminders
from tests.concurrency import at_once
from tests.reminders.factories import (
    call_opening_and_closing,
    mails,
    overdue_milestone,
    table_tomorrow,
)

pytestmark = pytest.mark.real_commits


def test_two_runs_at_once_send_each_reminder_once(app, world):
    call_opening_and_closing(world)
    table_tomorrow(world, registered=[world.citizen, world.reader])
    outcomes = at_once(app, [send_reminders, send_reminders, send_reminders])
    assert [kind for kind, _value in outcomes] == ["ok"] * 3, outcomes
    assert sum(value["calls"] + value["tables"] for _kind, value in outcomes) == 6
    sent = mails()
    assert len(sent) == 6 and len(set(sent)) == 6  # 2 organisations × 2 + 2 people at the table


def test_two_runs_at_once_tell_the_waiting_list_and_an_overdue_milestone_once(app, world):
    table_tomorrow(world, waiting=[world.citizen, world.reader])
    overdue_milestone(world)  # its committee's facilitator
    outcomes = at_once(app, [send_reminders, send_reminders])
    assert [kind for kind, _value in outcomes] == ["ok"] * 2, outcomes
    assert sum(value["tables"] + value["milestones"] for _kind, value in outcomes) == 3
    sent = mails()
    assert len(sent) == 3 and len(set(sent)) == 3
