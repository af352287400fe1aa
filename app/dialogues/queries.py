"""Reads of dialogue tables shared by pages, services and other areas (a fixed number of queries)."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.dialogues.models import (
    AgendaItem,
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.extensions import db
from app.fulltext import matching as fulltext
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import OPEN_STATES, Proposal

ACTIVE = (RegistrationStatus.confirmed, RegistrationStatus.waiting)
PAST_PER_PAGE = 20
UPCOMING_PER_PAGE = 30


def get_table(table_id: int) -> DialogueTable | None:
    return db.session.scalar(
        sa.select(DialogueTable)
        .where(DialogueTable.id == table_id)
        .options(joinedload(DialogueTable.committee), joinedload(DialogueTable.theme))
    )


def _listing(committee_id: int | None):
    stmt = sa.select(DialogueTable).options(
        joinedload(DialogueTable.committee), joinedload(DialogueTable.theme)
    )
    if committee_id is not None:
        stmt = stmt.where(DialogueTable.committee_id == committee_id)
    return stmt


def _end():
    return sa.func.coalesce(DialogueTable.ends_at, DialogueTable.starts_at)


def upcoming_tables(now, committee_id: int | None = None, page: int = 1,
                    per_page: int | None = None) -> tuple[list[DialogueTable], bool]:
    """Tables not yet over (ongoing ones included), soonest first, a page at a time (a big plan
    schedules hundreds); the flag says whether more follow."""
    page = max(page, 1)
    per_page = per_page or UPCOMING_PER_PAGE
    stmt = (
        _listing(committee_id)
        .where(_end() >= now)
        .order_by(DialogueTable.starts_at, DialogueTable.id)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = list(db.session.scalars(stmt))
    return rows[:per_page], len(rows) > per_page


def past_tables(now, committee_id: int | None = None, page: int = 1,
                per_page: int = PAST_PER_PAGE) -> tuple[list[DialogueTable], bool]:
    """Tables that are over, latest first, a page at a time; the flag says whether more follow."""
    page = max(page, 1)
    stmt = (
        _listing(committee_id)
        .where(_end() < now)
        .order_by(DialogueTable.starts_at.desc(), DialogueTable.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = list(db.session.scalars(stmt))
    return rows[:per_page], len(rows) > per_page


def searched_tables(text: str, committee_id: int | None = None, page: int = 1,
                    per_page: int = PAST_PER_PAGE) -> tuple[list[DialogueTable], bool]:
    """Tables the site's search finds for the words (app/search), the most relevant first, a page
    at a time; the flag says whether more follow. Blank words: none (the list shows them all)."""
    found = fulltext.matching_ids("table", text, None)
    if found is None:
        return [], False
    found = found.subquery()
    page = max(page, 1)
    stmt = (
        _listing(committee_id)
        .join(found, found.c.item_id == DialogueTable.id)
        .order_by(found.c.relevance.desc(), DialogueTable.starts_at.desc(), DialogueTable.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = list(db.session.scalars(stmt))
    return rows[:per_page], len(rows) > per_page


def registration_of(table_id: int, user_id: int | None) -> TableRegistration | None:
    if user_id is None:
        return None
    return db.session.scalar(
        sa.select(TableRegistration).where(
            TableRegistration.table_id == table_id, TableRegistration.user_id == user_id
        )
    )


def _waiting_order():
    return (TableRegistration.queued_at, TableRegistration.id)


def active_registrations(table_id: int) -> list[TableRegistration]:
    """Confirmed attendees (by registration time), then the waiting list in its order."""
    confirmed_first = sa.case((TableRegistration.status == RegistrationStatus.confirmed, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(TableRegistration)
            .where(TableRegistration.table_id == table_id, TableRegistration.status.in_(ACTIVE))
            .order_by(confirmed_first, *_waiting_order())
            .options(joinedload(TableRegistration.user))
        )
    )


def first_waiting(table_id: int, skip: set[int] | None = None) -> TableRegistration | None:
    stmt = sa.select(TableRegistration).where(
        TableRegistration.table_id == table_id,
        TableRegistration.status == RegistrationStatus.waiting,
    )
    if skip:
        stmt = stmt.where(TableRegistration.id.not_in(skip))
    return db.session.scalar(stmt.order_by(*_waiting_order()).limit(1))


def waiting_count(table_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(TableRegistration.id)).where(
            TableRegistration.table_id == table_id,
            TableRegistration.status == RegistrationStatus.waiting,
        )
    )


def waiting_position(registration: TableRegistration) -> int | None:
    """1 for the first on the waiting list; None when the registration is not waiting."""
    if registration is None or registration.status != RegistrationStatus.waiting:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(TableRegistration.id)).where(
            TableRegistration.table_id == registration.table_id,
            TableRegistration.status == RegistrationStatus.waiting,
            sa.or_(
                TableRegistration.queued_at < registration.queued_at,
                sa.and_(
                    TableRegistration.queued_at == registration.queued_at,
                    TableRegistration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def registered_users(table_id: int) -> list[User]:
    """Everyone with a seat or on the waiting list: the people told about changes."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(TableRegistration, TableRegistration.user_id == User.id)
            .where(TableRegistration.table_id == table_id, TableRegistration.status.in_(ACTIVE))
            .order_by(User.id)
        )
    )


