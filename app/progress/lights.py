"""The citizen traffic light of a milestone and of a commitment, derived from the published
reports, the civil-society representatives' verdicts on them, and the dates.

The rule (also written on the pages, `RULE`):
- a milestone is **disputed** when a representative's latest verdict on its latest published
  report is a dispute;
- otherwise **late** when it is not complete and its due date has passed;
- otherwise **confirmed** when it is complete and a representative confirmed its latest published
  report;
- otherwise **on time** (not due yet, or complete and not confirmed yet).
A commitment takes the most serious light of its milestones (disputed, then late); it is
confirmed only when every milestone is; on time otherwise, or when it has no milestones.

`milestone_light` and `commitment_light` are pure; `lights_for` reads what they need for many
commitments in two statements, whatever their number of milestones, reports and verdicts.
"""
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.commitments.models import Milestone, MilestoneStatus
from app.extensions import db
from app.progress.models import ProgressNote, ReportReview, ReportState, Verdict


class Light(enum.StrEnum):
    disputed = "disputed"
    late = "late"
    on_time = "on_time"
    confirmed = "confirmed"


LIGHT_LABELS = {
    Light.disputed: _l("Disputed"),
    Light.late: _l("Late"),
    Light.on_time: _l("On time"),
    Light.confirmed: _l("Confirmed"),
}

RULE = _l(
    "A milestone is disputed when a civil-society representative disputes its latest published "
    "report; otherwise late when it is not complete and its due date has passed; otherwise "
    "confirmed when it is complete and a representative confirmed its latest report; otherwise on "
    "time. A commitment shows its most serious milestone (disputed, then late), and is confirmed "
    "only when all its milestones are."
)

# Most serious first: a commitment shows the first of these that one of its milestones has.
_SEVERITY = (Light.disputed, Light.late)


def milestone_light(status: MilestoneStatus, ends_on: date, today: date,
                    verdicts: Iterable[Verdict] = ()) -> Light:
    """The light of a milestone from its status, its due date and the representatives' current
    verdicts on its latest published report."""
    verdicts = set(verdicts)
    if Verdict.disputed in verdicts:
        return Light.disputed
    complete = status == MilestoneStatus.complete
    if not complete and ends_on < today:
        return Light.late
    if complete and Verdict.confirmed in verdicts:
        return Light.confirmed
    return Light.on_time


def commitment_light(lights: Iterable[Light]) -> Light:
    lights = list(lights)
    for light in _SEVERITY:
        if light in lights:
            return light
    if lights and all(light == Light.confirmed for light in lights):
        return Light.confirmed
    return Light.on_time


@dataclass
class Lights:
    """The lights of some commitments and of their milestones."""

    commitments: dict[int, Light] = field(default_factory=dict)
    milestones: dict[int, Light] = field(default_factory=dict)

    def of(self, commitment_id: int) -> Light:
        return self.commitments.get(commitment_id, Light.on_time)

    def counts(self) -> dict[Light, int]:
        """How many of the commitments show each light, in the order of `Light`."""
        counted = dict.fromkeys(Light, 0)
        for light in self.commitments.values():
            counted[light] += 1
        return counted


def current_verdicts(milestone_ids) -> dict[int, set[Verdict]]:
    """{milestone id: the representatives' current verdicts on its latest published report}, in
    one statement (window functions: the latest report of each milestone, the latest round of
    each representative on it). `milestone_ids`: a list, or a SELECT of ids."""
    latest = (
        sa.select(ProgressNote.id.label("note_id"), ProgressNote.milestone_id,
                  sa.func.row_number().over(
                      partition_by=ProgressNote.milestone_id,
                      order_by=(ProgressNote.published_at.desc(), ProgressNote.id.desc()),
                  ).label("rank"))
        .where(ProgressNote.milestone_id.in_(milestone_ids), ProgressNote.state == ReportState.published)
        .subquery()
    )
    rounds = (
        sa.select(ReportReview.note_id, ReportReview.verdict,
                  sa.func.row_number().over(
                      partition_by=(ReportReview.note_id, ReportReview.author_id),
                      order_by=ReportReview.round.desc(),
                  ).label("rank"))
        .join(latest, sa.and_(latest.c.note_id == ReportReview.note_id, latest.c.rank == 1))
        .subquery()
    )
    found: dict[int, set[Verdict]] = defaultdict(set)
    for milestone_id, verdict in db.session.execute(
        sa.select(latest.c.milestone_id, rounds.c.verdict)
        .join(rounds, rounds.c.note_id == latest.c.note_id)
        .where(latest.c.rank == 1, rounds.c.rank == 1)
    ):
        found[milestone_id].add(Verdict(verdict))
    return found


def lights_for(commitment_ids: Iterable[int] | sa.Select, today: date) -> Lights:
    """The lights of these commitments (ids, or a SELECT of them: a whole plan's) and of their
    milestones, in two statements."""
    lights = Lights()
    if isinstance(commitment_ids, sa.Select):
        ids = commitment_ids
    else:
        ids = sorted(set(commitment_ids))
        if not ids:
            return lights
    milestones = db.session.execute(
        sa.select(Milestone.id, Milestone.commitment_id, Milestone.status, Milestone.ends_on)
        .where(Milestone.commitment_id.in_(ids))
    ).all()
    verdicts = current_verdicts(sa.select(Milestone.id).where(Milestone.commitment_id.in_(ids)))
    per_commitment: dict[int, list[Light]] = (
        {} if isinstance(ids, sa.Select) else {commitment_id: [] for commitment_id in ids})
    for row in milestones:
        light = milestone_light(MilestoneStatus(row.status), row.ends_on, today, verdicts.get(row.id, ()))
        lights.milestones[row.id] = light
        per_commitment.setdefault(row.commitment_id, []).append(light)
    lights.commitments = {cid: commitment_light(found) for cid, found in per_commitment.items()}
    return lights
