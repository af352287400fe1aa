"""Factories of the dashboard tests: commitments with every template field and their milestones,
written directly (the drafting services enforce windows the dashboard does not care about)."""
import itertools
from datetime import date, timedelta

import sqlalchemy as sa

from app.commitments.models import (
    TEMPLATE_FIELDS,
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.extensions import db
from app.plans.models import ActionPlan, Committee, Theme
from tests.factories import HOSTILE

_seq = itertools.count(1)

START = date(2025, 1, 1)


def template_text(commitment_n: int) -> dict[str, str]:
    """Every template field filled with distinct, hostile text (title is set apart)."""
    return {name: f"{name}-{commitment_n}-marca {HOSTILE}" for name in TEMPLATE_FIELDS if name != "title"}


def make_commitment(
    plan: ActionPlan,
    committee: Committee,
    theme: Theme | None = None,
    *,
    state: CommitmentState = CommitmentState.published,
    status: ImplementationStatus = ImplementationStatus.not_started,
    title: str | None = None,
    milestones: list[tuple[MilestoneStatus, date]] | None = None,
    number: int | None = None,
    commit: bool = True,
) -> Commitment:
    """A commitment; `milestones` is [(status, end date)], each starting 30 days before its end."""
    n = next(_seq)
    commitment = Commitment(
        plan_id=plan.id,
        committee_id=committee.id,
        theme_id=theme.id if theme else None,
        number=number or n,
        title=title if title is not None else f"Compromiso {n} {HOSTILE}",
        state=state,
        implementation_status=status,
        starts_on=START,
        ends_on=date(2027, 12, 31),
        **template_text(n),
    )
    for position, (m_status, ends_on) in enumerate(milestones or []):
        commitment.milestones.append(Milestone(
            position=position,
            description=f"Hito {n}.{position + 1} {HOSTILE}",
            responsible=f"Responsable {n}.{position + 1}",
            starts_on=ends_on - timedelta(days=30),
            ends_on=ends_on,
            deliverable=f"Entregable {n}.{position + 1} {HOSTILE}",
            status=m_status,
            completed_on=ends_on if m_status == MilestoneStatus.complete else None,
        ))
    db.session.add(commitment)
    if commit:
        db.session.commit()
    return commitment


def bulk_commitments(plan: ActionPlan, committees: list[Committee], themes: list[Theme],
                     n: int, milestones_each: int = 4) -> None:
    """`n` published commitments spread over committees and themes, with milestones in every
    status, inserted in bulk (fast enough for 1,000)."""
    statuses = list(MilestoneStatus)
    impl = list(ImplementationStatus)
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Commitment.number), 0))) + 1
    rows = []
    for i in range(n):
        committee = committees[i % len(committees)]
        rows.append({
            "plan_id": plan.id, "committee_id": committee.id,
            "theme_id": themes[i % len(themes)].id if themes else None,
            "number": start + i, "title": f"Compromiso masivo {i} {HOSTILE}",
            "state": CommitmentState.withdrawn if i % 17 == 0 else CommitmentState.published,
            "implementation_status": impl[i % len(impl)],
            "starts_on": START, "ends_on": date(2027, 12, 31),
            **template_text(10_000 + i),
        })
    db.session.execute(sa.insert(Commitment), rows)
    ids = db.session.scalars(
        sa.select(Commitment.id).where(Commitment.number >= start).order_by(Commitment.number)
    ).all()
    milestone_rows = []
    for cid in ids:
        for p in range(milestones_each):
            ends = START + timedelta(days=90 * p + cid % 60)
            status = statuses[(cid + p) % len(statuses)]
            milestone_rows.append({
                "commitment_id": cid, "position": p, "description": f"Hito {cid}.{p} {HOSTILE}",
                "responsible": "Responsable", "starts_on": ends - timedelta(days=20), "ends_on": ends,
                "deliverable": "Entregable", "status": status,
                "completed_on": ends if status == MilestoneStatus.complete else None,
            })
    db.session.execute(sa.insert(Milestone), milestone_rows)
    db.session.commit()
