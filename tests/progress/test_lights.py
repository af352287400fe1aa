"""The citizen traffic light: its rule (pure), and the lights of a built world with known answers
read in a fixed number of statements."""
from datetime import date, timedelta

import pytest

from app.commitments.models import MilestoneStatus
from app.core.db import utcnow
from app.extensions import db
from app.progress.lights import Light, commitment_light, lights_for, milestone_light
from app.progress.models import ProgressNote, ReportReview, ReportState, Verdict
from tests.progress.factories import World, add_note, make_commitment
from tests.querycount import count_queries

TODAY = date(2026, 6, 1)
PAST, FUTURE = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
C, D = Verdict.confirmed, Verdict.disputed
DONE, DOING, NEW = MilestoneStatus.complete, MilestoneStatus.in_progress, MilestoneStatus.not_started


@pytest.mark.parametrize("status, ends_on, verdicts, expected", [
    (NEW, FUTURE, (), Light.on_time),
    (DOING, TODAY, (), Light.on_time),              # due today: not late yet
    (DOING, PAST, (), Light.late),
    (NEW, PAST, (C,), Light.late),                  # a confirmation does not excuse a late milestone
    (DONE, PAST, (), Light.on_time),                # done, waiting for a representative's check
    (DONE, PAST, (C,), Light.confirmed),
    (DOING, FUTURE, (C,), Light.on_time),           # confirmed progress, but not complete
    (DONE, FUTURE, (C, D), Light.disputed),         # one representative disputes: disputed
    (DOING, PAST, (D,), Light.disputed),            # disputed comes before late
])
def test_the_rule_of_a_milestone(status, ends_on, verdicts, expected):
    assert milestone_light(status, ends_on, TODAY, verdicts) == expected


@pytest.mark.parametrize("lights, expected", [
    ([], Light.on_time),
    ([Light.confirmed, Light.confirmed], Light.confirmed),
    ([Light.confirmed, Light.on_time], Light.on_time),
    ([Light.confirmed, Light.late, Light.on_time], Light.late),
    ([Light.late, Light.disputed, Light.confirmed], Light.disputed),
])
def test_a_commitment_shows_its_most_serious_milestone(lights, expected):
    assert commitment_light(lights) == expected


def note(milestone, author, *, state=ReportState.published, minutes=0, status=DONE):
    row = add_note(milestone, author, status=status, links=0, files=0)
    row.state = state
    row.published_at = utcnow() + timedelta(minutes=minutes) if state == ReportState.published else None
    db.session.commit()
    return row


def verdict(row: ProgressNote, author, value: Verdict, round_: int = 1):
    db.session.add(ReportReview(note_id=row.id, author_id=author.id, round=round_, seat="cs_titular",
                                seat_holder=author.name, verdict=value, reason="Motivo."))
    db.session.commit()


class Known(World):
    """Five commitments whose lights are known by construction."""

    def __init__(self):
        super().__init__()
        due, later = TODAY - timedelta(days=10), TODAY + timedelta(days=30)
        rep, other_rep = self.organisation, self.citizen  # who they are does not matter to the rule
        # 1: both milestones complete, each latest report confirmed -> confirmed.
        self.confirmed = make_commitment(self, milestones=2, statuses=(DONE, DONE), ends_on=later)
        for milestone in self.confirmed.milestones:
            verdict(note(milestone, self.facilitator), rep, C)
        # 2: a dispute on an older report no longer counts once a newer one is published; a
        #    representative's latest round counts (disputed, then confirmed) -> confirmed.
        self.settled = make_commitment(self, milestones=1, statuses=(DONE,), ends_on=later)
        old = note(self.settled.milestones[0], self.facilitator)
        verdict(old, rep, D)
        new = note(self.settled.milestones[0], self.facilitator, minutes=5)
        verdict(new, rep, D)
        verdict(new, rep, C, round_=2)
        # 3: the latest report disputed by one of two representatives -> disputed.
        self.disputed = make_commitment(self, milestones=1, statuses=(DONE,), ends_on=later)
        latest = note(self.disputed.milestones[0], self.facilitator)
        verdict(latest, rep, C)
        verdict(latest, other_rep, D)
        # 4: a milestone past due and not complete; a waiting report is not counted -> late.
        self.late = make_commitment(self, milestones=2, statuses=(DOING, NEW), ends_on=later)
        self.late.milestones[0].ends_on = due
        waiting = note(self.late.milestones[0], self.facilitator, state=ReportState.submitted)
        verdict(waiting, rep, C)
        # 5: no milestones -> on time.
        self.empty = make_commitment(self, milestones=0)
        db.session.commit()


@pytest.fixture(scope="module")
def known(module_worlds):
    return module_worlds.share(Known)


def test_the_lights_of_a_built_world(known):
    ids = [c.id for c in (known.confirmed, known.settled, known.disputed, known.late, known.empty)]

    with count_queries() as sent:
        lights = lights_for(ids, TODAY)

    assert [lights.of(i) for i in ids] == [Light.confirmed, Light.confirmed, Light.disputed,
                                           Light.late, Light.on_time]
    assert [lights.milestones[m.id] for m in known.late.milestones] == [Light.late, Light.on_time]
    assert lights.counts() == {Light.disputed: 1, Light.late: 1, Light.on_time: 1, Light.confirmed: 2}
    assert len(sent) == 2


def test_more_reports_and_verdicts_add_no_statement(known):
    ids = [known.confirmed.id, known.late.id]
    with count_queries() as before:
        lights_for(ids, TODAY)
    for milestone in known.late.milestones:
        for minutes in range(5):
            verdict(note(milestone, known.facilitator, minutes=10 + minutes, status=DOING),
                    known.organisation, D)
    with count_queries() as after:
        lights = lights_for(ids, TODAY)
    assert len(after) == len(before) == 2
    assert lights.of(known.late.id) == Light.disputed
