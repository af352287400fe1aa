"""Reads of calls shared by the pages, the registry's CSV and the elections (the electorate).

Every page reads through these functions, which eager-load what the pages show, so that a page
sends the same number of SQL statements however many organisations took part.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.accounts.models import SECTOR_LABELS, Organisation, User
from app.calls.models import (
    ApplicationDocument,
    ApplicationStatus,
    Call,
    CallApplication,
    CallCommittee,
)
from app.core import facts
from app.core.db import utcnow
from app.core.pagination import Page
from app.core.text import fold
from app.extensions import db
from app.plans.models import Committee

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def window_state(call: Call, now: datetime | None = None) -> str:
    """"upcoming" before the window opens, "open" inside it, "closed" from its closing instant."""
    now = now or utcnow()
    if now < call.opens_at:
        return UPCOMING
    if now >= call.closes_at:
        return CLOSED
    return OPEN


def visible():
    """The filter of every public read: only published calls exist for the public."""
    return Call.published_at.is_not(None)


def published_calls() -> list[Call]:
    return list(db.session.scalars(
        sa.select(Call)
        .where(visible())
        .order_by(Call.opens_at.desc(), Call.id.desc())
        .options(selectinload(Call.committees), joinedload(Call.plan))
    ))


def call_by_id(call_id: int) -> Call | None:
    return db.session.scalar(
        sa.select(Call)
        .where(Call.id == call_id, visible())
        .options(selectinload(Call.committees), joinedload(Call.plan))
    )


def calls_covering(committee_id: int) -> sa.Select:
    """The published calls that include the committee, newest first (a select of Call.id, for
    the areas that narrow it further)."""
    return (
        sa.select(Call.id)
        .join(CallCommittee, CallCommittee.call_id == Call.id)
        .where(CallCommittee.committee_id == committee_id, visible())
        .order_by(Call.opens_at.desc(), Call.id.desc())
    )


def call_covers(call_id: int, committee_id: int) -> bool:
    """Whether the published call includes the committee."""
    return db.session.scalar(
        calls_covering(committee_id).where(Call.id == call_id).limit(1)
    ) is not None


def _approved(committee_id: int, call_id: int):
    """The organisations approved for the committee in that call (accounts deleted since left out)."""
    return (
        sa.select(User)
        .join(CallApplication, CallApplication.organisation_id == User.id)
        .join(Call, Call.id == CallApplication.call_id)
        .where(
            CallApplication.call_id == call_id,
            CallApplication.committee_id == committee_id,
            CallApplication.status == ApplicationStatus.approved,
            User.deleted_at.is_(None),
            visible(),
        )
    )


def approved_organisations(committee_id: int, call_id: int | None) -> list[User]:
    """The organisations approved for the committee in that call, ordered by id; accounts deleted
    since are left out. An election's electorate (each election names its call); none without a
    call."""
    if call_id is None:
        return []
    return list(db.session.scalars(
        _approved(committee_id, call_id).order_by(User.id).options(lazyload(User.moderator_scopes))
    ))


def approved_count(committee_id: int, call_id: int | None) -> int:
    """How many organisations `approved_organisations` lists, counted in SQL (one statement)."""
    if call_id is None:
        return 0
    return db.session.scalar(
        _approved(committee_id, call_id).with_only_columns(sa.func.count(User.id)).order_by(None)
    ) or 0


def is_approved(committee_id: int, call_id: int | None, organisation_id: int) -> bool:
    """Whether `approved_organisations` lists this organisation, without reading the others."""
    if call_id is None:
        return False
    return db.session.scalar(
        sa.select(_approved(committee_id, call_id).where(User.id == organisation_id).exists())
    ) is True


def applications_of(organisation: User, call: Call | None = None) -> list[CallApplication]:
    """An organisation's own applications (to one call, or to every call), newest call first."""
    query = (
        sa.select(CallApplication)
        .join(Call, Call.id == CallApplication.call_id)
        .join(Committee, Committee.id == CallApplication.committee_id)
        .where(CallApplication.organisation_id == organisation.id)
        .order_by(Call.opens_at.desc(), Call.id.desc(), Committee.position, Committee.id)
        .options(joinedload(CallApplication.call), joinedload(CallApplication.committee))
    )
    if call is not None:
        query = query.where(CallApplication.call_id == call.id)
    return list(db.session.scalars(query))


def application_by_id(application_id: int) -> CallApplication | None:
    return db.session.scalar(
        sa.select(CallApplication)
        .where(CallApplication.id == application_id)
        .options(joinedload(CallApplication.call), joinedload(CallApplication.committee),
                 joinedload(CallApplication.organisation))
    )


def applications_for_review(call: Call) -> list[CallApplication]:
    """Every application to the call, pending first, with the organisation and committee."""
    pending_first = sa.case((CallApplication.status == ApplicationStatus.pending, 0), else_=1)
    return list(db.session.scalars(
        sa.select(CallApplication)
        .join(Committee, Committee.id == CallApplication.committee_id)
        .where(CallApplication.call_id == call.id)
        .order_by(pending_first, Committee.position, Committee.id, CallApplication.created_at,
                  CallApplication.id)
        .options(
            joinedload(CallApplication.committee), joinedload(CallApplication.organisation),
        )
    ))


