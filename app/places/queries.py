"""Reads of a plan's catalogue of places, shared by forms, pages, statistics and the CSV download."""
import csv
import io

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.core.text import fold
from app.extensions import db
from app.places.models import Place
from app.plans.models import ActionPlan, Committee

CSV_HEADER = ("municipality", "locality", "committee")


def jurisdiction_of(plan: ActionPlan) -> str:
    """The territory the plan belongs to (the state), as people name it."""
    return plan.jurisdiction or plan.name


def outside_value(plan: ActionPlan) -> str:
    """What is stored for someone from outside the plan's territory: one string in the
    installation's language whatever the language of the person who chose it, so that statistics
    count them together."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Outside %(jurisdiction)s", jurisdiction=jurisdiction_of(plan))


def places_of(plan: ActionPlan) -> list[Place]:
    """The plan's municipalities in order, each with its localities and their committees."""
    return list(db.session.scalars(
        sa.select(Place)
        .where(Place.plan_id == plan.id, Place.parent_id.is_(None))
        .order_by(Place.position, Place.name)
        .options(selectinload(Place.committee),
                 selectinload(Place.localities).selectinload(Place.committee))
    ))


def municipality_names(plan: ActionPlan) -> list[str]:
    return list(db.session.scalars(
        sa.select(Place.name)
        .where(Place.plan_id == plan.id, Place.parent_id.is_(None))
        .order_by(Place.position, Place.name)
    ))


def municipality_choices(plan: ActionPlan | None) -> list[tuple[str, str]]:
    """A municipality field's choices: the plan's municipalities, then "Outside <jurisdiction>"."""
    choices = [("", _("Choose your municipality"))]
    if plan is None:
        return choices
    choices += [(name, name) for name in municipality_names(plan)]
    choices.append((outside_value(plan), _("Outside %(jurisdiction)s",
                                            jurisdiction=jurisdiction_of(plan))))
    return choices


def place_named(plan: ActionPlan, name: str | None, parent_id: int | None = None) -> Place | None:
    """The plan's municipality (or, with parent_id, locality) of that name, accents and case aside."""
    wanted = fold(" ".join((name or "").split()))
    if not wanted:
        return None
    same_parent = Place.parent_id.is_(None) if parent_id is None else Place.parent_id == parent_id
    siblings = db.session.scalars(sa.select(Place).where(Place.plan_id == plan.id, same_parent))
    return next((p for p in siblings if fold(p.name) == wanted), None)


def committee_for_place(plan: ActionPlan, name: str | None) -> Committee | None:
    """The committee that covers the plan's municipality of that name, if any."""
    place = place_named(plan, name)
    return place.committee if place is not None else None


def municipalities_covered_by(committee: Committee) -> list[str]:
    return list(db.session.scalars(
        sa.select(Place.name)
        .where(Place.committee_id == committee.id, Place.parent_id.is_(None))
        .order_by(Place.position, Place.name)
    ))


def places_csv(plan: ActionPlan) -> str:
    """The catalogue in the import's format (municipality,locality,committee): it round-trips."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for municipality in places_of(plan):
        writer.writerow([municipality.name, "", _slug(municipality)])
        for locality in municipality.localities:
            writer.writerow([municipality.name, locality.name, _slug(locality)])
    return out.getvalue()


def _slug(place: Place) -> str:
    return place.committee.slug if place.committee is not None else ""
