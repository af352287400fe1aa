"""Factories of the consultation tests: commitments, milestones, consultations, comments and
answers as database rows (not through the commitments' services, built in parallel). Text fields
carry hostile input, as everywhere."""
import itertools
from datetime import date, timedelta

import sqlalchemy as sa

from app.comments.models import Comment
from app.commitments.models import Commitment, CommitmentState, Milestone
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core.db import utcnow
from app.extensions import db
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_user,
)
from tests.querycount import count_queries

_seq = itertools.count(1)


def make_commitment(committee, state=CommitmentState.draft, milestones: int = 2, **fields) -> Commitment:
    n = next(_seq)
    values = {
        "title": f"Compromiso {n} {HOSTILE}",
        "problem": f"**Problema** {HOSTILE}",
        "baseline": "Línea base: 40 % de las colonias",
        "causes": f"Causas {HOSTILE}",
        "status_quo": "Situación actual",
        "objective": f"Objetivo {HOSTILE}",
        "description": "Qué se hará",
        "how_it_helps": "Cómo ayuda",
        "value_transparency": f"Publica datos abiertos {HOSTILE}",
    }
    values.update(fields)
    commitment = Commitment(plan_id=committee.plan_id, committee_id=committee.id, number=n,
                            state=state, **values)
    db.session.add(commitment)
    db.session.flush()
    for i in range(milestones):
        make_milestone(commitment, position=i, commit=False)
    db.session.commit()
    return commitment


def make_milestone(commitment, position: int = 0, commit: bool = True, **fields) -> Milestone:
    values = {
        "description": f"Hito {position + 1} {HOSTILE}",
        "responsible": f"Dirección {HOSTILE}",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 6, 30),
        "deliverable": "Informe publicado",
    }
    values.update(fields)
    milestone = Milestone(commitment_id=commitment.id, position=position, **values)
    db.session.add(milestone)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return milestone


def make_consultation(commitment, *, opened_hours_ago: float = 1, closes_in_hours: float = 48,
                      closed_early_hours_ago: float | None = None, move_state: bool = True) -> Consultation:
    """A window relative to now: negative `opened_hours_ago` schedules it in the future,
    negative `closes_in_hours` puts its close in the past."""
    now = utcnow()
    consultation = Consultation(
        commitment_id=commitment.id,
        opens_at=now - timedelta(hours=opened_hours_ago),
        closes_at=now + timedelta(hours=closes_in_hours),
        closed_early_at=(now - timedelta(hours=closed_early_hours_ago)
                         if closed_early_hours_ago is not None else None),
        close_reason="Se cerró antes" if closed_early_hours_ago is not None else None,
    )
    db.session.add(consultation)
    if move_state:
        commitment.state = CommitmentState.consultation
    db.session.commit()
    return consultation


def move_window(consultation, *, opened_hours_ago: float | None = None,
                closes_in_hours: float | None = None) -> Consultation:
    """The clock, manipulated: move the window's ends relative to now."""
    now = utcnow()
    if opened_hours_ago is not None:
        consultation.opens_at = now - timedelta(hours=opened_hours_ago)
    if closes_in_hours is not None:
        consultation.closes_at = now + timedelta(hours=closes_in_hours)
    db.session.commit()
    return consultation


def make_comment(commitment, author=None, section: str | None = None, parent=None, *,
                 body: str | None = None, minutes_ago: float = 0, **extra) -> Comment:
    author = author or make_user()
    comment = Comment(
        commitment_id=commitment.id,
        committee_id=commitment.committee_id,
        author_id=author.id,
        parent_id=parent.id if parent is not None else None,
        section=parent.section if parent is not None else section,
        body=body if body is not None else f"Comentario {HOSTILE}",
        created_at=utcnow() - timedelta(minutes=minutes_ago),
        **extra,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def make_answer(comment, outcome=ConsultationOutcome.incorporated, by=None,
                reason: str = f"Razón de la respuesta {HOSTILE}") -> ConsultationAnswer:
    answer = ConsultationAnswer(comment_id=comment.id, outcome=ConsultationOutcome(outcome),
                                reason=reason, answered_by_id=by.id if by else None)
    db.session.add(answer)
    db.session.commit()
    return answer


def milestone_key(milestone) -> str:
    return f"milestone-{milestone.id}"


class World:
    """A plan with two committees, a draft with two milestones in the first committee, another
    committee's draft, and everyone who may act on them."""

    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.citizen = make_user()
        self.author = make_user()
        self.organisation = make_organisation()
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()
        self.unconfirmed = make_user(confirmed=False)
        self.blocked = make_user(blocked_until=utcnow() + timedelta(days=3))
        self.anonymous = None
        self.commitment = make_commitment(self.committee)
        self.other_commitment = make_commitment(self.other_committee, milestones=1)

    @property
    def milestones(self):
        return list(self.commitment.milestones)


def counted():
    """The SQL statements sent to the database while active (the suite's one counter)."""
    return count_queries()


def count_rows(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