def documents_by_application(application_ids) -> dict[int, list[ApplicationDocument]]:
    ids = list(application_ids)
    found: dict[int, list[ApplicationDocument]] = {i: [] for i in ids}
    if not ids:
        return found
    for document in db.session.scalars(
        sa.select(ApplicationDocument)
        .where(ApplicationDocument.application_id.in_(ids))
        .order_by(ApplicationDocument.id)
    ):
        found[document.application_id].append(document)
    return found


def document_by_id(document_id: int) -> ApplicationDocument | None:
    return db.session.get(ApplicationDocument, document_id)


# ---------------------------------------------------------------- the public registry

@dataclass
class RegistryEntry:
    """One participating organisation: public facts only (never an email or a contact person)."""

    organisation_id: int
    name: str
    sector: str | None
    sector_label: str
    municipality: str
    committees: list[Committee] = field(default_factory=list)


@dataclass
class Registry:
    call: Call
    entries: list[RegistryEntry]  # every one (registry) or one page of them (registry_page)
    by_sector: list[tuple[str, int]]
    by_committee: list[tuple[Committee, int]]
    by_municipality: list[tuple[str, int]]
    organisations: int | None = None  # all of them, when `entries` is one page
    read_at: datetime | None = None  # when the counts and the order were read (registry_page)

    @property
    def total_organisations(self) -> int:
        return len(self.entries) if self.organisations is None else self.organisations

    @property
    def total_applications(self) -> int:
        return sum(n for _committee, n in self.by_committee)


def _ranked(counter: Counter, labels: dict) -> list[tuple[str, int]]:
    """Largest first; ties in alphabetical order (accents ignored)."""
    return sorted(((labels[key], n) for key, n in counter.items()),
                  key=lambda pair: (-pair[1], fold(pair[0]), pair[0]))


REGISTRY_PER_PAGE = 100


def _registry_index(call_id: int):
    """The call's approved organisations counted by (sector, municipality) and by committee, and
    their ids in the registry's order (by name, deleted accounts last): three statements over the
    whole call."""
    approved = (CallApplication.call_id == call_id,
                CallApplication.status == ApplicationStatus.approved)
    # An organisation has one sector and one municipality: counted once in its group.
    groups = tuple(tuple(row) for row in db.session.execute(
        sa.select(Organisation.sector, User.municipality,
                  sa.func.count(sa.distinct(CallApplication.organisation_id)))
        .select_from(CallApplication)
        .join(User, User.id == CallApplication.organisation_id)
        .outerjoin(Organisation, Organisation.user_id == User.id)
        .where(*approved)
        .group_by(Organisation.sector, User.municipality)
    ).all())
    per_committee = tuple(tuple(row) for row in db.session.execute(
        sa.select(CallApplication.committee_id, sa.func.count(CallApplication.id))
        .where(*approved).group_by(CallApplication.committee_id)
    ).all())
    name = sa.func.coalesce(Organisation.legal_name, User.name)
    ids = tuple(db.session.scalars(
        sa.select(User.id)
        .outerjoin(Organisation, Organisation.user_id == User.id)
        .where(User.id.in_(sa.select(CallApplication.organisation_id).where(*approved)))
        .order_by(User.deleted_at.is_not(None), sa.func.lower(name), User.id)
    ).all())
    return groups, per_committee, ids


def registry_page(call: Call, page: int) -> tuple[Registry, Page]:
    """One page of the registry (REGISTRY_PER_PAGE organisations by name; deleted accounts last)
    with the counts of the whole call, as `registry` counts them. The counts and the order read
    every approved organisation of the call: kept per process for REGISTRY_SECONDS (the page says
    when they were read; an id list and a few hundred counts), so a request reads one page of
    organisations by id. Names are ordered by the database (lower case; accents as its collation
    puts them)."""
    (groups, per_committee, ids), read_at = facts.timed(
        f"calls.registry:{call.id}", float(current_app.config.get("REGISTRY_SECONDS", 60)),
        lambda: _registry_index(call.id))
    per_committee = dict(per_committee)
    not_stated = _("Not stated")
    sectors: Counter = Counter()
    sector_labels: dict = {}
    towns: Counter = Counter()
    town_labels: dict = {}
    for sector, municipality, n in sorted(groups, key=lambda g: (g[1] or "", g[0] or "")):
        key = sector.value if sector else None
        sectors[key] += n
        sector_labels[key] = str(SECTOR_LABELS[sector]) if sector else not_stated
        town = " ".join((municipality or "").split()) or not_stated
        towns[fold(town)] += n
        town_labels.setdefault(fold(town), town)
    total = sum(n for _s, _m, n in groups)
    listed = Page([], total, max(1, page), REGISTRY_PER_PAGE)
    wanted = list(ids[listed.offset:listed.offset + listed.per_page])
    entries: list[RegistryEntry] = []
    committees = {c.id: c for c in call.committees}
    if wanted:
        rows = db.session.execute(
            sa.select(User.id.label("organisation_id"), User.name, User.deleted_at,
                      User.municipality, Organisation.legal_name, Organisation.sector)
            .outerjoin(Organisation, Organisation.user_id == User.id)
            .where(User.id.in_(wanted))
        ).all()
        by_id = {row.organisation_id: _registry_entry(row, not_stated) for row in rows}
        entries = [by_id[i] for i in wanted if i in by_id]
        for org_id, committee_id in db.session.execute(
            sa.select(CallApplication.organisation_id, CallApplication.committee_id)
            .where(CallApplication.call_id == call.id,
                   CallApplication.status == ApplicationStatus.approved,
                   CallApplication.organisation_id.in_(wanted))
        ).all():
            if committee_id in committees and org_id in by_id:  # a removed committee: not shown
                by_id[org_id].committees.append(committees[committee_id])
        position = {c.id: i for i, c in enumerate(call.committees)}
        for entry in entries:
            entry.committees.sort(key=lambda c: position[c.id])
    listed.items = entries
    found = Registry(
        call=call,
        entries=entries,
        by_sector=_ranked(sectors, sector_labels),
        by_committee=[(c, per_committee.get(c.id, 0)) for c in call.committees],
        by_municipality=_ranked(towns, town_labels),
        organisations=total,
        read_at=read_at,
    )
    return found, listed


