"""Factories of the progress tests: published commitments, milestones, notes and follows, written
directly (the commitments area, built in parallel, is not needed to test implementation)."""
import itertools
from datetime import date

from app.commitments.models import Commitment, CommitmentState, Milestone, MilestoneStatus
from app.core.db import utcnow
from app.extensions import db
from app.follows.models import Follow
from app.progress.models import Evidence, ProgressNote
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_theme,
    make_user,
)

_seq = itertools.count(1)


class World:
    """A plan with two committees and the people who act on their commitments."""

    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.theme = make_theme(self.plan)
        self.citizen = make_user()
        self.organisation = make_organisation()
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()


def make_commitment(world: World, *, state: CommitmentState = CommitmentState.published,
                    milestones: int = 2, committee=None, ends_on: date = date(2027, 12, 31),
                    statuses=(), **fields) -> Commitment:
    """A commitment with `milestones` milestones (statuses from `statuses`, else not started)."""
    n = next(_seq)
    committee = committee or world.committee
    commitment = Commitment(
        plan_id=world.plan.id, committee_id=committee.id, theme_id=world.theme.id, number=n,
        title=fields.pop("title", f"Compromiso {HOSTILE} {n}"),
        objective=fields.pop("objective", f"Objetivo {HOSTILE}"),
        starts_on=date(2026, 1, 1), ends_on=ends_on, state=state,
        published_at=utcnow() if state != CommitmentState.draft else None, **fields,
    )
    for i in range(milestones):
        status = statuses[i] if i < len(statuses) else MilestoneStatus.not_started
        commitment.milestones.append(make_milestone_object(i, status=status))
    db.session.add(commitment)
    db.session.commit()
    return commitment


def make_milestone_object(position: int, *, status=MilestoneStatus.not_started,
                          starts_on: date = date(2026, 2, 1), ends_on: date = date(2026, 6, 30),
                          completed_on: date | None = None) -> Milestone:
    return Milestone(
        position=position, description=f"Hito {position + 1} {HOSTILE}",
        responsible=f"Dirección {HOSTILE}", starts_on=starts_on, ends_on=ends_on,
        deliverable=f"Entregable {HOSTILE}", status=status,
        completed_on=completed_on or (ends_on if status == MilestoneStatus.complete else None),
    )


def add_milestone(commitment: Commitment, **kwargs) -> Milestone:
    milestone = make_milestone_object(len(commitment.milestones), **kwargs)
    commitment.milestones.append(milestone)
    db.session.commit()
    return milestone


def add_note(milestone: Milestone, author, *, status=MilestoneStatus.in_progress,
             noted_on: date = date(2026, 3, 1), links: int = 1, files: int = 1) -> ProgressNote:
    """A note written directly, with link and file evidence rows (files need not exist)."""
    note = ProgressNote(milestone_id=milestone.id, author_id=author.id, status=status,
                        note=f"**Avance** {HOSTILE}", noted_on=noted_on)
    for i in range(links):
        note.evidence.append(Evidence(url=f"https://transparencia.durango.gob.mx/doc/{i}"))
    for _i in range(files):
        n = next(_seq)
        note.evidence.append(Evidence(
            original_name=f"informe {HOSTILE} {n}.pdf", stored_name=f"{n:032x}",
            content_type="application/pdf", size_bytes=1536, sha256="0" * 64,
        ))
    db.session.add(note)
    db.session.commit()
    return note


def follow(user, commitment: Commitment) -> Follow:
    row = Follow(target_type="commitment", target_id=commitment.id, user_id=user.id)
    db.session.add(row)
    db.session.commit()
    return row


__all__ = ["World", "make_commitment", "make_milestone_object", "add_milestone", "add_note",
           "follow", "make_user", "HOSTILE"]
