"""What the catalogue of places plugs into the areas below: the municipalities registration and
profiles offer (the current plan's), and the accounts that name a municipality."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.accounts.municipalities import municipality_source
from app.extensions import db
from app.places.queries import municipality_choices
from app.places.usage import names_municipality
from app.plans.queries import current_plan


@municipality_source
def _current_catalogue() -> list[tuple[str, str]]:
    return municipality_choices(current_plan())


@names_municipality(_l("accounts"))
def _accounts(plan, name: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.municipality == name, User.deleted_at.is_(None))
    )