def _registry_entry(row, not_stated: str) -> RegistryEntry:
    return RegistryEntry(
        organisation_id=row.organisation_id,
        name=_("deleted account") if row.deleted_at is not None else (row.legal_name or row.name),
        sector=row.sector.value if row.sector else None,
        sector_label=str(SECTOR_LABELS[row.sector]) if row.sector else not_stated,
        municipality=" ".join((row.municipality or "").split()) or not_stated,
    )


def registry(call: Call) -> Registry:
    """Organisations with an approved application to the call, and the counts by sector,
    committee and municipality (an organisation counts once per sector and municipality, and
    once in each committee it was approved for)."""
    rows = db.session.execute(
        sa.select(
            CallApplication.organisation_id, CallApplication.committee_id, User.name,
            User.deleted_at, User.municipality, Organisation.legal_name, Organisation.sector,
        )
        .join(User, User.id == CallApplication.organisation_id)
        .outerjoin(Organisation, Organisation.user_id == User.id)
        .where(CallApplication.call_id == call.id,
               CallApplication.status == ApplicationStatus.approved)
    ).all()
    committees = {c.id: c for c in call.committees}
    position = {c.id: i for i, c in enumerate(call.committees)}
    not_stated = _("Not stated")
    entries: dict[int, RegistryEntry] = {}
    by_committee: Counter = Counter()
    for row in rows:
        entry = entries.get(row.organisation_id)
        if entry is None:
            if row.deleted_at is not None:
                name = _("deleted account")
            else:
                name = row.legal_name or row.name
            sector = row.sector.value if row.sector else None
            entry = entries[row.organisation_id] = RegistryEntry(
                organisation_id=row.organisation_id,
                name=name,
                sector=sector,
                sector_label=str(SECTOR_LABELS[row.sector]) if row.sector else not_stated,
                municipality=" ".join((row.municipality or "").split()) or not_stated,
            )
        committee = committees.get(row.committee_id)
        if committee is not None:  # a committee removed from the call since: not counted
            entry.committees.append(committee)
            by_committee[row.committee_id] += 1
    ordered = sorted(entries.values(), key=lambda e: (fold(e.name), e.name, e.organisation_id))
    for entry in ordered:
        entry.committees.sort(key=lambda c: position[c.id])

    sectors: Counter = Counter()
    sector_labels: dict = {}
    towns: Counter = Counter()
    town_labels: dict = {}
    for entry in ordered:
        sectors[entry.sector] += 1
        sector_labels[entry.sector] = entry.sector_label
        key = fold(entry.municipality)
        towns[key] += 1
        town_labels.setdefault(key, entry.municipality)
    return Registry(
        call=call,
        entries=ordered,
        by_sector=_ranked(sectors, sector_labels),
        by_committee=[(c, by_committee.get(c.id, 0)) for c in call.committees],
        by_municipality=_ranked(towns, town_labels),
    )


def open_calls(plan_id: int, now: datetime) -> list[Call]:
    """The plan's published calls whose window is open now, closing soonest first (home page)."""
    return list(db.session.scalars(
        sa.select(Call)
        .where(Call.plan_id == plan_id, visible(), Call.opens_at <= now, Call.closes_at > now)
        .order_by(Call.closes_at, Call.id)
        .options(selectinload(Call.committees))
    ))


def pending_applications_of(organisation_id: int) -> list[CallApplication]:
    """An organisation's applications still waiting for a decision, newest call first (its panel)."""
    return list(db.session.scalars(
        sa.select(CallApplication)
        .join(Call, Call.id == CallApplication.call_id)
        .where(CallApplication.organisation_id == organisation_id,
               CallApplication.status == ApplicationStatus.pending, visible())
        .order_by(Call.opens_at.desc(), CallApplication.id)
        .options(joinedload(CallApplication.call), joinedload(CallApplication.committee))
    ))
