"""Reads of commitments shared by pages and the API; only public ones by default.

Each read eager-loads what its page shows, so a page's statement count does not grow with
milestones, versions or sources.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, load_only

from app.commitments import registry
from app.commitments.models import (
    Commitment,
    CommitmentProposal,
    CommitmentState,
    CommitmentTable,
    CommitmentVersion,
)
from app.core import read_along
from app.core.fragments import fingerprint, row_values, total, total_length
from app.core.pagination import Page
from app.extensions import db

if TYPE_CHECKING:
    from app.dialogues.models import DialogueTable
    from app.plans.models import ActionPlan, Committee
    from app.proposals.models import Proposal

# Models of other areas are imported inside the functions: this module is imported by the
# plans and proposals packages while they load, and importing theirs here would be a cycle.

# The states the public list can filter on (drafts are never public).
PUBLIC_STATES = (CommitmentState.consultation, CommitmentState.published, CommitmentState.withdrawn)


def visible():
    return Commitment.state != CommitmentState.draft


def for_committee(committee_id: int):
    return sa.select(Commitment).where(Commitment.committee_id == committee_id, visible()).order_by(
        Commitment.number
    )


@dataclass
class CommitmentFilters:
    committee_id: int | None = None
    theme_id: int | None = None
    state: CommitmentState | None = None
    text: str | None = None  # words of the site's search (app/search); most relevant first


# Commitments a page of the public list shows (the total counts them all).
LIST_PER_PAGE = 50

# What a card of the list shows: the list reads only these columns, not the template's texts.
_CARD_COLUMNS = ("plan_id", "committee_id", "theme_id", "number", "title", "state",
                 "implementation_status", "starts_on", "ends_on")


def list_commitments(plan: ActionPlan, filters: CommitmentFilters | None = None,
                     page: int = 1) -> Page:
    """Page `page` of the plan's public commitments, by committee and number (committee and theme
    joined, the cards' columns only), with the total that match: two statements whatever the
    plan's size. With words to search for, those the search finds, the most relevant first."""
    from app.fulltext.matching import matching_ids
    from app.plans.models import Committee
    filters = filters or CommitmentFilters()
    order = (Committee.position, Committee.id, Commitment.number, Commitment.id)
    conditions = [Commitment.plan_id == plan.id, visible()]
    if filters.committee_id is not None:
        conditions.append(Commitment.committee_id == filters.committee_id)
    if filters.theme_id is not None:
        conditions.append(Commitment.theme_id == filters.theme_id)
    if filters.state is not None:
        conditions.append(Commitment.state == filters.state)
    stmt = (
        sa.select(Commitment)
        .join(Committee, Committee.id == Commitment.committee_id)
        .options(load_only(*(getattr(Commitment, name) for name in _CARD_COLUMNS)))
        .where(*conditions)
    )
    counted = sa.select(sa.func.count(Commitment.id)).where(*conditions)
    found = matching_ids("commitment", filters.text, plan.id)
    if found is not None:
        found = found.subquery()
        stmt = stmt.join(found, found.c.item_id == Commitment.id)
        counted = counted.join(found, found.c.item_id == Commitment.id)
        order = (found.c.relevance.desc(), *order)
    total = db.session.scalar(counted) or 0
    shown = Page([], total, page, LIST_PER_PAGE)
    if shown.offset < total:
        shown.items = list(db.session.scalars(
            stmt.order_by(*order).offset(shown.offset).limit(LIST_PER_PAGE)).unique())
    return shown


def drafts_for(actor, plan: ActionPlan) -> list[Commitment]:
    """Drafts the actor may read: all of the plan's for an admin, their committees' otherwise."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_confirmed:
        return []
    stmt = sa.select(Commitment).where(
        Commitment.plan_id == plan.id, Commitment.state == CommitmentState.draft
    )
    if not actor.is_admin:
        ids = actor.committee_ids
        if not ids:
            return []
        stmt = stmt.where(Commitment.committee_id.in_(ids))
    return list(db.session.scalars(stmt.order_by(Commitment.committee_id, Commitment.number)).unique())


def commitment_detail(commitment_id: int) -> Commitment | None:
    """A commitment with its committee, the committee's plan (the page links to the committee
    by the plan's address), theme and milestones (any state: the view decides), in one statement
    (a commitment has a few milestones: its row is repeated for each)."""
    from app.plans.models import Committee

    return db.session.execute(
        sa.select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(joinedload(Commitment.milestones), joinedload(Commitment.committee).joinedload(Committee.plan))
    ).unique().scalar_one_or_none()


def commitment_page(commitment_id: int) -> Commitment | None:
    """A commitment with its committee, the committee's plan, its theme and what the areas built
    on it ask (registry.page_load_options: its consultation rounds), in one statement, for its
    page: the milestones are read into the page's version in SQL (page_version) and loaded only
    when the page's body is rendered again (the joined load of commitment_detail repeats the
    commitment's whole row, its rendered texts included, for every milestone)."""
    return db.session.execute(_page_statement(), {"commitment_id": commitment_id}).unique().scalar_one_or_none()


