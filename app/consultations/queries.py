"""Reads of consultations shared by pages and services: windows, a draft's sections, the
section threads with their answers, and the report's counts. Each page issues a fixed number of
SQL statements, whatever the number of comments."""
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.routing import BuildError

from app.comments.models import Comment
from app.commitments.models import OGP_VALUES, Commitment
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core.db import utcnow
from app.extensions import db

GENERAL = "general"
MILESTONE_PREFIX = "milestone-"
# The template's text sections open to comment, in the order the document shows them.
TEXT_SECTIONS = ("problem", "causes", "status_quo", "objective", "description", "how_it_helps",
                 "values")


def section_labels() -> dict[str, str]:
    return {
        GENERAL: _("The draft as a whole"),
        "problem": _("Public problem"),
        "causes": _("Causes of the problem"),
        "status_quo": _("Status quo"),
        "objective": _("Objective"),
        "description": _("What will be done"),
        "how_it_helps": _("How it helps solve the problem"),
        "values": _("Relevance to the Open Government values"),
    }


@dataclass
class Section:
    """A part of the draft open to comment. `key` is what a form sends ("general", "problem",
    "milestone-12"); `stored` is what Comment.section holds (None for the draft as a whole)."""

    key: str
    label: str
    milestone: object = None
    removed: bool = False

    @property
    def stored(self) -> str | None:
        return None if self.key == GENERAL else self.key


def sections_for(commitment: Commitment) -> list[Section]:
    """The draft's sections: the whole, the template's text sections, then each milestone."""
    labels = section_labels()
    sections = [Section(GENERAL, labels[GENERAL])]
    sections += [Section(key, labels[key]) for key in TEXT_SECTIONS]
    for number, milestone in enumerate(commitment.milestones, start=1):
        sections.append(
            Section(
                f"{MILESTONE_PREFIX}{milestone.id}",
                _("Milestone %(n)d: %(description)s", n=number,
                  description=_shorten(milestone.description)),
                milestone=milestone,
            )
        )
    return sections


def _shorten(text: str, length: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def section_key(stored: str | None) -> str:
    return GENERAL if stored in (None, "") else stored


def with_removed(sections: list[Section], keys) -> list[Section]:
    """The sections plus any that comments name but the draft no longer has (a removed
    milestone), so that no comment disappears from the page or the report."""
    known = {s.key for s in sections}
    extra = sorted(k for k in set(keys) if k not in known)
    return sections + [Section(k, _("A part of the draft that was removed"), removed=True)
                       for k in extra]


def values_claimed(commitment: Commitment) -> list[tuple[str, str]]:
    """(value label, sentence) for each Open Government value the draft claims."""
    return [(str(label), getattr(commitment, name)) for name, label in OGP_VALUES.items()
            if (getattr(commitment, name) or "").strip()]


# ---------------------------------------------------------------- windows

def effective_close(consultation):
    """When the window ends: the planned close, or the early close if it came first."""
    if consultation.closed_early_at is not None and consultation.closed_early_at < consultation.closes_at:
        return consultation.closed_early_at
    return consultation.closes_at


def window_state(consultation, now=None) -> str:
    """"scheduled", "open" or "closed" ("none" without a consultation)."""
    if consultation is None:
        return "none"
    now = now or utcnow()
    if now >= effective_close(consultation):
        return "closed"
    if now < consultation.opens_at:
        return "scheduled"
    return "open"


def _not_over(now):
    return sa.and_(Consultation.closed_early_at.is_(None), Consultation.closes_at > now)


def consultation_open_now(commitment_id: int) -> bool:
    """The server's rule for accepting a comment on a commitment: a window open right now."""
    now = utcnow()
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Consultation.commitment_id == commitment_id,
        Consultation.opens_at <= now,
        _not_over(now),
    ))))


def pending_consultation(commitment_id: int):
    """The consultation of the commitment that is open or scheduled now, if any."""
    return db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.commitment_id == commitment_id, _not_over(utcnow()))
        .order_by(Consultation.opens_at.desc(), Consultation.id.desc())
        .limit(1)
    ).first()


@functools.cache
def _consultations_statement():
    """Built once per process, the commitment as a parameter (every commitment page runs it).
    Thread-safe: a statement is immutable."""
    return (sa.select(Consultation)
            .where(Consultation.commitment_id == sa.bindparam("commitment_id"))
            .order_by(Consultation.opens_at.desc(), Consultation.id.desc()))


def consultations_of(commitment_id: int) -> list:
    """Every consultation round of a commitment, the latest first."""
    return list(db.session.scalars(_consultations_statement(), {"commitment_id": commitment_id}))


def latest_consultation(commitment_id: int):
    rounds = consultations_of(commitment_id)
    return rounds[0] if rounds else None


def consultation_path(commitment_id: int, anchor: str | None = None) -> str:
    """The consultation page's path, built without a request (notifications from services)."""
    try:
        url = current_app.url_map.bind("localhost").build(
            "consultations.show", {"commitment_id": commitment_id}
        )
    except BuildError:
        url = f"/consultations/commitment/{commitment_id}"
    return f"{url}#{anchor}" if anchor else url


# ---------------------------------------------------------------- threads and answers

def commitment_for_page(commitment_id: int) -> Commitment | None:
    return db.session.scalars(
        sa.select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(selectinload(Commitment.milestones))
    ).first()


