"""`flask demo load`: the Durango plan and one account per role, idempotent, and --if-empty."""
import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Role, User, Verification
from app.commitments.models import Commitment, CommitmentState
from app.demo import elections, participation
from app.demo.loader import DEMO_ACCOUNTS
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember, Phase, Theme
from tests.conftest import login
from tests.factories import make_plan

COUNTED = {
    "plans": ActionPlan, "phases": Phase, "themes": Theme, "committees": Committee,
    "members": CommitteeMember, "commitments": Commitment, "accounts": User,
    "scopes": ModeratorScope,
}
EXPECTED = {
    "plans": 1, "phases": 7, "themes": 9, "committees": 4, "members": 24, "commitments": 10,
    # The four demo accounts of the roles, the residents who take part in the demo's dialogue, and
    # the call's organisations and the candidates of the 2021 elections.
    "accounts": 4 + len(participation.RESIDENTS) + elections.ACCOUNTS, "scopes": 1,
}


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in COUNTED.items()}


def demo_load(app, *args):
    result = app.test_cli_runner().invoke(args=["demo", "load", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_load_creates_the_durango_plan(app):
    output = demo_load(app)

    assert counts() == EXPECTED
    plan = db.session.scalar(sa.select(ActionPlan))
    assert plan.is_current and plan.slug == "durango-3"
    assert {c.slug for c in db.session.scalars(sa.select(Committee))} >= {"municipio-durango"}
    assert set(db.session.scalars(sa.select(Commitment.state))) == {CommitmentState.published}
    assert "Demo plan loaded" in output


def test_demo_load_twice_changes_nothing(app):
    demo_load(app)
    first = counts()

    demo_load(app)

    assert counts() == first == EXPECTED


def test_demo_load_if_empty_skips_a_database_that_holds_a_plan(app):
    make_plan()

    output = demo_load(app, "--if-empty")

    assert "not loaded" in output
    assert counts()["committees"] == 0 and counts()["accounts"] == 0


def test_demo_load_if_empty_loads_an_empty_database(app):
    demo_load(app, "--if-empty")

    assert counts() == EXPECTED


def test_demo_load_prints_every_demo_login(app):
    output = demo_load(app)

    for account in DEMO_ACCOUNTS:
        assert account["email"] in output and account["password"] in output


def test_demo_accounts_log_in_with_their_roles(app, client):
    demo_load(app)

    for account in DEMO_ACCOUNTS:
        assert login(client, account["email"], account["password"]).status_code == 302, account
        client.submit("/account/logout", page="/")
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    assert {u.role for u in users.values()} == {Role.admin, Role.moderator, Role.citizen, Role.organisation}
    organisation = next(u for u in users.values() if u.role == Role.organisation)
    assert organisation.organisation.verification == Verification.verified
    facilitator = next(u for u in users.values() if u.role == Role.moderator)
    assert [s.committee.slug for s in facilitator.moderator_scopes] == ["municipio-durango"]
    assert all(u.is_confirmed for u in users.values())


def test_demo_plan_is_served_on_the_home_and_committee_pages(app, client):
    demo_load(app)

    home = client.get("/")
    committee = client.get("/committees/municipio-durango")

    assert home.status_code == 200 and committee.status_code == 200
    assert "Tercer Plan de Acción Local de Gobierno Abierto de Durango" in home.get_data(as_text=True)
    assert "Jaime Adrián Arreola Varela" in committee.get_data(as_text=True)
