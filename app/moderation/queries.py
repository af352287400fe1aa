"""Reads of moderation: the queues of committees, and the public log of facilitators' acts.

Both pages issue a fixed number of SQL statements, whatever the number of items or entries.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.extensions import db
from app.moderation import content
from app.moderation.models import REPORT_REASON_LABELS, Report, ReportReason, ReportTarget
from app.plans.models import Committee

HIDDEN_LIST_LIMIT = 50
LOG_PER_PAGE = 30


# --- Queues --------------------------------------------------------------------------------------


def _waiting(model):
    """Reported, or hidden automatically and not yet reviewed."""
    return sa.or_(
        model.open_reports > 0,
        sa.and_(model.hidden_at.is_not(None), model.hidden_by_id.is_(None)),
    )


def _hidden_by_moderator(model):
    return sa.and_(model.hidden_at.is_not(None), model.hidden_by_id.is_not(None))


def queue_committees(actor) -> list[tuple[Committee, int]]:
    """The committees whose queue the actor may see, each with the number of items waiting."""
    stmt = sa.select(Committee).options(joinedload(Committee.plan)).order_by(
        Committee.plan_id, Committee.position, Committee.name
    )
    if not actor.is_admin:
        stmt = stmt.where(Committee.id.in_(actor.committee_ids or {-1}))
    committees = db.session.scalars(stmt).all()
    waiting: dict[int, int] = {}
    for model in (kind.model for kind in content.kinds()):
        rows = db.session.execute(
            sa.select(model.committee_id, sa.func.count(model.id))
            .where(_waiting(model), model.committee_id.in_([c.id for c in committees] or [-1]))
            .group_by(model.committee_id)
        ).all()
        for committee_id, count in rows:
            waiting[committee_id] = waiting.get(committee_id, 0) + count
    return [(c, waiting.get(c.id, 0)) for c in committees]


@dataclass
class QueueItem:
    kind: str  # a ReportTarget value: "proposal", "comment"
    item: object
    reports: list = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.item.id)

    @property
    def url(self) -> str:
        return content.by_kind(self.kind).url(self.item)

    @property
    def label(self) -> str:
        return content.by_kind(self.kind).queue_label(self.item)

    @property
    def auto_hidden(self) -> bool:
        return self.item.is_hidden and self.item.hidden_by_id is None


def committee_queue(committee: Committee) -> dict[str, list[QueueItem]]:
    """{"waiting": [...], "hidden": [...]} for one committee, with open reports and authors."""
    items: dict[str, list[QueueItem]] = {"waiting": [], "hidden": []}
    for kind in content.kinds():
        model = kind.model
        options = [joinedload(model.author), *kind.load()]
        waiting = db.session.scalars(
            sa.select(model)
            .where(model.committee_id == committee.id, _waiting(model))
            .order_by(model.open_reports.desc(), model.id)
            .options(*options)
        ).unique().all()
        hidden = db.session.scalars(
            sa.select(model)
            .where(model.committee_id == committee.id, _hidden_by_moderator(model),
                   model.open_reports == 0)
            .order_by(model.hidden_at.desc())
            .limit(HIDDEN_LIST_LIMIT)
            .options(*options)
        ).unique().all()
        items["waiting"] += [QueueItem(kind.kind, i) for i in waiting]
        items["hidden"] += [QueueItem(kind.kind, i) for i in hidden]
    by_key = {qi.key: qi for qi in items["waiting"]}
    if by_key:
        reports = db.session.scalars(
            sa.select(Report)
            .where(Report.committee_id == committee.id, Report.resolved_at.is_(None))
            .order_by(Report.created_at)
            .options(joinedload(Report.reporter))
        ).unique().all()
        for report in reports:
            queue_item = by_key.get((report.target_type.value, report.target_id))
            if queue_item is not None:
                queue_item.reports.append(report)
    return items


def item_url(item) -> str:
    return content.kind_of(item).url(item)


def report_reason_label(reason) -> str:
    try:
        return str(REPORT_REASON_LABELS[ReportReason(reason)])
    except ValueError:
        return str(reason)


# --- The public log ------------------------------------------------------------------------------

# Every action written with public=True by any area, in words; unknown ones fall back to a label
# made from the name, so a new action never breaks the page.
ACTION_LABELS = {
    "content.hidden": _l("Hid content"),
    "content.auto_hidden": _l("Content hidden automatically, pending review"),
    "content.restored": _l("Restored hidden content"),
    "reports.dismissed": _l("Dismissed reports"),
    "account.blocked": _l("Blocked an account"),
    "report.created": _l("Reported content"),
    "comment.deleted": _l("Deleted own comment"),
    "proposal.created": _l("Submitted a proposal"),
    "proposal.edited": _l("Edited a proposal"),
    "proposal.withdrawn": _l("Withdrew a proposal"),
    "proposal.state_changed": _l("Changed the state of a proposal"),
    "proposal.answered": _l("Answered a proposal"),
    "proposal.merged": _l("Merged a proposal into another"),
    "dialogues.create": _l("Created a dialogue table"),
    "dialogues.edit": _l("Changed a dialogue table"),
    "dialogues.cancel": _l("Cancelled a dialogue table"),
    "dialogues.agenda": _l("Changed the agenda of a dialogue table"),
    "dialogues.attendance": _l("Recorded the attendance of a dialogue table"),
    "dialogues.minutes": _l("Published the minutes of a dialogue table"),
    "dialogues.minutes_correct": _l("Corrected the minutes of a dialogue table"),
    "moderator.granted": _l("Named a facilitator"),
    "moderator.revoked": _l("Revoked a facilitator"),
    "organisation.verified": _l("Verified an organisation"),
    "organisation.rejected": _l("Rejected an organisation"),
    "admin.created": _l("Created an administrator"),
    "user.role_changed": _l("Changed the role of an account"),
    "user.access_blocked": _l("Blocked an account from logging in"),
    "user.access_unblocked": _l("Unblocked an account"),
    "account.confirmation_resent": _l("Sent a confirmation link again"),
    "account.registered": _l("Registered an account"),
    "account.confirmed": _l("Confirmed an email address"),
    "account.login": _l("Logged in"),
    "account.locked": _l("Account locked after failed logins"),
    "account.reset_requested": _l("Asked to reset a password"),
    "account.password_reset": _l("Reset a password"),
    "account.password_changed": _l("Changed a password"),
    "account.profile_updated": _l("Updated a profile"),
    "account.email_change_requested": _l("Asked to change an email address"),
    "account.email_changed": _l("Changed an email address"),
    "account.deleted": _l("Deleted an account"),
    "plan.created": _l("Created an action plan"),
    "plan.updated": _l("Changed an action plan"),
    "plan.published": _l("Published an action plan"),
    "plan.made_current": _l("Made an action plan the current one"),
    "phase.added": _l("Added a phase to the plan"),
    "phase.updated": _l("Changed a phase of the plan"),
    "phase.removed": _l("Removed a phase of the plan"),
    "committee.created": _l("Created a committee"),
    "committee.updated": _l("Changed a committee"),
    "committee_member.added": _l("Added a member to a committee"),
    "committee_member.term_ended": _l("Ended the term of a committee member"),
    "committee_member.corrected": _l("Corrected the details of a committee member"),
    "theme.created": _l("Created a theme"),
    "theme.updated": _l("Changed a theme"),
    "calls.publish": _l("Published a call"),
    "calls.update": _l("Changed a call"),
    "calls.extend": _l("Extended the registration of a call"),
    "calls.decide": _l("Decided an application to a call"),
    "election.created": _l("Created an election"),
    "election.edited": _l("Edited an election before its windows opened"),
    "election.nominations_opened": _l("Opened the nominations of an election"),
    "election.candidate_validated": _l("Validated a candidacy"),
    "election.candidate_rejected": _l("Rejected a candidacy"),
    "election.voting_opened": _l("Opened the voting of an election (roll frozen and published)"),
    "election.closed": _l("Closed the voting of an election"),
    "election.result_published": _l("Published the result of an election"),
    "election.agreement_recorded": _l("Recorded a self-selection agreement"),
    "election.agreement_published": _l("Published a self-selection agreement"),
    "commitment.drafted": _l("Drafted a commitment"),
    "commitment.edited": _l("Edited a commitment"),
    "commitment.published": _l("Published a formal commitment"),
    "commitment.withdrawn": _l("Withdrew a commitment"),
    "consultation.opened": _l("Opened a public consultation"),
    "consultation.closed_early": _l("Closed a public consultation early"),
    "consultation.answered": _l("Answered a consultation comment"),
    "consultation.answer_changed": _l("Changed the answer to a consultation comment"),
    "progress.report": _l("Reported progress on a milestone"),
    "progress.set_status": _l("Set the implementation status of a commitment"),
    "documents.publish": _l("Published a document"),
    "documents.add_version": _l("Published a new version of a document"),
    "declarations.record": _l("Recorded the declaration"),
    "declarations.add_signatory": _l("Added a signatory to the declaration"),
    "announcements.publish": _l("Published an announcement"),
    "announcements.unpublish": _l("Withdrew an announcement"),
    "progress.official_appointed": _l("Named a responsible official of a commitment"),
    "progress.official_ended": _l("Ended the appointment of a responsible official"),
    "progress.confirmed": _l("Confirmed a progress report"),
    "progress.disputed": _l("Disputed a progress report"),
    "progress.dispute_answered": _l("Answered a dispute of a progress report"),
    "meetings.session_recorded": _l("Recorded a session of a committee"),
    "meetings.agreement_added": _l("Added an agreement of a committee session"),
    "meetings.agreement_done": _l("Marked an agreement done"),
    "meetings.minutes_published": _l("Published the minutes of a committee session"),
    "evaluation.opinion": _l("Gave an opinion on a commitment at the end of its term"),
    "evaluation.assessment": _l("Recorded the self-assessment of a commitment"),
}

# A committee member's correction: each field that changed, before and after (plans' correct_member).
MEMBER_FIELD_LABELS = {
    "name": _l("Full name"), "position_title": _l("Position"), "institution": _l("Institution"),
    "term_start": _l("Term starts on"), "term_end": _l("Term ended on"),
}


def _member_corrections(data: dict) -> str | None:
    changes = data.get("changes") or {}
    words = [f"{MEMBER_FIELD_LABELS.get(name, name)}: «{before or '—'}» → «{after or '—'}»"
             for name, (before, after) in changes.items()]
    return "; ".join(words) or None


content.describe_action("committee_member.corrected", _member_corrections)

TARGET_TYPE_LABELS = {
    "Proposal": _l("Proposal"),
    "Comment": _l("Comment"),
    "User": _l("Account"),
    "DialogueTable": _l("Dialogue table"),
    "Commitment": _l("Commitment"),
    "ActionPlan": _l("Action plan"),
    "Phase": _l("Phase"),
    "Committee": _l("Committee"),
    "CommitteeMember": _l("Committee member"),
    "Theme": _l("Theme"),
    "Call": _l("Call"),
    "CallApplication": _l("Application"),
    "Election": _l("Election"),
    "Consultation": _l("Public consultation"),
    "ProgressNote": _l("Progress note"),
    "Document": _l("Document"),
    "Declaration": _l("Declaration"),
    "Announcement": _l("Announcement"),
    "CommitmentOfficial": _l("Responsible official"),
    "ReportReview": _l("Verdict on a progress report"),
    "CommitteeSession": _l("Committee session"),
    "SessionAgreement": _l("Agreement of a committee session"),
    "Opinion": _l("Opinion on a commitment"),
    "Assessment": _l("Self-assessment of a commitment"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    return action.replace(".", ": ").replace("_", " ").capitalize()


@dataclass
class LogRow:
    entry: AuditEntry
    action: str
    actor_name: str
    actor_role: str
    target_label: str
    target_url: str | None
    committee_name: str | None
    reason: str | None = None
    detail: str | None = None


def _load(model, ids, *options) -> dict:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))
    return {row.id: row for row in rows.unique()}


def _try_url(endpoint: str, values: dict) -> str | None:
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return None


def _describe_target(entry, items: dict, users) -> tuple[str, str | None]:
    """How the log names the target of an entry, and where it links (None: nowhere)."""
    type_name, target_id = entry.target_type, entry.target_id
    if type_name is None:
        return "", None
    kind = content.by_type_name(type_name)
    item = items.get((type_name, target_id)) if kind is not None else None
    if item is not None:
        label = kind.log_label(item)
        if label is not None:
            return label, kind.url(item)
    if type_name == "User" and target_id in users:
        return users[target_id].display_name, None
    type_label = str(TARGET_TYPE_LABELS.get(type_name, type_name))
    url = _try_url("dialogues.show", {"table_id": target_id}) if type_name == "DialogueTable" else None
    return f"{type_label} #{target_id}", url


def audit_log(committees: dict[int, Committee], page: int = 1, committee_id: int | None = None,
              include_private: bool = False, per_page: int = LOG_PER_PAGE):
    """(pagination, rows): the public log, newest first; private entries only when asked (admins).

    `committees` maps ids to the committees already loaded for the page's filter.
    """
    stmt = sa.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if not include_private:
        stmt = stmt.where(AuditEntry.public.is_(True))
    if committee_id:
        stmt = stmt.where(AuditEntry.committee_id == committee_id)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    entries = pagination.items

    def ids(kind):
        return {e.target_id for e in entries if e.target_type == kind and e.target_id is not None}

    items = {}
    for kind in content.kinds():
        name = kind.model.__name__
        for item_id, item in _load(kind.model, ids(name), *kind.load()).items():
            items[(name, item_id)] = item
    users = _load(User, ids("User"))

    rows = []
    for entry in entries:
        actor = entry.actor
        target_label, target_url = _describe_target(entry, items, users)
        committee = committees.get(entry.committee_id)
        rows.append(
            LogRow(
                entry=entry,
                action=action_label(entry.action),
                actor_name=actor.display_name if actor is not None else _("The platform"),
                actor_role=actor.role_label if actor is not None else _("Automatic"),
                target_label=target_label,
                target_url=target_url,
                committee_name=committee.name if committee is not None else None,
                reason=(report_reason_label(entry.reason) if entry.action == "report.created"
                        else entry.reason),
                detail=content.action_detail(entry.action, entry.data or {}),
            )
        )
    return pagination, rows


def all_committees() -> list[Committee]:
    return db.session.scalars(
        sa.select(Committee).options(joinedload(Committee.plan)).order_by(
            Committee.plan_id, Committee.position, Committee.name
        )
    ).unique().all()


REPORT_TARGETS = [t.value for t in ReportTarget]
