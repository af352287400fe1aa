"""Reads of the committees' sessions: a committee's sessions with their agreements, one session,
the agreements followed (open, done, late) for a committee or a plan, and the quorum rule."""
from collections import Counter
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.meetings.models import CommitteeSession, SessionAgreement
from app.plans.models import Committee, CommitteeMember, MemberKind

# Seats that count for the quorum: the government members and the civil-society titular (whose
# suplente counts when standing in for them). Facilitators conduct the session; they do not count.
COUNTING = (MemberKind.government, MemberKind.cs_titular)
AGREEMENT_STATES = ("open", "late", "done")


def current_members(committee: Committee) -> list[CommitteeMember]:
    """The members of the committee now, in its order."""
    return list(db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.committee_id == committee.id,
                                         CommitteeMember.term_end.is_(None))
        .order_by(CommitteeMember.position, CommitteeMember.id)))


def quorum_of(committee: Committee, seats: int) -> int:
    """Members needed: the committee's own rule, else more than half of its counting seats."""
    return committee.quorum if committee.quorum else seats // 2 + 1


def sessions_of(committee: Committee) -> list[CommitteeSession]:
    """The committee's sessions, newest first, with their agreements (two statements)."""
    return list(db.session.scalars(
        sa.select(CommitteeSession).where(CommitteeSession.committee_id == committee.id)
        .options(selectinload(CommitteeSession.agreements))
        .order_by(CommitteeSession.held_on.desc(), CommitteeSession.id.desc())))


def session_page(session_id: int) -> CommitteeSession | None:
    return db.session.scalars(
        sa.select(CommitteeSession).where(CommitteeSession.id == session_id)
        .options(selectinload(CommitteeSession.attendance), selectinload(CommitteeSession.agreements))
    ).first()


def agreement_counts(today: date, *, committee_id: int | None = None, plan_id: int | None = None) -> dict:
    """{"open", "late", "done": count} of the agreements of a committee's or a plan's sessions,
    in one statement."""
    query = sa.select(SessionAgreement.due_on, SessionAgreement.done_on).join(
        CommitteeSession, CommitteeSession.id == SessionAgreement.session_id)
    if committee_id is not None:
        query = query.where(CommitteeSession.committee_id == committee_id)
    if plan_id is not None:
        query = query.join(Committee, Committee.id == CommitteeSession.committee_id).where(
            Committee.plan_id == plan_id)
    counted = Counter(
        "done" if done_on is not None else ("late" if due_on < today else "open")
        for due_on, done_on in db.session.execute(query))
    return {state: counted.get(state, 0) for state in AGREEMENT_STATES}
