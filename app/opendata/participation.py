"""Data sets of the plan and of participation: plans, committees, themes, proposals, comments, tables."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.comments import queries as comment_queries
from app.comments.models import Comment
from app.commitments import queries as commitment_queries
from app.commitments.models import Commitment
from app.dialogues.models import DialogueTable, MinutesVersion, TableState
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
from app.plans.models import ActionPlan, Committee, CommitteeMember, MemberKind, Theme
from app.proposals import queries as proposal_queries
from app.proposals.models import Proposal, ProposalAnswer, ProposalState


def public_name(user_table):
    """A person's name as public data shows it: none once the account is deleted."""
    return sa.case((user_table.deleted_at.is_(None), user_table.name), else_=None)


def public_author_id(user_table):
    return sa.case((user_table.deleted_at.is_(None), user_table.id), else_=None)


def _author_columns(who) -> tuple[Column, Column]:
    return (
        Column("author_id", "integer", _l("Number of the %(who)s's public profile; empty once the account "
                                          "was deleted.", who=who), nullable=True),
        Column("author", "string", _l("Name of the %(who)s; empty once the account was deleted.", who=who),
               nullable=True),
    )


PLAN_ID = Column("plan_id", "integer", _l("Number of the action plan (see the plans dataset)."))

plans = Dataset(
    slug="plans",
    title=_l("Action plans"),
    description=_l("The Local Action Plans of Open Government on the platform."),
    columns=(
        id_column(_l("plan")),
        Column("slug", "string", _l("Short name of the plan, used in addresses.")),
        Column("name", "string", _l("Name of the plan.")),
        Column("period", "string", _l("Years the plan covers.")),
        Column("description", "string", _l("Description of the plan (Markdown).")),
        Column("is_current", "boolean", _l("Whether this is the plan in progress.")),
        created_column(),
    ),
    query=lambda: sa.select(
        ActionPlan.id, ActionPlan.slug, ActionPlan.name, ActionPlan.period, ActionPlan.description,
        ActionPlan.is_current, ActionPlan.created_at,
    ),
    key=(ActionPlan.id,),
)

committees = Dataset(
    slug="committees",
    title=_l("Coordinating committees"),
    description=_l("The coordinating committees of each plan and the territory each one covers."),
    columns=(
        id_column(_l("committee")),
        PLAN_ID,
        Column("slug", "string", _l("Short name of the committee, used in addresses.")),
        Column("name", "string", _l("Name of the committee.")),
        Column("scope", "string", _l("Territory or institution the committee covers.")),
        Column("description", "string", _l("Description of the committee (Markdown).")),
    ),
    query=lambda: sa.select(
        Committee.id, Committee.plan_id, Committee.slug, Committee.name, Committee.scope, Committee.description,
    ),
    key=(Committee.id,),
    filters=(Filter("plan_id", "integer", _l("Only the committees of this plan."), eq(Committee.plan_id)),),
)

members = Dataset(
    slug="committee-members",
    title=_l("Committee members"),
    description=_l("Who sits on each coordinating committee, past members included (their term has an end)."),
    columns=(
        id_column(_l("seat")),
        *committee_columns(),
        Column("name", "string", _l("Name of the member.")),
        Column("position_title", "string", _l("Position or organisation of the member.")),
        Column("kind", "string", _l("Seat: government, cs_titular (civil-society representative), "
                                    "cs_suplente (alternate) or facilitator.")),
        Column("term_start", "date", _l("First day of the term."), nullable=True),
        Column("term_end", "date", _l("Last day of the term; empty while in office."), nullable=True),
    ),
    query=lambda: sa.select(
        CommitteeMember.id, CommitteeMember.committee_id, Committee.slug.label("committee"),
        CommitteeMember.name, CommitteeMember.position_title, CommitteeMember.kind,
        CommitteeMember.term_start, CommitteeMember.term_end,
    ).join(Committee, Committee.id == CommitteeMember.committee_id),
    key=(CommitteeMember.id,),
    filters=(
        Filter("committee_id", "integer", _l("Only the members of this committee."),
               eq(CommitteeMember.committee_id)),
        enum_filter("kind", CommitteeMember.kind, MemberKind, _l("Only seats of this kind.")),
    ),
)

themes = Dataset(
    slug="themes",
    title=_l("Themes"),
    description=_l("The themes that proposals, tables and commitments are classified under."),
    columns=(
        id_column(_l("theme")),
        PLAN_ID,
        Column("slug", "string", _l("Short name of the theme.")),
        Column("name", "string", _l("Name of the theme.")),
        Column("description", "string", _l("Description of the theme.")),
    ),
    query=lambda: sa.select(Theme.id, Theme.plan_id, Theme.slug, Theme.name, Theme.description),
    key=(Theme.id,),
    filters=(Filter("plan_id", "integer", _l("Only the themes of this plan."), eq(Theme.plan_id)),),
)


