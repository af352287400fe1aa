"""One place at a time: add, rename or re-assign, remove; and a committee's places at once."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line
from app.core.uow import savepoint
from app.extensions import db
from app.maps.location import validated_location
from app.places.models import NAME_MAX, Place, PlaceKind
from app.places.queries import place_named
from app.places.usage import uses_of
from app.plans.models import ActionPlan, Committee


def _as_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "", 0, "0") else None
    except (TypeError, ValueError):
        return None


def valid_name(value) -> str:
    name = clean_line(value)
    if not name:
        raise ValidationError(_("Give the place's name."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(_("A place's name has at most %(max)d characters.", max=NAME_MAX),
                              field="name")
    return name


def committee_of(plan: ActionPlan, value) -> Committee | None:
    committee_id = _as_id(value)
    if committee_id is None:
        return None
    committee = db.session.get(Committee, committee_id)
    if committee is None or committee.plan_id != plan.id:
        raise ValidationError(_("Choose one of the plan's committees."), field="committee_id")
    return committee


def _parent_of(plan: ActionPlan, kind: PlaceKind, value) -> Place | None:
    if kind == PlaceKind.municipality:
        return None
    parent = db.session.get(Place, _as_id(value) or 0)
    if parent is None or parent.plan_id != plan.id or parent.kind != PlaceKind.municipality:
        raise ValidationError(_("Choose the municipality the locality belongs to."), field="parent_id")
    return parent


def _taken(plan: ActionPlan, name: str, parent: Place | None, place: Place | None = None) -> None:
    twin = place_named(plan, name, parent.id if parent else None)
    if twin is not None and twin is not place:
        raise ValidationError(_("The catalogue already has %(name)s there.", name=twin.name),
                              field="name")


def _flushed(place: Place) -> Place:
    """Flush, turning a name taken by a parallel request into the form's error."""
    try:
        with savepoint():
            db.session.add(place)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ValidationError(_("The catalogue already has %(name)s there.", name=place.name),
                              field="name") from None
    return place


def next_position(plan_id: int, parent_id: int | None) -> int:
    same_parent = Place.parent_id.is_(None) if parent_id is None else Place.parent_id == parent_id
    last = db.session.scalar(
        sa.select(sa.func.max(Place.position)).where(Place.plan_id == plan_id, same_parent))
    return (last or 0) + 1


def add_place(actor, plan: ActionPlan, data: dict) -> Place:
    """A municipality, or a locality of one (data: name, kind, parent_id, committee_id, and
    optionally latitude and longitude: the plan's maps open on the box of its places' points)."""
    require(actor, "places.manage", plan)
    try:
        kind = PlaceKind(data.get("kind") or PlaceKind.municipality)
    except ValueError:
        raise ValidationError(_("Choose municipality or locality."), field="kind") from None
    name = valid_name(data.get("name"))
    parent = _parent_of(plan, kind, data.get("parent_id"))
    committee = committee_of(plan, data.get("committee_id"))
    _taken(plan, name, parent)
    point = validated_location(data)
    place = Place(plan_id=plan.id, name=name, kind=kind, parent_id=parent.id if parent else None,
                  committee_id=committee.id if committee else None, **point,
                  position=next_position(plan.id, parent.id if parent else None))
    _flushed(place)
    record(actor, "place.added", place, plan_id=plan.id, name=name, kind=kind.value,
           committee=committee.slug if committee else None,
           point=[place.latitude, place.longitude])
    db.session.flush()
    return place


def _refuse_if_named(place: Place, doing: str) -> None:
    if place.kind != PlaceKind.municipality:
        return  # nothing stores a locality's name
    uses = uses_of(place.plan, place.name)
    if uses:
        named_by = ", ".join(f"{count} {label}" for label, count in uses)
        raise InvalidTransition(doing % {"name": place.name, "uses": named_by})


def update_place(actor, place: Place, data: dict) -> Place:
    """A new name, covering committee and/or point (data: name, committee_id, latitude and
    longitude; a key left out keeps what is stored)."""
    require(actor, "places.manage", place.plan)
    name = valid_name(data.get("name", place.name))
    committee = committee_of(place.plan, data.get("committee_id", place.committee_id))
    if name != place.name:
        _refuse_if_named(place, _(
            "%(name)s cannot be renamed: %(uses)s name it. Add the new name as another "
            "municipality instead."))
        _taken(place.plan, name, place.parent, place)
    point = validated_location(data, place)
    before = {"name": place.name, "committee": place.committee.slug if place.committee else None,
              "point": [place.latitude, place.longitude]}
    place.name = name
    place.committee_id = committee.id if committee else None
    place.latitude, place.longitude = point["latitude"], point["longitude"]
    _flushed(place)
    db.session.expire(place, ["committee"])
    record(actor, "place.updated", place, plan_id=place.plan_id, before=before,
           name=name, committee=committee.slug if committee else None,
           point=[place.latitude, place.longitude])
    db.session.flush()
    return place


def remove_place(actor, place: Place) -> None:
    """Remove a place (a municipality with its localities). Refused, with the reason, for a
    municipality that accounts or proposals name: their records would point nowhere."""
    require(actor, "places.manage", place.plan)
    _refuse_if_named(place, _(
        "%(name)s cannot be removed: %(uses)s name it. It stays in the catalogue."))
    record(actor, "place.removed", place, plan_id=place.plan_id, name=place.name,
           kind=place.kind.value, localities=len(place.localities))
    db.session.execute(sa.delete(Place).where(Place.parent_id == place.id))
    db.session.delete(place)
    db.session.flush()


def set_committee_places(actor, committee: Committee, place_ids) -> None:
    """The committee covers exactly these places of its plan (others it covered are left free)."""
    require(actor, "places.manage", committee.plan)
    wanted = {_as_id(value) for value in place_ids} - {None}
    found = set(db.session.scalars(
        sa.select(Place.id).where(Place.plan_id == committee.plan_id, Place.id.in_(wanted))))
    if found != wanted:
        raise ValidationError(_("Choose places of the committee's plan."), field="place_ids")
    db.session.execute(
        sa.update(Place).where(Place.committee_id == committee.id, Place.id.not_in(wanted))
        .values(committee_id=None).execution_options(synchronize_session="fetch"))
    if wanted:
        db.session.execute(
            sa.update(Place).where(Place.id.in_(wanted)).values(committee_id=committee.id)
            .execution_options(synchronize_session="fetch"))
    record(actor, "place.committee_set", committee, plan_id=committee.plan_id,
           place_ids=sorted(wanted))
    db.session.flush()
