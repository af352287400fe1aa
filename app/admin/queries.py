"""Reads of the guarantor body's pages on people: the users list and the organisations queue.

Each page issues a fixed number of statements whatever the number of accounts: the count, the
page's rows with what they show (organisation, scopes, applications) and the filters' choices.
"""
import sqlite3
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from app.accounts.models import ModeratorScope, Organisation, Role, Sector, User, Verification
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.core.audit import AuditEntry
from app.core.pagination import Page
from app.core.text import fold
from app.extensions import db
from app.plans.models import Committee

PER_PAGE = 25
# More words than this is a paste, not a search; each word costs one LIKE.
MAX_SEARCH_WORDS = 8
USER_STATES = ("active", "unconfirmed", "blocked", "deleted")

# Neither database drops accents without an extension (PostgreSQL's unaccent). PostgreSQL
# lower-cases every letter and `translate` replaces the accented ones in one call; SQLite's lower()
# folds ASCII only, so on SQLite the search calls app.core.text.fold itself, registered on each
# connection as cocrea_fold(). A full scan of a text column per search: cheap at the size of a
# plan's accounts.
_ACCENTED, _PLAIN = "áàäâãéèëêíìïîóòöôõúùüûñç", "aaaaaeeeeiiiiooooouuuunc"


class folded(sa.sql.functions.FunctionElement):
    """`column` lower-cased without accents, in SQL, as app.core.text.fold does in Python."""

    type = sa.String()
    inherit_cache = True