def _proposals():
    author = aliased(User)
    merged = aliased(Proposal)
    # Looked up only for the few merged proposals (an index probe each), not joined: a join hashes
    # every proposal of the plan a second time.
    merged_into = sa.case(
        (Proposal.merged_into_id.is_not(None),
         sa.select(merged.reference).where(merged.id == Proposal.merged_into_id).scalar_subquery()),
        else_=sa.null())
    return (
        sa.select(
            Proposal.id, Proposal.reference, Proposal.plan_id, Proposal.committee_id,
            Committee.slug.label("committee"), Proposal.theme_id, Proposal.title, Proposal.body,
            Proposal.place, Proposal.municipality, Proposal.latitude, Proposal.longitude, Proposal.state,
            public_author_id(author).label("author_id"), public_name(author).label("author"),
            Proposal.support_count, Proposal.comment_count, merged_into.label("merged_into"),
            Proposal.withdrawal_reason, Proposal.created_at, Proposal.updated_at, Proposal.withdrawn_at,
        )
        .join(Committee, Committee.id == Proposal.committee_id)
        .join(author, author.id == Proposal.author_id)
        .where(proposal_queries.visible())
    )


proposals = Dataset(
    slug="proposals",
    title=_l("Proposals"),
    description=_l("Public problems and proposals sent by citizens and organisations, with their state and "
                   "counts of supports and comments. Proposals hidden by moderation are left out."),
    columns=(
        id_column(_l("proposal")),
        Column("reference", "string", _l("Public reference of the proposal, as on its page (e.g. ABC-2026-0001).")),
        PLAN_ID,
        *committee_columns(),
        Column("theme_id", "integer", _l("Number of the theme (see the themes dataset)."), nullable=True),
        Column("title", "string", _l("Title of the proposal.")),
        Column("body", "string", _l("Text of the proposal (Markdown).")),
        Column("place", "string", _l("Place the proposal is about, as written by its author."), nullable=True),
        Column("municipality", "string", _l("Municipality the proposal is about."), nullable=True),
        *location_columns(),
        Column("state", "string", _l("State: submitted, under_review, in_dialogue, accepted, not_accepted, "
                                     "merged or withdrawn.")),
        *_author_columns(_l("author")),
        Column("support_count", "integer", _l("Number of supports.")),
        Column("comment_count", "integer", _l("Number of comments.")),
        Column("merged_into", "string", _l("Reference of the proposal this one was merged into."), nullable=True),
        Column("withdrawal_reason", "string", _l("Reason given for the withdrawal."), nullable=True),
        created_column(),
        Column("updated_at", "datetime", _l("When it last changed.")),
        Column("withdrawn_at", "datetime", _l("When it was withdrawn."), nullable=True),
    ),
    query=_proposals,
    key=(Proposal.id,),
    lookup="reference",
    filters=(
        Filter("plan_id", "integer", _l("Only the proposals of this plan."), eq(Proposal.plan_id)),
        Filter("committee_id", "integer", _l("Only the proposals of this committee."), eq(Proposal.committee_id)),
        Filter("theme_id", "integer", _l("Only the proposals of this theme."), eq(Proposal.theme_id)),
        enum_filter("state", Proposal.state, ProposalState, _l("Only proposals in this state.")),
        Filter("municipality", "string", _l("Only the proposals about this municipality."),
               eq(Proposal.municipality)),
        Filter("q", "string", _l("Words to look for in the title and text (accents and case ignored)."),
               proposal_queries.matching),
    ),
)


def _answers():
    actor = aliased(User)
    return (
        sa.select(
            ProposalAnswer.id, Proposal.reference.label("proposal"), ProposalAnswer.from_state,
            ProposalAnswer.to_state, ProposalAnswer.body, public_name(actor).label("answered_by"),
            ProposalAnswer.created_at,
        )
        .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
        .outerjoin(actor, actor.id == ProposalAnswer.actor_id)
        .where(proposal_queries.visible())
    )


answers = Dataset(
    slug="proposal-answers",
    title=_l("Answers to proposals"),
    description=_l("The reasoned, public answers that facilitators give with each change of a proposal's state."),
    columns=(
        id_column(_l("answer")),
        Column("proposal", "string", _l("Reference of the proposal answered.")),
        Column("from_state", "string", _l("State of the proposal before the answer.")),
        Column("to_state", "string", _l("State of the proposal after the answer.")),
        Column("body", "string", _l("Text of the answer (Markdown).")),
        Column("answered_by", "string", _l("Name of the facilitator who answered."), nullable=True),
        created_column(),
    ),
    query=_answers,
    key=(ProposalAnswer.id,),
    filters=(Filter("proposal", "string", _l("Only the answers to this proposal (its reference)."),
                    lambda stmt, value: stmt.where(Proposal.reference == value.strip().upper())),),
)


def _comments():
    author = aliased(User)
    return (
        sa.select(
            Comment.id, Proposal.reference.label("proposal"), Comment.commitment_id, Comment.section,
            Comment.parent_id, Comment.committee_id, public_author_id(author).label("author_id"),
            public_name(author).label("author"), Comment.body, Comment.created_at, Comment.edited_at,
        )
        .join(author, author.id == Comment.author_id)
        .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
        .outerjoin(Commitment, Commitment.id == Comment.commitment_id)
        .where(
            comment_queries.public(),
            sa.or_(
                sa.and_(Comment.proposal_id.is_not(None), proposal_queries.visible()),
                sa.and_(Comment.commitment_id.is_not(None), commitment_queries.visible()),
            ),
        )
    )


