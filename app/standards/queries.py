"""The figures of the standards page, each read in one or two statements whatever the plan's
size, with the items that fall short listed (capped: the page says how many more there are).

- forum: every committee met at least every six months (183 days) from the start of the plan's
  co-creation (or its first phase) until today or the end of its last phase;
- timeline: the plan (with its phases) was published before its co-creation phase began;
- proposals answered: every proposal that left «submitted» has a public answer with its reason;
- consultation answered: every consultation comment has an answer;
- repository current: every document was published within REPOSITORY_DAYS of its date;
- minutes: every committee session has its minutes published.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.comments.models import Comment
from app.commitments.models import Commitment
from app.consultations.models import ConsultationAnswer
from app.documents.models import Document
from app.extensions import db
from app.meetings.models import CommitteeSession
from app.plans.models import ActionPlan, Committee, Phase, PhaseKind
from app.proposals.models import Proposal, ProposalAnswer, ProposalState

FORUM_DAYS = 183
REPOSITORY_DAYS = 30
LISTED = 50  # items listed under a figure; the rest are counted


@dataclass
class Figure:
    key: str
    title: str
    rule: str
    met: bool
    done: int
    total: int
    short: list[tuple[str, str]] = field(default_factory=list)  # (label, path) of what falls short
    short_count: int = 0
    source: str = ""  # the page listing every item the figure counts

    @property
    def rate(self) -> int | None:
        return None if not self.total else round(100 * self.done / self.total)

    def as_dict(self) -> dict:
        return {"key": self.key, "title": str(self.title), "rule": str(self.rule), "met": self.met,
                "done": self.done, "total": self.total, "rate": self.rate,
                "falling_short": [{"label": label, "path": path} for label, path in self.short],
                "falling_short_count": self.short_count, "source": self.source}


def _span(plan: ActionPlan, today: date) -> tuple[date | None, date]:
    phases = db.session.execute(sa.select(Phase.kind, Phase.starts_on, Phase.ends_on)
                                .where(Phase.plan_id == plan.id)).all()
    if not phases:
        return None, today
    cocreation = [p.starts_on for p in phases if p.kind == PhaseKind.cocreation]
    start = min(cocreation) if cocreation else min(p.starts_on for p in phases)
    return start, min(today, max(p.ends_on for p in phases))


def forum(plan: ActionPlan, today: date) -> Figure:
    start, end = _span(plan, today)
    committees = db.session.execute(sa.select(Committee.id, Committee.name).where(
        Committee.plan_id == plan.id).order_by(Committee.position, Committee.id)).all()
    held: dict[int, list[date]] = {c.id: [] for c in committees}
    for committee_id, held_on in db.session.execute(
            sa.select(CommitteeSession.committee_id, CommitteeSession.held_on)
            .join(Committee, Committee.id == CommitteeSession.committee_id)
            .where(Committee.plan_id == plan.id).order_by(CommitteeSession.held_on)):
        held[committee_id].append(held_on)
    short = []
    for committee in committees:
        days = [d for d in held[committee.id] if start is None or d >= start]
        points = ([start] if start else []) + days + [end]
        gaps = [(b - a).days for a, b in zip(points, points[1:], strict=False)]
        if start is None or not days or max(gaps) > FORUM_DAYS:
            short.append((committee.name, url_for("meetings.index", committee_id=committee.id)))
    return Figure("forum", _l("The forum meets regularly"),
                  _l("Each coordinating committee held a session at least every six months since the "
                     "co-creation began."), not short and bool(committees),
                  len(committees) - len(short), len(committees), short[:LISTED], len(short),
                  url_for("plans.plan", slug=plan.slug))


def timeline(plan: ActionPlan, today: date) -> Figure:
    start, _end = _span(plan, today)
    published = plan.published_at.date() if plan.published_at else None
    met = start is not None and published is not None and published <= start
    short = [] if met else [(str(plan.name), url_for("plans.plan", slug=plan.slug))]
    return Figure("timeline", _l("A timeline published before co-creation"),
                  _l("The plan and its phases were published before its co-creation phase began."),
                  met, int(met), 1, short, len(short), url_for("plans.plan", slug=plan.slug))


def proposals_answered(plan: ActionPlan) -> Figure:
    answered = sa.exists().where(ProposalAnswer.proposal_id == Proposal.id)
    rows = db.session.execute(
        sa.select(Proposal.reference, Proposal.title, answered.label("answered"))
        .where(Proposal.plan_id == plan.id, Proposal.hidden_at.is_(None),
               Proposal.state.not_in([ProposalState.submitted, ProposalState.withdrawn]))
        .order_by(Proposal.created_at, Proposal.id)).all()
    short = [(f"{r.reference} {r.title}", url_for("proposals.show", reference=r.reference))
             for r in rows if not r.answered]
    return Figure("proposals_answered", _l("Every proposal answered with a reason"),
                  _l("Every proposal that left «submitted» has a public answer that gives its reason."),
                  not short, len(rows) - len(short), len(rows), short[:LISTED], len(short),
                  url_for("proposals.index", plan=plan.slug))


def consultation_answered(plan: ActionPlan) -> Figure:
    answered = sa.exists().where(ConsultationAnswer.comment_id == Comment.id)
    rows = db.session.execute(
        sa.select(Comment.id, Comment.commitment_id, Commitment.title, answered.label("answered"))
        .join(Commitment, Commitment.id == Comment.commitment_id)
        .where(Commitment.plan_id == plan.id, Comment.parent_id.is_(None),
               Comment.hidden_at.is_(None), Comment.deleted_at.is_(None))
        .order_by(Comment.created_at, Comment.id)).all()
    short = [(str(r.title), url_for("commitments.show", commitment_id=r.commitment_id,
                                    _anchor=f"comment-{r.id}")) for r in rows if not r.answered]
    return Figure("consultation_answered", _l("Every consultation comment answered"),
                  _l("Every comment made in a public consultation on a draft commitment has an answer."),
                  not short, len(rows) - len(short), len(rows), short[:LISTED], len(short),
                  url_for("commitments.index", plan=plan.slug))


def repository_current(plan: ActionPlan) -> Figure:
    rows = db.session.execute(sa.select(Document.id, Document.title, Document.document_date,
                                        Document.published_at).where(Document.plan_id == plan.id)
                              .order_by(Document.document_date, Document.id)).all()
    late = [r for r in rows if (r.published_at.date() - r.document_date) > timedelta(days=REPOSITORY_DAYS)]
    short = [(str(r.title), url_for("documents.show", document_id=r.id)) for r in late]
    return Figure("repository_current", _l("The public repository kept current"),
                  _l("Every official document was published within %(days)d days of its date.",
                     days=REPOSITORY_DAYS), not short, len(rows) - len(short), len(rows),
                  short[:LISTED], len(short), url_for("documents.index", plan=plan.slug))


def minutes(plan: ActionPlan) -> Figure:
    rows = db.session.execute(
        sa.select(CommitteeSession.id, CommitteeSession.held_on, CommitteeSession.minutes_published_at,
                  Committee.name).join(Committee, Committee.id == CommitteeSession.committee_id)
        .where(Committee.plan_id == plan.id).order_by(CommitteeSession.held_on, CommitteeSession.id)).all()
    short = [(f"{r.name} · {r.held_on.isoformat()}", url_for("meetings.show", session_id=r.id))
             for r in rows if r.minutes_published_at is None]
    return Figure("minutes", _l("Minutes published after each session"),
                  _l("Every session of a coordinating committee has its minutes published."),
                  not short, len(rows) - len(short), len(rows), short[:LISTED], len(short),
                  url_for("plans.plan", slug=plan.slug))


def figures(plan: ActionPlan, today: date) -> list[Figure]:
    return [forum(plan, today), timeline(plan, today), proposals_answered(plan),
            consultation_answered(plan), repository_current(plan), minutes(plan)]


def document(plan: ActionPlan, today: date) -> dict:
    """The figures as published (the page's JSON download and the API): the plan, the day they
    were computed on, and each figure."""
    return {"plan": {"id": plan.id, "slug": plan.slug, "name": plan.name}, "computed_on": today.isoformat(),
            "figures": [figure.as_dict() for figure in figures(plan, today)]}