@functools.cache
def _page_statement() -> sa.Select:
    """commitment_page's statement, built once per process, the commitment as a parameter.
    Thread-safe: a statement is immutable; two threads building it at once build the same one."""
    from app.plans.models import Committee

    sa.orm.configure_mappers()  # the areas' options name relationships their backrefs add

    return (sa.select(Commitment)
            .where(Commitment.id == sa.bindparam("commitment_id", type_=sa.Integer))
            .options(joinedload(Commitment.committee).joinedload(Committee.plan),
                     *registry.page_load_options()))


def source_proposals(commitment: Commitment) -> list[Proposal]:
    from app.proposals.models import Proposal
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .join(CommitmentProposal, CommitmentProposal.proposal_id == Proposal.id)
            .where(CommitmentProposal.commitment_id == commitment.id)
            .order_by(Proposal.reference)
        )
    )


def source_tables(commitment: Commitment) -> list[DialogueTable]:
    from app.dialogues.models import DialogueTable
    return list(
        db.session.scalars(
            sa.select(DialogueTable)
            .join(CommitmentTable, CommitmentTable.table_id == DialogueTable.id)
            .where(CommitmentTable.commitment_id == commitment.id)
            .order_by(DialogueTable.starts_at, DialogueTable.id)
        )
    )


def _with_author():
    from app.accounts.models import User
    # Pages show the author's name only: their facilitator scopes stay unloaded.
    return joinedload(CommitmentVersion.author).options(lazyload(User.moderator_scopes))


def versions_for(commitment: Commitment) -> list[CommitmentVersion]:
    """Every version, newest first, with its author."""
    return list(
        db.session.scalars(
            sa.select(CommitmentVersion)
            .where(CommitmentVersion.commitment_id == commitment.id)
            .order_by(CommitmentVersion.number.desc())
            .options(_with_author())
        )
    )


def versions_by_number(commitment: Commitment, numbers) -> dict[int, CommitmentVersion]:
    rows = db.session.scalars(
        sa.select(CommitmentVersion)
        .where(CommitmentVersion.commitment_id == commitment.id,
               CommitmentVersion.number.in_(list(numbers)))
        .options(_with_author())
    )
    return {v.number: v for v in rows}


def latest_version(commitment: Commitment) -> CommitmentVersion | None:
    return db.session.scalar(
        sa.select(CommitmentVersion)
        .where(CommitmentVersion.commitment_id == commitment.id)
        .order_by(CommitmentVersion.number.desc())
        .limit(1)
        .options(_with_author())
    )


def commitments_for_proposal(proposal_id: int, viewer=None) -> list[Commitment]:
    """The commitments a proposal became part of: public ones, plus drafts the viewer may read."""
    from app.commitments.permissions import can_read

    rows = db.session.scalars(
        sa.select(Commitment)
        .join(CommitmentProposal, CommitmentProposal.commitment_id == Commitment.id)
        .where(CommitmentProposal.proposal_id == proposal_id)
        .order_by(Commitment.committee_id, Commitment.number)
        # What the proposal's page shows of them (title, committee, state): not their texts.
        .options(load_only(Commitment.title, Commitment.state, Commitment.committee_id),
                 lazyload(Commitment.theme))
    ).unique()
    return [c for c in rows if can_read(viewer, c)]


def proposal_choices(committee: Committee) -> list[Proposal]:
    """The committee's proposals a draft may come from: open or accepted, not hidden."""
    from app.proposals.models import OPEN_STATES, Proposal, ProposalState
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.committee_id == committee.id,
                Proposal.hidden_at.is_(None),
                Proposal.state.in_([*OPEN_STATES, ProposalState.accepted]),
            )
            .order_by(Proposal.reference)
        )
    )


def table_choices(committee: Committee) -> list[DialogueTable]:
    from app.dialogues.models import DialogueTable, TableState
    return list(
        db.session.scalars(
            sa.select(DialogueTable)
            .where(DialogueTable.committee_id == committee.id,
                   DialogueTable.state != TableState.cancelled)
            .order_by(DialogueTable.starts_at.desc(), DialogueTable.id)
        )
    )


def proposals_by_reference(references) -> list[Proposal]:
    from app.proposals.models import Proposal
    refs = [r.strip().upper() for r in references if r and r.strip()]
    if not refs:
        return []
    return list(db.session.scalars(sa.select(Proposal).where(Proposal.reference.in_(refs[:200]))))


def tables_by_id(ids) -> list[DialogueTable]:
    from app.dialogues.models import DialogueTable
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(DialogueTable).where(DialogueTable.id.in_(ids))))