def agenda(table_id: int) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.table_id == table_id)
            .order_by(AgendaItem.position, AgendaItem.id)
            .options(joinedload(AgendaItem.proposal))
        )
    )


def minutes_versions(table_id: int) -> list[MinutesVersion]:
    """Every published version of the minutes, the latest first."""
    return list(
        db.session.scalars(
            sa.select(MinutesVersion)
            .where(MinutesVersion.table_id == table_id)
            .order_by(MinutesVersion.number.desc())
            .options(joinedload(MinutesVersion.author))
        )
    )


def latest_minutes(table_id: int) -> MinutesVersion | None:
    return db.session.scalar(
        sa.select(MinutesVersion)
        .where(MinutesVersion.table_id == table_id)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


def tables_for_proposal(proposal_id: int) -> list[DialogueTable]:
    """The tables whose agenda holds a proposal, earliest first (for the proposal's page)."""
    return list(
        db.session.scalars(
            sa.select(DialogueTable)
            .join(AgendaItem, AgendaItem.table_id == DialogueTable.id)
            .where(AgendaItem.proposal_id == proposal_id)
            .order_by(DialogueTable.starts_at, DialogueTable.id)
        )
    )


def committees_for(actor) -> list[Committee]:
    """The committees for which the actor may schedule tables: all for an admin, else their own."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_confirmed:
        return []
    stmt = (
        sa.select(Committee)
        .join(ActionPlan, ActionPlan.id == Committee.plan_id)
        .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc(), Committee.position,
                  Committee.id)
    )
    if not actor.is_admin:
        ids = actor.committee_ids
        if not ids:
            return []
        stmt = stmt.where(Committee.id.in_(ids))
    return list(db.session.scalars(stmt))


def themes_for_plans(plan_ids: set[int]) -> list[Theme]:
    if not plan_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Theme).where(Theme.plan_id.in_(plan_ids)).order_by(Theme.name, Theme.id)
        )
    )


def agenda_candidates(table: DialogueTable, limit: int = 50):
    """Recent open proposals of the table's committee not yet on its agenda (to pick from)."""
    on_agenda = sa.select(AgendaItem.proposal_id).where(AgendaItem.table_id == table.id)
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.committee_id == table.committee_id,
                Proposal.state.in_(OPEN_STATES),
                Proposal.hidden_at.is_(None),
                Proposal.id.not_in(on_agenda),
            )
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(limit)
        )
    )


def next_tables(plan_id: int, now, limit: int = 3) -> list[DialogueTable]:
    """The plan's scheduled tables not yet over, soonest first (home page)."""
    stmt = (
        _listing(None)
        .join(Committee, Committee.id == DialogueTable.committee_id)
        .where(Committee.plan_id == plan_id, DialogueTable.state == TableState.scheduled,
               _end() >= now)
        .order_by(DialogueTable.starts_at, DialogueTable.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def registrations_of(user_id: int, now) -> list[TableRegistration]:
    """A person's active registrations (seat or waiting list): tables not over first, soonest
    first, then past ones, latest first; the table and its committee loaded."""
    rows = list(db.session.scalars(
        sa.select(TableRegistration)
        .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
        .where(TableRegistration.user_id == user_id, TableRegistration.status.in_(ACTIVE))
        .order_by(DialogueTable.starts_at, DialogueTable.id)
        .options(joinedload(TableRegistration.table).joinedload(DialogueTable.committee))
    ))
    coming = [r for r in rows if (r.table.ends_at or r.table.starts_at) >= now]
    past = [r for r in rows if (r.table.ends_at or r.table.starts_at) < now]
    return coming + past[::-1]