comments = Dataset(
    slug="comments",
    title=_l("Comments"),
    description=_l("Public comments on proposals and on draft commitments in consultation. Comments hidden by "
                   "moderation or deleted by their authors are left out."),
    columns=(
        id_column(_l("comment")),
        Column("proposal", "string", _l("Reference of the proposal commented on."), nullable=True),
        Column("commitment_id", "integer", _l("Number of the commitment commented on in its consultation."),
               nullable=True),
        Column("section", "string", _l("Section of the commitment the comment is about."), nullable=True),
        Column("parent_id", "integer", _l("Number of the comment this one replies to."), nullable=True),
        Column("committee_id", "integer", _l("Number of the coordinating committee."), nullable=True),
        *_author_columns(_l("author")),
        Column("body", "string", _l("Text of the comment.")),
        created_column(),
        Column("edited_at", "datetime", _l("When its author last edited it."), nullable=True),
    ),
    query=_comments,
    key=(Comment.id,),
    filters=(
        Filter("proposal", "string", _l("Only the comments on this proposal (its reference)."),
               lambda stmt, value: stmt.where(Proposal.reference == value.strip().upper())),
        Filter("commitment_id", "integer", _l("Only the comments on this commitment."),
               eq(Comment.commitment_id)),
        Filter("committee_id", "integer", _l("Only the comments in this committee."), eq(Comment.committee_id)),
    ),
)


def _tables():
    return sa.select(
        DialogueTable.id, DialogueTable.committee_id, Committee.slug.label("committee"), DialogueTable.theme_id,
        DialogueTable.title, DialogueTable.objective, DialogueTable.starts_at, DialogueTable.ends_at,
        DialogueTable.place, DialogueTable.capacity, DialogueTable.confirmed_count, DialogueTable.state,
        DialogueTable.cancellation_reason, DialogueTable.created_at,
    ).join(Committee, Committee.id == DialogueTable.committee_id)


tables = Dataset(
    slug="dialogue-tables",
    title=_l("Dialogue tables"),
    description=_l("Dialogue tables held or called by the committees. The link to join online is given to "
                   "registered people only and is not published."),
    columns=(
        id_column(_l("table")),
        *committee_columns(),
        Column("theme_id", "integer", _l("Number of the theme."), nullable=True),
        Column("title", "string", _l("Title of the table.")),
        Column("objective", "string", _l("What the table is meant to achieve (Markdown).")),
        Column("starts_at", "datetime", _l("When it starts (UTC).")),
        Column("ends_at", "datetime", _l("When it ends (UTC)."), nullable=True),
        Column("place", "string", _l("Where it is held."), nullable=True),
        Column("capacity", "integer", _l("Seats available.")),
        Column("confirmed_count", "integer", _l("People with a confirmed seat.")),
        Column("state", "string", _l("State: scheduled, cancelled or minutes_published.")),
        Column("cancellation_reason", "string", _l("Why it was cancelled."), nullable=True),
        created_column(),
    ),
    query=_tables,
    key=(DialogueTable.id,),
    filters=(
        Filter("committee_id", "integer", _l("Only the tables of this committee."),
               eq(DialogueTable.committee_id)),
        enum_filter("state", DialogueTable.state, TableState, _l("Only tables in this state.")),
    ),
)

minutes = Dataset(
    slug="minutes",
    title=_l("Minutes of dialogue tables"),
    description=_l("Every published version of the minutes of each table; a correction is a new version with "
                   "its reason."),
    columns=(
        id_column(_l("version of the minutes")),
        Column("table_id", "integer", _l("Number of the dialogue table.")),
        Column("number", "integer", _l("Version number (1 is the first publication).")),
        Column("summary", "string", _l("Summary of the discussion (Markdown).")),
        Column("agreements", "string", _l("Agreements reached (Markdown).")),
        Column("outcomes", "json", _l("Outcome written for each proposal on the agenda: an object from the "
                                   "proposal's number to the text.")),
        Column("attendance_count", "integer", _l("Number of people who attended.")),
        Column("correction_reason", "string", _l("Why this version corrects the previous one."), nullable=True),
        Column("published_at", "datetime", _l("When this version was published.")),
    ),
    query=lambda: sa.select(
        MinutesVersion.id, MinutesVersion.table_id, MinutesVersion.number, MinutesVersion.summary,
        MinutesVersion.agreements, MinutesVersion.outcomes, MinutesVersion.attendance_count,
        MinutesVersion.correction_reason, MinutesVersion.published_at,
    ),
    key=(MinutesVersion.id,),
    filters=(Filter("table_id", "integer", _l("Only the minutes of this table."), eq(MinutesVersion.table_id)),),
)

DATASETS = (plans, committees, members, themes, proposals, answers, comments, tables, minutes)
