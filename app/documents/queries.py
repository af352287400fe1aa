"""Reads of the repository and the Declaratoria: every document of a plan is public once
published (there are no drafts), so the one filter is the plan."""
import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.accounts.models import User
from app.documents.models import Declaration, Document, DocumentKind, DocumentVersion
from app.extensions import db
from app.plans.models import ActionPlan, Committee
from app.plans.queries import current_plan

PER_PAGE = 20


def plan_for(slug: str | None) -> ActionPlan | None:
    """The plan named by ?plan=<slug>, or the current one."""
    if slug:
        return db.session.scalar(sa.select(ActionPlan).where(ActionPlan.slug == slug))
    return current_plan()


def other_plans(plan: ActionPlan) -> list[ActionPlan]:
    return list(db.session.scalars(
        sa.select(ActionPlan).where(ActionPlan.id != plan.id)
        .order_by(ActionPlan.created_at.desc(), ActionPlan.id.desc())))


def committees_of(plan: ActionPlan) -> list[Committee]:
    return list(db.session.scalars(
        sa.select(Committee).where(Committee.plan_id == plan.id).order_by(Committee.position)))


def clamp_page(value) -> int:
    try:
        return max(1, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return 1


@dataclass
class DocumentFilters:
    kind: DocumentKind | None = None
    committee_id: int | None = None
    year: int | None = None


@dataclass
class DocumentPage:
    rows: list  # (Document, number of versions)
    total: int
    page: int
    pages: int


def years_of(plan: ActionPlan) -> list[int]:
    """The years of the plan's documents, newest first (one statement)."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Document.document_date), sa.func.max(Document.document_date))
        .where(Document.plan_id == plan.id)).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def document_page(plan: ActionPlan, filters: DocumentFilters, page: int = 1,
                  per_page: int = PER_PAGE) -> DocumentPage:
    """The plan's documents, newest first, filtered; three statements whatever the data size."""
    conditions = [Document.plan_id == plan.id]
    if filters.kind is not None:
        conditions.append(Document.kind == filters.kind)
    if filters.committee_id is not None:
        conditions.append(Document.committee_id == filters.committee_id)
    if filters.year is not None and 1 <= filters.year <= 9999:
        conditions.append(Document.document_date.between(date(filters.year, 1, 1),
                                                         date(filters.year, 12, 31)))
    total = db.session.scalar(sa.select(sa.func.count(Document.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(clamp_page(page), pages)
    versions = (sa.select(sa.func.count(DocumentVersion.id))
                .where(DocumentVersion.document_id == Document.id)
                .correlate(Document).scalar_subquery())
    rows = db.session.execute(
        sa.select(Document, versions).where(*conditions)
        .options(joinedload(Document.committee))
        .order_by(Document.document_date.desc(), Document.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return DocumentPage(rows=[(d, n) for d, n in rows], total=total, page=page, pages=pages)


def document_detail(document_id: int) -> Document | None:
    return db.session.scalar(
        sa.select(Document).where(Document.id == document_id)
        .options(
            joinedload(Document.plan), joinedload(Document.committee),
            joinedload(Document.published_by).lazyload(User.moderator_scopes),
            selectinload(Document.versions).joinedload(DocumentVersion.created_by)
            .lazyload(User.moderator_scopes),
        ))


def version_file(document_id: int, number: int) -> DocumentVersion | None:
    return db.session.scalar(
        sa.select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id, DocumentVersion.number == number))


def declaration_of(plan: ActionPlan) -> Declaration | None:
    return db.session.scalar(
        sa.select(Declaration).where(Declaration.plan_id == plan.id)
        .options(selectinload(Declaration.signatories),
                 joinedload(Declaration.document).selectinload(Document.versions),
                 lazyload(Declaration.plan)))
