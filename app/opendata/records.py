"""Data sets of the plan's record: commitments and their progress, calls, the audit log."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation, User
from app.calls import queries as call_queries
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.commitments import queries as commitment_queries
from app.commitments.models import Commitment, CommitmentVersion, ImplementationStatus, Milestone
from app.core.audit import AuditEntry
from app.opendata.participation import PLAN_ID, public_name
from app.opendata.schema import (
    Column,
    Dataset,
    Filter,
    committee_columns,
    created_column,
    enum_filter,
    eq,
    id_column,
    location_columns,
)
from app.plans.models import Committee
from app.progress.models import Evidence, ProgressNote, ReportState

COMMITMENT_ID = Column("commitment_id", "integer", _l("Number of the commitment (see the commitments dataset)."))
_TEXTS = (
    ("lead_institution", _l("Institution that leads the commitment.")),
    ("responsible_official", _l("Public official responsible.")),
    ("official_contact", _l("Institutional contact of the official responsible.")),
    ("other_actors_government", _l("Other government actors involved.")),
    ("other_actors_civil_society", _l("Civil-society, academic and other actors involved.")),
    ("problem", _l("Public problem the commitment addresses.")),
    ("baseline", _l("Situation at the start (baseline).")),
    ("causes", _l("Causes of the problem.")),
    ("status_quo", _l("What is done today about the problem.")),
    ("objective", _l("General objective.")),
    ("description", _l("What the commitment consists of.")),
    ("how_it_helps", _l("How it helps solve the problem.")),
    ("value_transparency", _l("How it advances transparency.")),
    ("value_participation", _l("How it advances citizen participation.")),
    ("value_accountability", _l("How it advances accountability.")),
    ("value_technology", _l("How it uses technology and innovation.")),
    ("budget", _l("Budget and source of funds.")),
    ("additional_info", _l("Additional information.")),
)


commitments = Dataset(
    slug="commitments",
    title=_l("Commitments"),
    description=_l("The commitments of each plan in the Open Government Partnership template, from public "
                   "consultation on. Drafts are not public until their consultation opens."),
    columns=(
        id_column(_l("commitment")),
        PLAN_ID,
        *committee_columns(),
        Column("theme_id", "integer", _l("Number of the theme."), nullable=True),
        Column("number", "integer", _l("Number of the commitment within its committee.")),
        Column("code", "string", _l("The number as the pages show it, after its committee's short "
                                    "code, e.g. MD-1: unique within the plan.")),
        Column("title", "string", _l("Title of the commitment.")),
        *(Column(name, "string", meaning) for name, meaning in _TEXTS),
        Column("starts_on", "date", _l("First day of implementation."), nullable=True),
        Column("ends_on", "date", _l("Last day of implementation."), nullable=True),
        Column("state", "string", _l("State: consultation, published or withdrawn.")),
        Column("implementation_status", "string", _l("Implementation: not_started, limited, substantial or "
                                                     "complete.")),
        Column("withdrawn_reason", "string", _l("Why it was withdrawn."), nullable=True),
        Column("place", "string", _l("Name of the place the commitment is about."), nullable=True),
        *location_columns(),
        Column("version", "integer", _l("Number of the current version of its text.")),
        Column("published_at", "datetime", _l("When it was published as a formal commitment."), nullable=True),
        Column("updated_at", "datetime", _l("When it last changed.")),
    ),
    query=lambda: sa.select(
        Commitment.id, Commitment.plan_id, Commitment.committee_id, Committee.slug.label("committee"),
        Commitment.theme_id, Commitment.number,
        (Committee.short_code + "-" + sa.cast(Commitment.number, sa.String)).label("code"),
        Commitment.title, *(getattr(Commitment, name) for name, _ in _TEXTS),
        Commitment.starts_on, Commitment.ends_on, Commitment.state, Commitment.implementation_status,
        Commitment.withdrawn_reason, Commitment.place, Commitment.latitude, Commitment.longitude,
        Commitment.version, Commitment.published_at, Commitment.updated_at,
    ).join(Committee, Committee.id == Commitment.committee_id).where(commitment_queries.visible()),
    key=(Commitment.id,),
    filters=(
        Filter("plan_id", "integer", _l("Only the commitments of this plan."), eq(Commitment.plan_id)),
        Filter("committee_id", "integer", _l("Only the commitments of this committee."),
               eq(Commitment.committee_id)),
        Filter("theme_id", "integer", _l("Only the commitments of this theme."), eq(Commitment.theme_id)),
        Filter("state", "enum", _l("Only commitments in this state."), eq(Commitment.state),
               tuple(s.value for s in commitment_queries.PUBLIC_STATES)),
        enum_filter("implementation_status", Commitment.implementation_status, ImplementationStatus,
                    _l("Only commitments with this implementation status.")),
    ),
)

milestones = Dataset(
    slug="milestones",
    title=_l("Milestones"),
    description=_l("The milestones of each public commitment, with dates, deliverables and status."),
    columns=(
        id_column(_l("milestone")),
        COMMITMENT_ID,
        Column("position", "integer", _l("Order of the milestone within its commitment.")),
        Column("description", "string", _l("What will be done.")),
        Column("responsible", "string", _l("Who is responsible.")),
        Column("starts_on", "date", _l("First day.")),
        Column("ends_on", "date", _l("Due date.")),
        Column("deliverable", "string", _l("Verifiable product or evidence expected.")),
        Column("status", "string", _l("Status: not_started, in_progress or complete.")),
        Column("completed_on", "date", _l("When it was completed."), nullable=True),
    ),
    query=lambda: sa.select(
        Milestone.id, Milestone.commitment_id, Milestone.position, Milestone.description, Milestone.responsible,
        Milestone.starts_on, Milestone.ends_on, Milestone.deliverable, Milestone.status, Milestone.completed_on,
    ).join(Commitment, Commitment.id == Milestone.commitment_id).where(commitment_queries.visible()),
    key=(Milestone.id,),
    filters=(Filter("commitment_id", "integer", _l("Only the milestones of this commitment."),
                    eq(Milestone.commitment_id)),),
)

versions = Dataset(
    slug="commitment-versions",
    title=_l("Versions of commitments"),
    description=_l("Every saved version of the text of each public commitment, with the reason for the change."),
    columns=(
        id_column(_l("version")),
        COMMITMENT_ID,
        Column("number", "integer", _l("Version number.")),
        Column("state", "string", _l("State of the commitment when this version was saved.")),
        Column("reason", "string", _l("Why the text changed.")),
        Column("snapshot", "json", _l("The whole text of the commitment in this version, field by field.")),
        created_column(),
    ),
    query=lambda: sa.select(
        CommitmentVersion.id, CommitmentVersion.commitment_id, CommitmentVersion.number, CommitmentVersion.state,
        CommitmentVersion.reason, CommitmentVersion.snapshot, CommitmentVersion.created_at,
    ).join(Commitment, Commitment.id == CommitmentVersion.commitment_id).where(commitment_queries.visible()),
    key=(CommitmentVersion.id,),
    filters=(Filter("commitment_id", "integer", _l("Only the versions of this commitment."),
                    eq(CommitmentVersion.commitment_id)),),
)


def _progress():
    author = aliased(User)
    evidence = (sa.select(sa.func.count(Evidence.id)).where(Evidence.note_id == ProgressNote.id)
                .correlate(ProgressNote).scalar_subquery())
    return (
        sa.select(
            ProgressNote.id, Milestone.commitment_id, ProgressNote.milestone_id, ProgressNote.status,
            ProgressNote.note, ProgressNote.noted_on, public_name(author).label("author"),
            evidence.label("evidence_count"), ProgressNote.created_at,
        )
        .join(Milestone, Milestone.id == ProgressNote.milestone_id)
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .outerjoin(author, author.id == ProgressNote.author_id)
        .where(commitment_queries.visible(), ProgressNote.state == ReportState.published)
    )


progress = Dataset(
    slug="progress-notes",
    title=_l("Progress reports"),
    description=_l("What the responsible teams reported about each milestone, with the number of pieces of "
                   "evidence (their files and links are on the commitment's page)."),
    columns=(
        id_column(_l("report")),
        COMMITMENT_ID,
        Column("milestone_id", "integer", _l("Number of the milestone reported on.")),
        Column("status", "string", _l("Status of the milestone reported: not_started, in_progress or complete.")),
        Column("note", "string", _l("What was reported (Markdown).")),
        Column("noted_on", "date", _l("Date the report refers to.")),
        Column("author", "string", _l("Who reported it."), nullable=True),
        Column("evidence_count", "integer", _l("Number of files and links given as evidence.")),
        created_column(),
    ),
    query=_progress,
    key=(ProgressNote.id,),
    filters=(
        Filter("commitment_id", "integer", _l("Only the reports on this commitment."), eq(Milestone.commitment_id)),
        Filter("milestone_id", "integer", _l("Only the reports on this milestone."), eq(ProgressNote.milestone_id)),
    ),
)

calls = Dataset(
    slug="calls",
    title=_l("Calls"),
    description=_l("The public calls for organisations to take part in the coordinating committees."),
    columns=(
        id_column(_l("call")),
        PLAN_ID,
        Column("title", "string", _l("Title of the call.")),
        Column("body", "string", _l("Text of the call (Markdown).")),
        Column("requirements", "string", _l("Requirements for organisations (Markdown).")),
        Column("declarations", "json", _l("Statements an organisation accepts when it applies.")),
        Column("opens_at", "datetime", _l("When applications open.")),
        Column("closes_at", "datetime", _l("When applications close.")),
        Column("published_at", "datetime", _l("When the call was published.")),
    ),
    query=lambda: sa.select(
        Call.id, Call.plan_id, Call.title, Call.body, Call.requirements, Call.declarations, Call.opens_at,
        Call.closes_at, Call.published_at,
    ).where(call_queries.visible()),
    key=(Call.id,),
)


def _call_organisations():
    org = aliased(User)
    return (
        sa.select(
            CallApplication.id, CallApplication.call_id, CallApplication.committee_id,
            Committee.slug.label("committee"), CallApplication.organisation_id,
            sa.case((org.deleted_at.is_(None), Organisation.legal_name), else_=org.name).label("organisation"),
            Organisation.sector, CallApplication.decided_at,
        )
        .join(Call, Call.id == CallApplication.call_id)
        .join(Committee, Committee.id == CallApplication.committee_id)
        .join(org, org.id == CallApplication.organisation_id)
        .outerjoin(Organisation, Organisation.user_id == org.id)
        .where(call_queries.visible(), CallApplication.status == ApplicationStatus.approved)
    )


call_organisations = Dataset(
    slug="call-organisations",
    title=_l("Organisations taking part"),
    description=_l("Organisations whose application to a call was approved, by committee: the registry of "
                   "participants. Applications pending or turned down are not published."),
    columns=(
        id_column(_l("application")),
        Column("call_id", "integer", _l("Number of the call.")),
        *committee_columns(),
        Column("organisation_id", "integer", _l("Number of the organisation's public profile.")),
        Column("organisation", "string", _l("Name of the organisation.")),
        Column("sector", "string", _l("Sector: civil_society, academia, union, trust, political_party or "
                                      "autonomous_body."), nullable=True),
        Column("decided_at", "datetime", _l("When the application was approved."), nullable=True),
    ),
    query=_call_organisations,
    key=(CallApplication.id,),
    filters=(
        Filter("call_id", "integer", _l("Only the organisations of this call."), eq(CallApplication.call_id)),
        Filter("committee_id", "integer", _l("Only the organisations of this committee."),
               eq(CallApplication.committee_id)),
    ),
)

def _audit():
    actor = aliased(User)
    return (
        sa.select(
            AuditEntry.id, AuditEntry.created_at, AuditEntry.action, public_name(actor).label("actor"),
            actor.role.label("actor_role"), AuditEntry.target_type, AuditEntry.target_id,
            AuditEntry.committee_id, AuditEntry.reason,
        )
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .where(AuditEntry.public.is_(True))
    )


audit_log = Dataset(
    slug="audit-log",
    title=_l("Public audit log"),
    description=_l("The public record of what facilitators and the guarantor body did on the platform: "
                   "answers, moderation, publications, elections. Private entries (such as logins) are not "
                   "published."),
    columns=(
        id_column(_l("entry")),
        created_column(),
        Column("action", "string", _l("What was done (e.g. proposal.answered, comment.hidden).")),
        Column("actor", "string", _l("Who did it; empty for the platform itself or a deleted account."),
               nullable=True),
        Column("actor_role", "string", _l("Role of who did it: citizen, organisation, moderator or admin."),
               nullable=True),
        Column("target_type", "string", _l("Kind of thing it was done to."), nullable=True),
        Column("target_id", "integer", _l("Number of the thing it was done to."), nullable=True),
        Column("committee_id", "integer", _l("Number of the committee concerned."), nullable=True),
        Column("reason", "string", _l("Reason given."), nullable=True),
    ),
    query=_audit,
    key=(AuditEntry.id,),
    filters=(
        Filter("committee_id", "integer", _l("Only the entries of this committee."), eq(AuditEntry.committee_id)),
        Filter("action", "string", _l("Only entries of this action."), eq(AuditEntry.action)),
    ),
)

DATASETS = (commitments, milestones, versions, progress, calls, call_organisations, audit_log)