@compiles(folded)
def _folded_translate(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"translate(lower({column}), '{_ACCENTED}', '{_PLAIN}')"


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    return f"cocrea_fold({compiler.process(element.clauses, **kw)})"


@sa.event.listens_for(sa.engine.Engine, "connect")
def _register_fold(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Deterministic: SQLite may use it in indexes and constant-fold it.
        dbapi_connection.create_function("cocrea_fold", 1, fold, deterministic=True)


def _search(stmt, text: str | None, *columns):
    """Every word of `text` in one of `columns` (folded), or in the email as typed (lower case)."""
    for word in fold(text or "").split()[:MAX_SEARCH_WORDS]:
        stmt = stmt.where(sa.or_(
            *(folded(column).contains(word, autoescape=True) for column in columns),
            User.email.contains(word, autoescape=True),
        ))
    return stmt


def _page(stmt, order, page: int, *options) -> Page:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    items = db.session.scalars(
        stmt.order_by(*order).options(*options).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).unique().all()
    return Page(items=items, total=total, page=page, per_page=PER_PAGE)


# --- Users -------------------------------------------------------------------------------------


@dataclass
class UserFilters:
    text: str | None = None
    role: Role | None = None
    state: str | None = None
    municipality: str | None = None

    @property
    def active(self) -> bool:
        return any((self.text, self.role, self.state, self.municipality))


def user_state(user: User) -> str:
    if user.deleted_at is not None:
        return "deleted"
    if user.is_access_blocked:
        return "blocked"
    if user.email_confirmed_at is None:
        return "unconfirmed"
    return "active"


def _state_clause(state: str):
    alive = User.deleted_at.is_(None)
    return {
        "active": sa.and_(alive, User.access_blocked_at.is_(None), User.email_confirmed_at.is_not(None)),
        "unconfirmed": sa.and_(alive, User.access_blocked_at.is_(None), User.email_confirmed_at.is_(None)),
        "blocked": sa.and_(alive, User.access_blocked_at.is_not(None)),
        "deleted": User.deleted_at.is_not(None),
    }[state]


def users_page(filters: UserFilters, page: int = 1) -> Page:
    """Accounts matching `filters`, newest first, with their organisation and scopes."""
    stmt = _search(sa.select(User), filters.text, User.name)
    if filters.role is not None:
        stmt = stmt.where(User.role == filters.role)
    if filters.state in USER_STATES:
        stmt = stmt.where(_state_clause(filters.state))
    if filters.municipality:
        stmt = stmt.where(User.municipality == filters.municipality)
    return _page(stmt, (User.created_at.desc(), User.id.desc()), page,
                 selectinload(User.moderator_scopes).joinedload(ModeratorScope.committee))


def municipalities() -> list[str]:
    """The places people gave when registering, for the filter."""
    return db.session.scalars(
        sa.select(User.municipality).where(User.municipality.is_not(None), User.municipality != "")
        .distinct().order_by(User.municipality)
    ).all()


def user_history(user: User, limit: int = 20) -> list[AuditEntry]:
    """The latest entries of the audit log about `user` (its acts on itself included)."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.target_type == "User", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .options(joinedload(AuditEntry.actor).options(lazyload(User.moderator_scopes)))
    ).unique().all()


# --- The organisations queue -------------------------------------------------------------------


@dataclass
class OrganisationFilters:
    text: str | None = None
    sector: Sector | None = None
    verification: Verification | None = None
    committee_id: int | None = None
    call_id: int | None = None

    @property
    def active(self) -> bool:
        return any((self.text, self.sector, self.verification, self.committee_id, self.call_id))


def organisations_page(filters: OrganisationFilters, page: int = 1) -> Page:
    """Organisations matching `filters`: pending first, then the newest."""
    stmt = (sa.select(Organisation).join(Organisation.user).where(User.deleted_at.is_(None)))
    stmt = _search(stmt, filters.text, Organisation.legal_name, Organisation.contact_person)
    if filters.sector is not None:
        stmt = stmt.where(Organisation.sector == filters.sector)
    if filters.verification is not None:
        stmt = stmt.where(Organisation.verification == filters.verification)
    if filters.committee_id or filters.call_id:
        applied = sa.select(CallApplication.id).where(
            CallApplication.organisation_id == Organisation.user_id)
        if filters.committee_id:
            applied = applied.where(CallApplication.committee_id == filters.committee_id)
        if filters.call_id:
            applied = applied.where(CallApplication.call_id == filters.call_id)
        stmt = stmt.where(applied.exists())
    return _page(
        stmt,
        (Organisation.verification != Verification.pending, User.created_at.desc(), User.id.desc()),
        page,
        contains_eager(Organisation.user).options(lazyload(User.moderator_scopes)),
    )


def calls_awaiting_decisions() -> list[tuple[Call, int]]:
    """The calls with applications still to decide, and how many (one statement): the other half
    of the review, done on each call's applications page."""
    pending = sa.func.count(CallApplication.id)
    rows = db.session.execute(
        sa.select(Call, pending).join(CallApplication, CallApplication.call_id == Call.id)
        .where(CallApplication.status == ApplicationStatus.pending)
        .group_by(Call.id).order_by(Call.closes_at, Call.id)
    ).all()
    return [(call, count) for call, count in rows]


def applications_of(organisations: list[Organisation]) -> dict[int, list[CallApplication]]:
    """Each organisation's applications (call and committee), for the rows of one page."""
    ids = [org.user_id for org in organisations]
    found: dict[int, list[CallApplication]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        sa.select(CallApplication)
        .where(CallApplication.organisation_id.in_(ids))
        .order_by(CallApplication.created_at.desc(), CallApplication.id.desc())
        .options(joinedload(CallApplication.call).load_only(Call.id, Call.title),
                 joinedload(CallApplication.committee).load_only(Committee.id, Committee.name),
                 lazyload(CallApplication.organisation))
    ).all()
    for application in rows:
        found[application.organisation_id].append(application)
    return found


def committees() -> list[Committee]:
    return db.session.scalars(
        sa.select(Committee).order_by(Committee.plan_id, Committee.position, Committee.id)
        .options(joinedload(Committee.plan))
    ).all()


def calls() -> list[Call]:
    return db.session.scalars(sa.select(Call).order_by(Call.opens_at.desc(), Call.id.desc())).all()
