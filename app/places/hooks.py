"""What the catalogue of places plugs into the areas below: the municipalities registration and
profiles offer (the current plan's), the accounts that name a municipality, and the territory's
step of the plan's set-up checklist."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.accounts.municipalities import municipality_source
from app.extensions import db
from app.maps.views import territory_view
from app.places.models import Place
from app.places.queries import municipality_choices
from app.places.usage import names_municipality
from app.plans.models import ActionPlan
from app.plans.queries import current_plan, newest_plan
from app.plans.setup import register_step


@municipality_source
def _current_catalogue() -> list[tuple[str, str]]:
    """The current plan's municipalities; before the first plan is published, those of the plan
    being set up (its facilitators register before it is published)."""
    return municipality_choices(current_plan() or newest_plan())


@names_municipality(_l("accounts"))
def _accounts(plan, name: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.municipality == name, User.deleted_at.is_(None))
    )


def _territory_done(plan) -> bool:
    """The plan has a catalogue: at least one municipality people can choose."""
    return db.session.scalar(
        sa.select(sa.func.count(Place.id)).where(Place.plan_id == plan.id, Place.parent_id.is_(None))
    ) > 0


@territory_view
def _places_box():
    """The box of the current plan's places that have a point, or None: one statement."""
    current = (sa.select(ActionPlan.id).where(ActionPlan.published_at.is_not(None))
               .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc()).limit(1)
               .scalar_subquery())  # the plan current_plan() reads
    row = db.session.execute(
        sa.select(sa.func.min(Place.latitude), sa.func.min(Place.longitude),
                  sa.func.max(Place.latitude), sa.func.max(Place.longitude))
        .where(Place.plan_id == current, Place.latitude.is_not(None))
    ).one()
    return None if row[0] is None else tuple(float(value) for value in row)


register_step(40, _l("Territory: the plan's municipalities"), _territory_done, "places.index")
