"""Derived progress and late milestones: the pure functions and the batch query agree."""
from datetime import date

import pytest

from app.commitments.models import Commitment, Milestone, MilestoneStatus
from app.core import clock
from app.progress import queries
from tests.progress.factories import add_milestone, make_commitment
from tests.progress.helpers import count_queries

C, P, N = MilestoneStatus.complete, MilestoneStatus.in_progress, MilestoneStatus.not_started


def loose(*statuses, ends_on=date(2026, 6, 30)) -> Commitment:
    """A commitment in memory only: the pure functions need no database."""
    return Commitment(milestones=[
        Milestone(status=s, starts_on=date(2026, 1, 1), ends_on=ends_on) for s in statuses
    ])


@pytest.mark.parametrize("statuses, expected", [
    ((), 0),
    ((N,), 0),
    ((C,), 100),
    ((P,), 50),
    ((C, N), 50),
    ((C, C, P, N, N), 50),
    ((P, N, N, N), 13),        # 12.5 rounds half up
    ((C, N, N), 33),
    ((C, C, N), 67),
    ((C, C, C, C, P), 90),
    ((P, P, N, N, N), 20),
])
def test_progress_counts_complete_in_full_and_in_progress_half(statuses, expected):
    assert queries.progress_of(loose(*statuses)) == expected


def test_progress_of_accepts_milestones_already_loaded():
    commitment = loose(C, C)
    assert queries.progress_of(commitment, commitment.milestones[:1] + [Milestone(status=N)]) == 50


@pytest.mark.parametrize("today, late", [
    (date(2026, 6, 29), False),
    (date(2026, 6, 30), False),   # due today is not late yet
    (date(2026, 7, 1), True),
])
def test_a_milestone_is_late_the_day_after_its_end_date(today, late):
    commitment = loose(N, P, C)
    expected = commitment.milestones[:2] if late else []
    assert queries.late_milestones(commitment, today) == expected


def test_complete_milestones_are_never_late():
    assert queries.late_milestones(loose(C, C), date(2030, 1, 1)) == []


def test_the_batch_query_agrees_with_the_pure_function_in_one_statement(world):
    cases = [(), (C,), (P, N, N, N), (C, C, P, N, N), (C, N, N), (P, P, N, N, N)]
    commitments = [make_commitment(world, milestones=len(s), statuses=s) for s in cases]
    ids = [c.id for c in commitments]
    with count_queries() as statements:
        result = queries.progress_for(ids + [999_999])
    assert len(statements) == 1
    assert result == {**{c.id: queries.progress_of(c) for c in commitments}, 999_999: 0}
    assert [result[i] for i in ids] == [0, 100, 13, 50, 33, 20]


def test_the_batch_query_of_nothing_asks_nothing():
    with count_queries() as statements:
        assert queries.progress_for([]) == {} and queries.late_counts_for([], date(2026, 1, 1)) == {}
    assert statements == []


def test_late_counts_for_many_commitments(world):
    on_time = make_commitment(world, milestones=0)
    add_milestone(on_time, ends_on=date(2026, 9, 30))
    behind = make_commitment(world, milestones=0)
    add_milestone(behind, ends_on=date(2026, 3, 31))
    add_milestone(behind, ends_on=date(2026, 4, 30), status=P)
    add_milestone(behind, ends_on=date(2026, 4, 30), status=C)
    today = date(2026, 5, 1)
    ids = [on_time.id, behind.id]
    with count_queries() as statements:
        counts = queries.late_counts_for(ids, today)
    assert len(statements) == 1
    assert counts == {on_time.id: 0, behind.id: 2}
    assert len(queries.late_milestones(behind, today)) == 2


def test_today_is_the_date_in_durango():
    from datetime import UTC, datetime

    # 03:00 UTC on 1 March is still 28 February (21:00) in Durango.
    with clock.use(lambda: datetime(2026, 3, 1, 3, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 2, 28)
