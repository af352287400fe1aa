"""Reads of the plan's structure shared by pages and the API."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, g, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import ModeratorScope, User
from app.core import facts
from app.core.errors import NotFound
from app.core.i18n import local_date
from app.core.permissions import can
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember, Phase


def current_plan() -> ActionPlan | None:
    """The current plan, with its phases and themes.

    Nearly every page asks for it, and it rarely changes: it is kept between requests as a copy
    outside any session (app/core/facts.py: until data changes here, or the shared data version
    or time bucket turns) and put into the request's session without a statement
    (`Session.merge(load=False)`, SQLAlchemy's documented way to use cached objects). Read as
    before while the request's session holds unflushed changes (a plan being made current)."""
    session = db.session
    if not current_app.config.get("FACTS_KEPT", True) or session.new or session.deleted or session.dirty:
        return _read_current_plan(session)
    kept = facts.cached("current_plan", _current_plan_outside_any_session)
    if kept is None:
        return None
    present = session.identity_map.get(sa.inspect(kept).key)
    return present if present is not None else session.merge(kept, load=False)


def _read_current_plan(session) -> ActionPlan | None:
    return session.scalar(
        sa.select(ActionPlan)
        .where(ActionPlan.published_at.is_not(None))  # a draft is the guarantor body's alone
        .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc())
        .options(selectinload(ActionPlan.phases), selectinload(ActionPlan.themes))
        .limit(1)
    )


def _current_plan_outside_any_session() -> ActionPlan | None:
    """The current plan read in a session of its own on the request's connection (so it sees what
    the request sees), detached when that session closes, with its phases and themes loaded."""
    with Session(bind=db.session.connection(), expire_on_commit=False) as session:
        return _read_current_plan(session)


def current_plan_or_404() -> ActionPlan:
    """The current plan, for the pages that work on it; on an installation where no plan is
    published yet, the 404 page says so (and where it is done) instead of "page not found"."""
    plan = current_plan()
    if plan is None:
        raise NotFound(_("There is no published plan yet. The guarantor body sets one up and "
                         "publishes it from the administration (Administration › Plans)."))
    return plan


def newest_plan() -> ActionPlan | None:
    """The plan created last, published or not (the one being set up on a new installation)."""
    return db.session.scalar(sa.select(ActionPlan).order_by(ActionPlan.created_at.desc(),
                                                            ActionPlan.id.desc()).limit(1))


def committee_by_slug(plan: ActionPlan, slug: str) -> Committee | None:
    return db.session.scalar(
        sa.select(Committee)
        .where(Committee.plan_id == plan.id, Committee.slug == slug)
        .options(selectinload(Committee.members).joinedload(CommitteeMember.user))
    )


def proposals_refusal(plan: ActionPlan, on: date) -> str | None:
    """Why the plan receives no proposals on `on` (naming the dates of the phases that receive
    them), or None when a phase that accepts proposals covers that day."""
    receiving = [p for p in plan.phases if p.accepts_proposals]
    if any(p.starts_on <= on <= p.ends_on for p in receiving):
        return None
    upcoming = sorted((p for p in receiving if p.starts_on > on), key=lambda p: p.starts_on)
    if upcoming:
        phase = upcoming[0]
        return _("This plan receives proposals in its phase “%(phase)s”, from %(start)s to %(end)s.",
                 phase=phase.label, start=local_date(phase.starts_on), end=local_date(phase.ends_on))
    if receiving:
        phase = max(receiving, key=lambda p: p.ends_on)
        return _("This plan received proposals in its phase “%(phase)s”, from %(start)s to %(end)s; "
                 "that phase has ended.",
                 phase=phase.label, start=local_date(phase.starts_on), end=local_date(phase.ends_on))
    return _("This plan has no phase that receives proposals.")


class Guarantor(NamedTuple):
    name: str
    email: str
    address: str
    data_licence: str  # the licence of the plan's open data, as the plan names it ("CC BY 4.0")


def guarantor() -> Guarantor:
    """The guarantor body of the current plan (pages, mail, open data): read once per data
    change (app/core/facts.py), not on every page; the settings' GUARANTOR_* (empty by
    default) stand in for what the plan leaves blank."""
    if "cocrea_guarantor" not in g:
        name, email, address, data_licence = facts.cached("guarantor", _read_guarantor)
        config = current_app.config
        g.cocrea_guarantor = Guarantor(
            name or config.get("GUARANTOR_NAME") or "",
            email or config.get("GUARANTOR_EMAIL") or "",
            address or config.get("GUARANTOR_ADDRESS") or "",
            data_licence or "",
        )
    return g.cocrea_guarantor


def _read_guarantor() -> tuple:
    row = db.session.execute(
        sa.select(ActionPlan.guarantor_name, ActionPlan.guarantor_email, ActionPlan.guarantor_address,
                  ActionPlan.data_licence)
        .where(ActionPlan.published_at.is_not(None))
        .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc()).limit(1)
    ).first()
    return tuple(row) if row is not None else ("", "", "", "")


