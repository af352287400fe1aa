"""The demo's territory comes through the catalogue's import, and every demo record that names a
municipality names one of it."""
import sqlalchemy as sa

from app.accounts.models import User
from app.demo.places import COVERING_COMMITTEE, DURANGO_MUNICIPALITIES, load_places
from app.extensions import db
from app.places import queries
from app.plans.queries import current_plan
from app.proposals.models import Proposal


def test_the_demo_plan_has_the_39_municipalities_and_their_committees(demo):
    plan = current_plan()

    assert queries.municipality_names(plan) == DURANGO_MUNICIPALITIES
    for name, slug in COVERING_COMMITTEE.items():
        assert queries.committee_for_place(plan, name).slug == slug
    assert queries.committee_for_place(plan, "Lerdo") is None


def test_every_demo_account_and_proposal_names_a_catalogue_municipality(demo):
    plan = current_plan()
    allowed = {value for value, _label in queries.municipality_choices(plan) if value}
    people = set(db.session.scalars(sa.select(User.municipality).where(User.municipality.is_not(None))))
    proposals = set(db.session.scalars(sa.select(Proposal.municipality).where(
        Proposal.plan_id == plan.id, Proposal.municipality.is_not(None))))

    assert people and people <= allowed
    assert proposals and proposals <= set(DURANGO_MUNICIPALITIES)


def test_loading_the_places_again_changes_nothing(demo):
    plan = current_plan()
    admin = db.session.scalar(sa.select(User).where(User.email == "organo.garante@example.org"))

    assert load_places(admin, plan) == {"added": 0, "updated": 0, "unchanged": 39}
