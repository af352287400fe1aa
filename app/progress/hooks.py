"""What progress plugs into other areas: notes with their evidence in a person's data export;
followers and milestones with progress for commitments; commitments as things people follow
(app/follows), with their progress, status and comments as their changes."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.accounts.models import User
from app.comments.models import Comment
from app.commitments import registry
from app.commitments.models import Commitment, CommitmentProposal, Milestone, MilestoneStatus
from app.commitments.permissions import can_read
from app.commitments.services import commitment_path
from app.core.audit import AuditEntry
from app.core.fragments import fingerprint, total, total_length
from app.dialogues.models import AgendaItem, DialogueTable
from app.extensions import db
from app.follows import targets as follow_targets
from app.notifications.kinds import word_values
from app.progress.models import (
    CommitmentOfficial,
    Evidence,
    ProgressNote,
    ReportReview,
    ReportState,
)
from app.progress.path import path_of
from app.progress.queries import STATUS_ACTION, commitment_visible, followers_of, standing_alongside
from app.proposals import related


@export_section
def _progress(user_id: int) -> dict:
    evidence: dict[int, list] = {}
    for e in db.session.scalars(
        sa.select(Evidence).join(ProgressNote, ProgressNote.id == Evidence.note_id)
        .where(ProgressNote.author_id == user_id).order_by(Evidence.id)
    ):
        evidence.setdefault(e.note_id, []).append({
            "url": e.url, "name": e.original_name, "content_type": e.content_type,
            "size_bytes": e.size_bytes, "sha256": e.sha256,
        })
    notes = [
        {"commitment_id": commitment_id, "milestone": milestone, "status": n.status.value,
         "note": n.note, "noted_on": iso(n.noted_on), "created_at": iso(n.created_at),
         "state": n.state.value, "published_at": iso(n.published_at), "return_reason": n.return_reason,
         "evidence": evidence.get(n.id, [])}
        for n, commitment_id, milestone in rows(
            sa.select(ProgressNote, Milestone.commitment_id, Milestone.description)
            .join(Milestone, Milestone.id == ProgressNote.milestone_id)
            .where(ProgressNote.author_id == user_id)
            .order_by(ProgressNote.id)
        )
    ]
    # The verdicts the person gave and the answers they wrote to disputes, in one statement.
    verdicts, answers = [], []
    for r in db.session.scalars(sa.select(ReportReview).where(
            sa.or_(ReportReview.author_id == user_id, ReportReview.answered_by_id == user_id))
            .order_by(ReportReview.id)):
        if r.author_id == user_id:
            verdicts.append({"report_id": r.note_id, "round": r.round, "seat": r.seat,
                             "verdict": r.verdict.value, "reason": r.reason,
                             "created_at": iso(r.created_at), "answer": r.answer,
                             "answered_at": iso(r.answered_at)})
        if r.answered_by_id == user_id:
            answers.append({"verdict_id": r.id, "report_id": r.note_id, "answer": r.answer,
                            "answered_at": iso(r.answered_at)})
    appointments = [
        {"commitment_id": o.commitment_id, "institution": o.institution, "position": o.position_title,
         "appointed_at": iso(o.appointed_at), "ended_at": iso(o.ended_at), "end_reason": o.end_reason}
        for o in db.session.scalars(sa.select(CommitmentOfficial).where(CommitmentOfficial.user_id == user_id)
                                    .order_by(CommitmentOfficial.id))
    ]
    return {"progress_notes": notes, "progress_verdicts": verdicts, "dispute_answers": answers,
            "official_appointments": appointments}


def _path_version(proposal_id) -> list:
    """What the path shows, as rows that change with it: the tables that discussed the proposal,
    the milestones of its commitments, their reports (state, day, evidence) and the verdicts on
    them (the commitments themselves are the commitments section's; the lights' day is the
    page's). Short on purpose: the page runs it on every request."""
    def of_proposal(statement):
        return (statement.join(CommitmentProposal, CommitmentProposal.commitment_id == Milestone.commitment_id)
                .where(CommitmentProposal.proposal_id == proposal_id))

    tables = (sa.select(fingerprint(DialogueTable.id, DialogueTable.title, DialogueTable.starts_at,
                                    DialogueTable.state))
              .select_from(DialogueTable).join(AgendaItem, AgendaItem.table_id == DialogueTable.id)
              .where(AgendaItem.proposal_id == proposal_id))
    described = sa.func.substr(Milestone.description, sa.literal_column("1"), sa.literal_column("300"))
    milestones = of_proposal(sa.select(fingerprint(Milestone.id, Milestone.position, Milestone.status,
                                                   Milestone.ends_on, described)).select_from(Milestone))
    reports = of_proposal(
        sa.select(fingerprint(ProgressNote.id, ProgressNote.state, ProgressNote.noted_on, Evidence.id))
        .select_from(ProgressNote).outerjoin(Evidence, Evidence.note_id == ProgressNote.id)
        .join(Milestone, Milestone.id == ProgressNote.milestone_id))
    verdicts = of_proposal(
        sa.select(fingerprint(ReportReview.id)).select_from(ReportReview)
        .join(ProgressNote, ProgressNote.id == ReportReview.note_id)
        .join(Milestone, Milestone.id == ProgressNote.milestone_id))
    return [tables, milestones, reports, verdicts]


# A proposal's page shows what happened to it: its tables, commitments, milestones and lights.
related.register(related.Related(name="path", template="progress/_path.html",
                                 context=lambda proposal, viewer: {"path": path_of(proposal)},
                                 version=_path_version))


# What happened to a report, in the words of the reader's language (app/notifications/kinds.py).
_EVENTS = {
    "appointed": _l("you are now one of its responsible officials"),
    "submitted": _l("a report waits for you to publish it or return it"),
    "published": _l("your report is published"),
    "returned": _l("your report was returned to you, with the reason"),
    "confirmed": _l("a civil-society representative confirmed a report"),
    "disputed": _l("a civil-society representative disputed a report"),
    "answered": _l("your dispute was answered"),
}
word_values("event", lambda value: _EVENTS.get(value))


# Followers hear of a commitment's new versions; a milestone with progress is kept
# (app/commitments/registry.py).
registry.provides("followers")(followers_of)


@registry.provides("milestones_with_progress")
def _milestones_with_progress(milestone_ids: list[int]) -> bool:
    return bool(db.session.scalar(
        sa.select(sa.exists().where(ProgressNote.milestone_id.in_(milestone_ids)))
    ))


@registry.provides("reader_alongside")
def _reader_alongside(reader, commitment):
    """The reader's standing on the commitment (the page's permission rules ask it), read with
    the page's version."""
    return standing_alongside(reader, commitment)


@registry.provides("page_version_parts")
def _page_version_parts(commitment_id, milestone_ids) -> list:
    """What the commitment page's progress panel shows, as aggregates that change with it: the
    notes (their number, text, status, date and authors) and their evidence."""
    status = sa.case({member: position + 1 for position, member in enumerate(MilestoneStatus)},
                     value=ProgressNote.status, else_=0)
    notes = (
        sa.select(sa.func.count(ProgressNote.id), sa.func.max(ProgressNote.id),
                  total_length(ProgressNote.note), total(ProgressNote.id * status),
                  sa.func.max(ProgressNote.noted_on), total_length(User.name), sa.func.count(User.deleted_at))
        .outerjoin(User, User.id == ProgressNote.author_id)
        .where(ProgressNote.milestone_id.in_(milestone_ids))
    )
    evidence = (
        sa.select(sa.func.count(Evidence.id), sa.func.max(Evidence.id))
        .join(ProgressNote, ProgressNote.id == Evidence.note_id)
        .where(ProgressNote.milestone_id.in_(milestone_ids))
    )
    # Reports change state (waiting, returned, published: the panel shows only published ones and
    # their lights), and verdicts and answers are added: counts and latest ids and times.
    def counted(state):
        return sa.func.count(sa.case((ProgressNote.state == state, ProgressNote.id)))

    published = (
        sa.select(counted(ReportState.published), counted(ReportState.submitted),
                  sa.func.max(ProgressNote.published_at), sa.func.max(ProgressNote.decided_at))
        .where(ProgressNote.milestone_id.in_(milestone_ids))
    )
    reviews = (
        sa.select(sa.func.count(ReportReview.id), sa.func.max(ReportReview.id),
                  sa.func.count(ReportReview.answered_at), sa.func.max(ReportReview.answered_at),
                  total_length(ReportReview.seat_holder))
        .join(ProgressNote, ProgressNote.id == ReportReview.note_id)
        .where(ProgressNote.milestone_id.in_(milestone_ids))
    )
    return [notes, evidence, published, reviews]


# --- Following (app/follows/targets.py) ----------------------------------------------------------

follow_targets.register(follow_targets.Target(
    kind="commitment",
    label=_l("Commitments"),
    model=Commitment,
    # Drafts cannot be followed (their facilitators read them, but there is nothing to follow yet).
    visible=lambda actor, commitment: commitment_visible(commitment) and can_read(actor, commitment),
    title=lambda commitment: commitment.title,
    path=commitment_path,
    sources=lambda: [
        follow_targets.Source(_("Updated"), Commitment.id, Commitment.updated_at),
        follow_targets.Source(_("New progress"), Milestone.commitment_id, ProgressNote.published_at,
                              join=(ProgressNote, Milestone, Milestone.id == ProgressNote.milestone_id),
                              where=(ProgressNote.state == ReportState.published,)),
        follow_targets.Source(_("Status changed"), AuditEntry.target_id, AuditEntry.created_at,
                              where=(AuditEntry.action == STATUS_ACTION,
                                     AuditEntry.target_type == "Commitment",
                                     AuditEntry.public.is_(True))),
        follow_targets.Source(_("New comment"), Comment.commitment_id, Comment.created_at,
                              where=(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))),
    ],
))
