"""The ARCO access right: everything the platform holds about one user, as a JSON-ready dict.

Every section is one query (two where a child table is listed apart), so the number of SQL
statements does not depend on how much the user did. Other areas' models are imported inside
the functions: those areas import accounts, not the other way round.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User, UserSession
from app.extensions import db

BALLOT_NOTE = _l(
    "Ballots are secret: the platform keeps no link between an organisation and its ballot, so "
    "this export can say whether your organisation voted, never what it voted."
)
AGREEMENT_NOTE = _l(
    "Self-selection agreements name the people chosen as free text, without an account: they "
    "are listed here where your organisation took part in the agreement or you recorded it."
)


def iso(value):
    return value.isoformat() if value else None


def _rows(stmt) -> list:
    return db.session.execute(stmt).all()


def export_user_data(user: User) -> dict:
    """Everything the platform holds about a user (ARCO access right)."""
    from app.core.audit import AuditEntry

    data = {
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "pending_email": user.pending_email,
            "municipality": user.municipality,
            "role": user.role.value,
            "locale": user.locale,
            "created_at": iso(user.created_at),
            "email_confirmed_at": iso(user.email_confirmed_at),
            "last_login_at": iso(user.last_login_at),
            "blocked_until": iso(user.blocked_until),
            "blocked_reason": user.blocked_reason,
        },
        "moderator_scopes": [
            {"committee": scope.committee.name, "granted_at": iso(scope.granted_at)}
            for scope in user.moderator_scopes
        ],
        "sessions": [
            {"created_at": iso(row.created_at), "last_seen_at": iso(row.last_seen_at),
             "expires_at": iso(row.expires_at), "ended_at": iso(row.ended_at),
             "end_reason": row.end_reason, "remember": row.remember,
             "user_agent": row.user_agent, "network": row.network}
            for row in db.session.scalars(
                sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
        ],
        "activity": [
            {"action": action, "at": iso(created_at)}
            for action, created_at in _rows(
                sa.select(AuditEntry.action, AuditEntry.created_at)
                .where(AuditEntry.actor_id == user.id)
                .order_by(AuditEntry.id)
            )
        ],
    }
    data.update(_participation_data(user.id))
    data.update(_organisation_data(user.id))
    data.update(_commitment_data(user.id))
    if user.organisation is not None:
        org = user.organisation
        data["organisation"] = {
            "legal_name": org.legal_name,
            "sector": org.sector.value,
            "contact_person": org.contact_person,
            "website": org.website,
            "description": org.description,
            "verification": org.verification.value,
            "verified_at": iso(org.verified_at),
            "rejection_reason": org.rejection_reason,
        }
    return data


def _participation_data(user_id: int) -> dict:
    """What the user wrote, supported, registered for, reported and was told: one query each."""
    from app.comments.models import Comment
    from app.dialogues.models import DialogueTable, MinutesVersion, TableRegistration
    from app.moderation.models import Report
    from app.notifications.models import Notification, NotificationPreference
    from app.proposals.models import Proposal, ProposalAnswer, Support

    proposals = [
        {
            "reference": p.reference, "title": p.title, "body": p.body, "place": p.place,
            "state": p.state.value, "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at), "withdrawn_at": iso(p.withdrawn_at),
            "withdrawal_reason": p.withdrawal_reason, "hidden_at": iso(p.hidden_at),
            "hidden_reason": p.hidden_reason,
        }
        for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.author_id == user_id).order_by(Proposal.id)
        )
    ]
    # Comments on proposals and consultation comments on draft commitments alike.
    comments = [
        {
            "id": c.id, "proposal": reference, "commitment_id": c.commitment_id,
            "section": c.section, "reply_to": c.parent_id, "body": c.body,
            "created_at": iso(c.created_at), "edited_at": iso(c.edited_at),
            "deleted_at": iso(c.deleted_at), "hidden_at": iso(c.hidden_at),
            "hidden_reason": c.hidden_reason,
        }
        for c, reference in _rows(
            sa.select(Comment, Proposal.reference)
            .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
            .where(Comment.author_id == user_id)
            .order_by(Comment.id)
        )
    ]
    supports = [
        {"proposal": reference, "title": title, "created_at": iso(created_at)}
        for reference, title, created_at in _rows(
            sa.select(Proposal.reference, Proposal.title, Support.created_at)
            .join(Proposal, Proposal.id == Support.proposal_id)
            .where(Support.user_id == user_id)
            .order_by(Support.id)
        )
    ]
    proposal_answers = [
        {
            "proposal": reference, "from_state": a.from_state.value, "to_state": a.to_state.value,
            "body": a.body, "created_at": iso(a.created_at),
        }
        for a, reference in _rows(
            sa.select(ProposalAnswer, Proposal.reference)
            .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
            .where(ProposalAnswer.actor_id == user_id)
            .order_by(ProposalAnswer.id)
        )
    ]
    registrations = [
        {
            "table_id": r.table_id, "table": title, "starts_at": iso(starts_at),
            "status": r.status.value, "created_at": iso(r.created_at),
            "queued_at": iso(r.queued_at), "cancelled_at": iso(r.cancelled_at),
            "attended": r.attended,
        }
        for r, title, starts_at in _rows(
            sa.select(TableRegistration, DialogueTable.title, DialogueTable.starts_at)
            .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
            .where(TableRegistration.user_id == user_id)
            .order_by(TableRegistration.id)
        )
    ]
    minutes = [
        {
            "table_id": m.table_id, "table": title, "version": m.number, "summary": m.summary,
            "agreements": m.agreements, "correction_reason": m.correction_reason,
            "published_at": iso(m.published_at),
        }
        for m, title in _rows(
            sa.select(MinutesVersion, DialogueTable.title)
            .join(DialogueTable, DialogueTable.id == MinutesVersion.table_id)
            .where(MinutesVersion.author_id == user_id)
            .order_by(MinutesVersion.id)
        )
    ]
    reports = [
        {
            "target_type": r.target_type.value, "target_id": r.target_id,
            "reason": r.reason.value, "details": r.details, "created_at": iso(r.created_at),
            "resolution": r.resolution, "resolved_at": iso(r.resolved_at),
        }
        for r in db.session.scalars(
            sa.select(Report).where(Report.reporter_id == user_id).order_by(Report.id)
        )
    ]
    notifications = [
        {
            "kind": n.kind, "params": n.params, "url": n.url, "created_at": iso(n.created_at),
            "read_at": iso(n.read_at), "emailed_at": iso(n.emailed_at),
            "channel": n.channel.value,
        }
        for n in db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    ]
    preferences = {
        kind: channel.value
        for kind, channel in _rows(
            sa.select(NotificationPreference.kind, NotificationPreference.channel)
            .where(NotificationPreference.user_id == user_id)
            .order_by(NotificationPreference.kind)
        )
    }
    return {
        "proposals": proposals,
        "comments": comments,
        "supports": supports,
        "proposal_answers": proposal_answers,
        "table_registrations": registrations,
        "table_minutes": minutes,
        "reports": reports,
        "notifications": notifications,
        "notification_preferences": preferences,
    }


def _organisation_data(user_id: int) -> dict:
    """Applications to calls, candidacies, rolls, agreements and seats held."""
    from app.calls.models import ApplicationDocument, Call, CallApplication
    from app.elections.models import Candidate, Election, RollEntry, SelfSelectionAgreement
    from app.plans.models import Committee, CommitteeMember

    documents: dict[int, list] = {}
    for d in db.session.scalars(
        sa.select(ApplicationDocument)
        .join(CallApplication, CallApplication.id == ApplicationDocument.application_id)
        .where(CallApplication.organisation_id == user_id)
        .order_by(ApplicationDocument.id)
    ):
        # Metadata only: the files themselves are downloaded from the application's page.
        documents.setdefault(d.application_id, []).append({
            "name": d.original_name, "content_type": d.content_type, "size_bytes": d.size_bytes,
            "sha256": d.sha256, "uploaded_at": iso(d.created_at),
        })
    applications = [
        {
            "id": a.id, "call": call_title, "committee": committee_name, "status": a.status.value,
            "declarations": a.declarations, "created_at": iso(a.created_at),
            "decided_at": iso(a.decided_at), "decision_reason": a.decision_reason,
            "documents": documents.get(a.id, []),
        }
        for a, call_title, committee_name in _rows(
            sa.select(CallApplication, Call.title, Committee.name)
            .join(Call, Call.id == CallApplication.call_id)
            .join(Committee, Committee.id == CallApplication.committee_id)
            .where(CallApplication.organisation_id == user_id)
            .order_by(CallApplication.id)
        )
    ]
    candidacies = [
        {
            "election": title, "as": "candidate" if c.user_id == user_id else "nominating_organisation",
            "name": c.name, "bio": c.bio, "statement": c.statement, "state": c.state.value,
            "reason": c.reason, "nominated_at": iso(c.nominated_at),
            "answered_at": iso(c.answered_at), "decided_at": iso(c.decided_at),
        }
        for c, title in _rows(
            sa.select(Candidate, Election.title)
            .join(Election, Election.id == Candidate.election_id)
            .where(sa.or_(Candidate.user_id == user_id, Candidate.organisation_id == user_id))
            .order_by(Candidate.id)
        )
    ]
    roll = [
        {"election": title, "name": name, "voted": bool(voted)}
        for title, name, voted in _rows(
            sa.select(Election.title, RollEntry.name, RollEntry.voted)
            .join(Election, Election.id == RollEntry.election_id)
            .where(RollEntry.organisation_id == user_id)
            .order_by(RollEntry.election_id)
        )
    ]
    # Participants are stored as JSON; the query narrows to the committees the organisation
    # applied to (the only ones whose agreements can name it), the JSON is read here.
    applied = sa.select(CallApplication.committee_id).where(CallApplication.organisation_id == user_id)
    agreements = [
        {
            "election": title, "participants": [p.get("name") for p in a.participants],
            "titular": a.titular_name, "titular_organisation": a.titular_organisation,
            "suplente": a.suplente_name, "suplente_organisation": a.suplente_organisation,
            "agreed_on": iso(a.agreed_on), "recorded_by_you": a.recorded_by_id == user_id,
            "published_at": iso(a.published_at),
        }
        for a, title in _rows(
            sa.select(SelfSelectionAgreement, Election.title)
            .join(Election, Election.id == SelfSelectionAgreement.election_id)
            .where(sa.or_(Election.committee_id.in_(applied),
                          SelfSelectionAgreement.recorded_by_id == user_id))
            .order_by(SelfSelectionAgreement.id)
        )
        if a.recorded_by_id == user_id
        or any(isinstance(p, dict) and p.get("id") == user_id for p in a.participants or [])
    ]
    memberships = [
        {
            "committee": committee_name, "name": m.name, "position_title": m.position_title,
            "kind": m.kind.value, "term_start": iso(m.term_start), "term_end": iso(m.term_end),
        }
        for m, committee_name in _rows(
            sa.select(CommitteeMember, Committee.name)
            .join(Committee, Committee.id == CommitteeMember.committee_id)
            .where(CommitteeMember.user_id == user_id)
            .order_by(CommitteeMember.id)
        )
    ]
    return {
        "call_applications": applications,
        "election_candidacies": candidacies,
        "election_rolls": {"note": str(BALLOT_NOTE), "entries": roll},
        "self_selection_agreements": {"note": str(AGREEMENT_NOTE), "entries": agreements},
        "committee_memberships": memberships,
    }


def _commitment_data(user_id: int) -> dict:
    """Commitments created, versions written, consultation answers, progress notes, follows."""
    from app.comments.models import Comment
    from app.commitments.models import (
        Commitment,
        CommitmentVersion,
        ConsultationAnswer,
        Evidence,
        Follow,
        Milestone,
        ProgressNote,
    )

    created = [
        {"id": c.id, "number": c.number, "title": c.title, "state": c.state.value,
         "created_at": iso(c.created_at)}
        for c in db.session.scalars(
            sa.select(Commitment).where(Commitment.created_by_id == user_id).order_by(Commitment.id)
        )
    ]
    versions = [
        {"commitment_id": commitment_id, "commitment": title, "version": number, "reason": reason,
         "state": state.value, "created_at": iso(created_at)}
        for commitment_id, title, number, reason, state, created_at in _rows(
            sa.select(CommitmentVersion.commitment_id, Commitment.title, CommitmentVersion.number,
                      CommitmentVersion.reason, CommitmentVersion.state, CommitmentVersion.created_at)
            .join(Commitment, Commitment.id == CommitmentVersion.commitment_id)
            .where(CommitmentVersion.author_id == user_id)
            .order_by(CommitmentVersion.id)
        )
    ]
    answers = [
        {"comment_id": a.comment_id, "commitment_id": commitment_id, "outcome": a.outcome.value,
         "reason": a.reason, "answered_at": iso(a.answered_at)}
        for a, commitment_id in _rows(
            sa.select(ConsultationAnswer, Comment.commitment_id)
            .join(Comment, Comment.id == ConsultationAnswer.comment_id)
            .where(ConsultationAnswer.answered_by_id == user_id)
            .order_by(ConsultationAnswer.id)
        )
    ]
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
         "evidence": evidence.get(n.id, [])}
        for n, commitment_id, milestone in _rows(
            sa.select(ProgressNote, Milestone.commitment_id, Milestone.description)
            .join(Milestone, Milestone.id == ProgressNote.milestone_id)
            .where(ProgressNote.author_id == user_id)
            .order_by(ProgressNote.id)
        )
    ]
    follows = [
        {"commitment_id": commitment_id, "commitment": title, "since": iso(created_at)}
        for commitment_id, title, created_at in _rows(
            sa.select(Follow.commitment_id, Commitment.title, Follow.created_at)
            .join(Commitment, Commitment.id == Follow.commitment_id)
            .where(Follow.user_id == user_id)
            .order_by(Follow.id)
        )
    ]
    return {
        "commitments_created": created,
        "commitment_versions": versions,
        "consultation_answers": answers,
        "progress_notes": notes,
        "follows": follows,
    }