def threads_by_section(commitment: Commitment) -> dict[str, list[Comment]]:
    """{section key: top-level comments, oldest first, each with `.replies` and `.author`}.

    One statement for every comment of the commitment (deleted and hidden ones included: the
    page shows a placeholder in their place).
    """
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.commitment_id == commitment.id)
        .order_by(Comment.created_at, Comment.id)
        .options(joinedload(Comment.author))
    ).unique().all()
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    threads: dict[str, list[Comment]] = {}
    for comment in comments:
        set_committed_value(comment, "replies", replies.get(comment.id, []))
        if comment.parent_id is None:
            threads.setdefault(section_key(comment.section), []).append(comment)
    return threads


def section_counts(commitment: Commitment) -> dict[str, int]:
    """{section key: number of top-level comments} (deleted and hidden ones included, as the
    threads show them), in one statement: the page's table of contents without its comments."""
    rows = db.session.execute(
        sa.select(Comment.section, sa.func.count(Comment.id))
        .where(Comment.commitment_id == commitment.id, Comment.parent_id.is_(None))
        .group_by(Comment.section)
    ).all()
    counts: dict[str, int] = {}
    for section, count in rows:
        key = section_key(section)
        counts[key] = counts.get(key, 0) + count
    return counts


def answers_version(commitment: Commitment) -> tuple:
    """What changes whenever an answer on the commitment's comments is given or changed (a
    change stamps `answered_at` again), in one statement: part of the threads' fragment key."""
    row = db.session.execute(
        sa.select(sa.func.count(ConsultationAnswer.id), sa.func.max(ConsultationAnswer.id),
                  sa.func.max(ConsultationAnswer.answered_at),
                  sa.func.sum(sa.func.length(ConsultationAnswer.reason)))
        .join(Comment, Comment.id == ConsultationAnswer.comment_id)
        .where(Comment.commitment_id == commitment.id)
    ).one()
    return tuple(str(value) for value in row)


def answers_for(commitment: Commitment) -> dict[int, ConsultationAnswer]:
    """{comment id: the facilitator's answer} for the commitment's consultation comments."""
    answers = db.session.scalars(
        sa.select(ConsultationAnswer)
        .join(Comment, Comment.id == ConsultationAnswer.comment_id)
        .where(Comment.commitment_id == commitment.id)
        .options(joinedload(ConsultationAnswer.answered_by))
    ).unique().all()
    return {answer.comment_id: answer for answer in answers}


def answer_of(comment_id: int) -> ConsultationAnswer | None:
    return db.session.scalars(
        sa.select(ConsultationAnswer).where(ConsultationAnswer.comment_id == comment_id)
    ).first()


# ---------------------------------------------------------------- the report

@dataclass
class SectionCounts:
    section: Section
    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    @property
    def unanswered(self) -> int:
        return self.total - sum(self.by_outcome.values())


@dataclass
class ReportCounts:
    participants: int
    rows: list[SectionCounts]
    totals: SectionCounts


def report_counts(commitment: Commitment, sections: list[Section]) -> ReportCounts:
    """Participants and comments per section and outcome, in two statements.

    Counted: every comment and reply not deleted by its author, hidden ones included (they were
    contributions to the consultation; the page shows the moderation placeholder instead of the
    text). Participants are the distinct authors of those comments.
    """
    counted = sa.and_(Comment.commitment_id == commitment.id, Comment.deleted_at.is_(None))
    participants = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Comment.author_id))).where(counted)
    )
    rows = db.session.execute(
        sa.select(Comment.section, ConsultationAnswer.outcome, sa.func.count(Comment.id))
        .outerjoin(ConsultationAnswer, ConsultationAnswer.comment_id == Comment.id)
        .where(counted)
        .group_by(Comment.section, ConsultationAnswer.outcome)
    ).all()
    sections = with_removed(sections, (section_key(s) for s, _o, _n in rows))
    by_key = {s.key: SectionCounts(s) for s in sections}
    totals = SectionCounts(Section("total", _("Total")))
    for stored, outcome, number in rows:
        row = by_key[section_key(stored)]
        row.total += number
        totals.total += number
        if outcome is not None:
            value = ConsultationOutcome(outcome).value
            row.by_outcome[value] = row.by_outcome.get(value, 0) + number
            totals.by_outcome[value] = totals.by_outcome.get(value, 0) + number
    return ReportCounts(participants=participants, rows=list(by_key.values()), totals=totals)


# ---------------------------------------------------------------- home page and personal panel

def open_consultations(plan_id: int, now=None) -> list[Consultation]:
    """The plan's consultations open now, closing soonest first, with their commitment loaded."""
    from app.commitments.queries import visible as visible_commitment
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Consultation)
        .join(Commitment, Commitment.id == Consultation.commitment_id)
        .where(Commitment.plan_id == plan_id, visible_commitment(), Consultation.opens_at <= now,
               _not_over(now))
        .order_by(Consultation.closes_at, Consultation.id)
        .options(contains_eager(Consultation.commitment))
    ))


def comments_of_author(user_id: int, limit: int = 10) -> list[tuple[Comment, Commitment,
                                                                   ConsultationAnswer | None]]:
    """A person's latest consultation comments (not deleted), each with its commitment and the
    facilitators' answer if any; one statement."""
    rows = db.session.execute(
        sa.select(Comment, Commitment, ConsultationAnswer)
        .join(Commitment, Commitment.id == Comment.commitment_id)
        .outerjoin(ConsultationAnswer, ConsultationAnswer.comment_id == Comment.id)
        .where(Comment.author_id == user_id, Comment.deleted_at.is_(None))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    ).all()
    return [(comment, commitment, answer) for comment, commitment, answer in rows]