def located_commitments(plan: ActionPlan, limit: int) -> list[Commitment]:
    """The plan's public commitments that have a point on the map (withdrawn ones left out), by
    committee and number; committee and theme joined: one statement."""
    from app.plans.models import Committee
    stmt = (
        sa.select(Commitment)
        .join(Committee, Committee.id == Commitment.committee_id)
        .where(Commitment.plan_id == plan.id, visible(),
               Commitment.state != CommitmentState.withdrawn,
               Commitment.latitude.is_not(None), Commitment.longitude.is_not(None))
        .order_by(Committee.position, Committee.id, Commitment.number)
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


# The commitment page's version reads the texts and the renderer's version, not the HTML made of them.
RENDERED = ("rendered",)


@functools.cache
def _page_version_statement(alongside: tuple) -> tuple[sa.Select, list[int]]:
    """The version's statement with the statements `alongside` it as more columns (app/core/
    read_along.py), and the widths of its parts; built once per process and statements alongside
    (each built once), with the commitment's id as a parameter (building it costs more than
    running it). Thread-safe: a statement is immutable; two threads building it at once build the
    same one."""
    from app.accounts.models import User
    from app.commitments.models import Milestone
    from app.core.audit import AuditEntry
    from app.dialogues.models import DialogueTable
    from app.proposals.models import Proposal

    commitment_id = sa.bindparam("commitment_id", type_=sa.Integer)
    milestone_ids = sa.select(Milestone.id).where(Milestone.commitment_id == commitment_id)
    history = (
        sa.select(sa.func.count(AuditEntry.id), sa.func.max(AuditEntry.id), total_length(User.name),
                  sa.func.count(User.deleted_at))
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.action == "progress.set_status", AuditEntry.target_type == "Commitment",
               AuditEntry.target_id == commitment_id, AuditEntry.public.is_(True))
    )
    proposals = (
        sa.select(sa.func.count(Proposal.id), sa.func.max(Proposal.updated_at), total_length(Proposal.title),
                  sa.func.count(Proposal.hidden_at), total(Proposal.id))
        .join(CommitmentProposal, CommitmentProposal.proposal_id == Proposal.id)
        .where(CommitmentProposal.commitment_id == commitment_id)
    )
    tables = (
        sa.select(sa.func.count(DialogueTable.id), sa.func.max(DialogueTable.updated_at),
                  total_length(DialogueTable.title), total(DialogueTable.id))
        .join(CommitmentTable, CommitmentTable.table_id == DialogueTable.id)
        .where(CommitmentTable.commitment_id == commitment_id)
    )
    # The milestones' own rows. Their texts are counted by length: a save of new texts moves the
    # commitment's version (services/drafting.py), which the page reads from the commitment's row.
    milestones = sa.select(
        fingerprint(Milestone.id, Milestone.position, Milestone.status, Milestone.completed_on,
                    Milestone.starts_on, Milestone.ends_on, Milestone.responsible, Milestone.rendered_version),
        total_length(Milestone.description), total_length(Milestone.deliverable),
    ).where(Milestone.commitment_id == commitment_id)
    built_on = registry.page_version_parts(commitment_id, milestone_ids)  # progress: notes, evidence
    return read_along.side_by_side([*built_on, milestones, history, proposals, tables], alongside)


def page_version(commitment: Commitment, reader) -> tuple:
    """What changes whenever the shared body of the commitment's page would (app/commitments/
    views.py), in one statement: the commitment's own row, its committee and theme are already
    loaded and read as they are (Commitment.updated_at is not always moved; the rendered texts
    are left out, their source and renderer's version are in); the milestones' rows, the
    progress notes and their evidence, the public history of the status, the linked proposals
    and dialogue tables are read as counts, the latest ids and changes, and sums that move when
    a status, a text or an author's name changes. The fragment's lifetime bounds what a change
    could still slip past (an author renamed to a name of the same length).

    The same statement reads the follow box's state for `reader`, which the page shows next, and
    what the areas built on commitments read for the reader (progress: their standing, which the
    page's permission rules ask). The statements alongside share the version's parameters by name:
    `commitment_id` is the same commitment, and `user_id` the same reader, in each."""
    from app.follows import queries as follows

    follow, parameters = follows.follow_state_alongside(reader, "commitment", commitment.id)
    personal = registry.reader_alongside(reader, commitment)
    statement, widths = _page_version_statement((follow,) if personal is None else (follow, personal[0]))
    parameters = {**parameters, **(personal[1] if personal else {}), "commitment_id": commitment.id}
    row, follow_values, *rest = read_along.split(db.session.execute(statement, parameters).one(), widths)
    follows.remember_follow_state(reader, "commitment", commitment.id, follow_values)
    if personal is not None:
        personal[2](rest[0])
    return (
        row_values(commitment, skip=RENDERED), row_values(commitment.committee), row_values(commitment.theme),
        tuple(str(value) for value in row),
    )