def plans_for_admin() -> list[tuple[ActionPlan, int, int]]:
    """Every plan, the current first, then drafts, then the rest by age; with the number of its
    phases and committees (one statement)."""
    phases = (sa.select(sa.func.count(Phase.id)).where(Phase.plan_id == ActionPlan.id)
              .correlate(ActionPlan).scalar_subquery())
    committees = (sa.select(sa.func.count(Committee.id)).where(Committee.plan_id == ActionPlan.id)
                  .correlate(ActionPlan).scalar_subquery())
    return list(db.session.execute(
        sa.select(ActionPlan, phases, committees).order_by(
            ActionPlan.is_current.desc(), ActionPlan.published_at.is_not(None),
            ActionPlan.created_at.desc(), ActionPlan.id.desc())
    ).tuples())


def plan_for_setup(plan_id: int) -> ActionPlan | None:
    return db.session.scalar(
        sa.select(ActionPlan).where(ActionPlan.id == plan_id).options(
            selectinload(ActionPlan.phases), selectinload(ActionPlan.themes),
            selectinload(ActionPlan.committees).selectinload(Committee.members),
        )
    )


def facilitator_scopes(committee_ids: list[int]) -> dict[int, list[ModeratorScope]]:
    """The facilitators of each committee, their accounts loaded with them."""
    found: dict[int, list[ModeratorScope]] = {cid: [] for cid in committee_ids}
    if committee_ids:
        for scope in db.session.scalars(
            sa.select(ModeratorScope).join(ModeratorScope.user)
            .where(ModeratorScope.committee_id.in_(committee_ids))
            .order_by(User.name).options(sa.orm.contains_eager(ModeratorScope.user))
        ):
            found[scope.committee_id].append(scope)
    return found


def published_plan(plan_id: int) -> ActionPlan | None:
    """A plan by id if it is published (the pages of its ledger, standards and evidence pack)."""
    plan = db.session.get(ActionPlan, plan_id)
    return plan if plan is not None and plan.is_published else None


def published_plans(*, with_phases: bool = True) -> list[ActionPlan]:
    """The public list of plans: the current first, then the others, newest first (with their
    phases, in one more statement, unless the page shows none)."""
    query = (sa.select(ActionPlan).where(ActionPlan.published_at.is_not(None))
             .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc(), ActionPlan.id.desc()))
    return list(db.session.scalars(query.options(selectinload(ActionPlan.phases)) if with_phases else query))


def plan_by_slug(slug: str, actor=None) -> ActionPlan | None:
    """The plan at /plans/<slug>/, or None when there is none or it is a draft that `actor` may
    not see (only the guarantor body sees drafts)."""
    plan = db.session.scalar(
        sa.select(ActionPlan).where(ActionPlan.slug == slug)
        .options(selectinload(ActionPlan.phases), selectinload(ActionPlan.themes))
    )
    if plan is None or (not plan.is_published and not can(actor, "plans.see_draft", plan)):
        return None
    return plan


def requested_plan(actor=None) -> ActionPlan | None:
    """The plan a list page shows: `?plan=<slug>` (a past plan, or a draft for the guarantor
    body), else the current plan (None when there is none). An unknown or hidden slug: 404."""
    slug = request.args.get("plan", type=str)
    if not slug:
        return current_plan()
    plan = plan_by_slug(slug, actor)
    if plan is None:
        raise NotFound(_("There is no plan at that address."))
    return plan


# The licences a plan most often names, and where their text is read (in Spanish where it exists).
KNOWN_LICENCES = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/deed.es",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/deed.es",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.es",
    "ODbL 1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}


def open_data_licence() -> dict:
    """The current plan's licence (set in /admin/plans) when it names a known one; otherwise the
    settings' OPEN_DATA_LICENCE_* (a licence the plan names but this list does not know keeps
    its name, with the settings' address only if they name the same licence)."""
    config = current_app.config
    named = guarantor().data_licence.strip()
    if not named:
        return {"name": config["OPEN_DATA_LICENCE_NAME"], "url": config["OPEN_DATA_LICENCE_URL"]}
    key = next((known for known in KNOWN_LICENCES if known.casefold() == named.casefold()), None)
    if key is not None:
        return {"name": key, "url": KNOWN_LICENCES[key]}
    url = config["OPEN_DATA_LICENCE_URL"] if named.casefold() in config["OPEN_DATA_LICENCE_NAME"].casefold() else ""
    return {"name": named, "url": url}


def committee_path(committee: Committee) -> str:
    """The public page of `committee` at the address that stays its own whatever plan becomes the
    current one: /plans/<plan>/committees/<committee>/ (the plan's row is usually in the session
    already; otherwise one primary-key read)."""
    plan = db.session.get(ActionPlan, committee.plan_id)
    return url_for("plans.plan_committee", plan_slug=plan.slug, slug=committee.slug)
