"""`flask demo load`: Durango's Third Plan archived, a current demonstration plan, one account per
role, built through the services; idempotent, and --if-empty."""
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Role, User, Verification
from app.announcements.models import Announcement
from app.calls.models import Call
from app.commitments.models import Commitment, CommitmentState
from app.core import storage
from app.demo import elections, participation
from app.demo.loader import DEMO_ACCOUNTS
from app.documents.models import Declaration, Document, DocumentVersion, Signatory
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember, Phase, Theme
from app.proposals.models import Proposal
from tests.conftest import login
from tests.factories import make_plan

COUNTED = {
    "plans": ActionPlan, "phases": Phase, "themes": Theme, "committees": Committee,
    "members": CommitteeMember, "commitments": Commitment, "accounts": User,
    "scopes": ModeratorScope, "documents": Document, "versions": DocumentVersion,
    "declarations": Declaration, "signatories": Signatory, "announcements": Announcement,
}
EXPECTED = {
    "plans": 2, "phases": 12, "themes": 18, "committees": 8,
    # The Third Plan: 3 officials per committee, plus the titular and suplente its elections and
    # agreements seated; the current plan: one official per committee, and the Poder Ejecutivo's
    # titular and suplente of its agreement.
    "members": 4 * 3 + 4 * 2 + 4 + 2,
    # The Third Plan's ten; the current plan's draft in consultation and two in implementation.
    "commitments": 10 + 3,
    # The five demo accounts, the other facilitators of each plan (three each), the residents, the
    # organisations and the candidates of both plans.
    "accounts": 5 + 3 + 3 + len(participation.RESIDENTS) + elections.ACCOUNTS
    + len(elections.CURRENT_CANDIDATES),
    # Every committee of both plans has its facilitator.
    "scopes": 4 + 4,
    # The Third Plan's call text, Declaratoria, four installation records and minutes (in two
    # versions); the current plan's call text (app/demo/records.py).
    "documents": 7 + 1, "versions": 8 + 1,
    # The Third Plan's Declaratoria: the four governments, the INAI and the IDAIP.
    "declarations": 1, "signatories": 6,
    # The current plan's: the consultation, the second call and the election in voting.
    "announcements": 3,
}
DEMO_DIR = Path(__file__).resolve().parent.parent / "app" / "demo"


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in COUNTED.items()}


def demo_load(app, *args):
    result = app.test_cli_runner().invoke(args=["demo", "load", *args])
    assert result.exit_code == 0, result.output
    return result.output


def plan(slug: str) -> ActionPlan:
    return db.session.scalar(sa.select(ActionPlan).where(ActionPlan.slug == slug))


SERVING = "http://127.0.0.1:5077"


@pytest.fixture(scope="module")
def loaded(module_worlds, app):
    """One `flask demo load --if-empty --serving URL` into the empty test database, shared by the
    three tests of the command below (each rolled back to it): a demo load is the slowest thing
    the suite does, on each database. They are kept together, first: a test of the module that
    does not use it would make it load again."""
    return module_worlds.share(lambda: {"output": demo_load(app, "--if-empty", "--serving", SERVING),
                                        "files": sorted(storage.upload_dir().iterdir())})


def test_demo_load_creates_the_archived_and_the_current_plan(loaded):
    output = loaded["output"]

    assert counts() == EXPECTED
    archived, current = plan("durango-3"), plan("durango-4-demo")
    assert not archived.is_current and current.is_current
    assert "Demo plan loaded" in output
    states = set(db.session.scalars(sa.select(Commitment.state).where(Commitment.plan_id == archived.id)))
    assert states == {CommitmentState.published}


def test_demo_load_if_empty_loads_an_empty_database_and_ends_with_the_address_and_logins(loaded):
    output = loaded["output"]

    assert counts() == EXPECTED
    ending = output[output.index(f"Cocrea is serving the demo plan at {SERVING}/"):]
    for account in DEMO_ACCOUNTS:
        assert account["email"] in ending and account["password"] in ending


def test_demo_load_twice_changes_nothing(app, loaded):
    first = counts()
    files = sorted(storage.upload_dir().iterdir())
    assert files == loaded["files"]

    demo_load(app)  # the second load, without --if-empty

    assert counts() == first == EXPECTED
    assert sorted(storage.upload_dir().iterdir()) == files  # no file written twice


def test_the_archived_plan_keeps_the_seed_dates_2020_to_2023(demo):
    archived = plan("durango-3")
    phases = sorted(archived.phases, key=lambda p: p.position)

    assert phases[0].starts_on == date(2020, 10, 28) and phases[-1].ends_on.year == 2023
    assert all(p.ends_on < date.today() for p in phases)
    call = db.session.scalar(sa.select(Call).where(Call.plan_id == archived.id))
    assert call.opens_at.date() == date(2020, 10, 28)
    cocreation = next(p for p in phases if p.kind.value == "cocreation")
    proposals = db.session.scalars(sa.select(Proposal.created_at)
                                   .where(Proposal.plan_id == archived.id)).all()
    assert proposals and all(cocreation.starts_on <= p.date() <= cocreation.ends_on for p in proposals)
    dates = db.session.scalars(sa.select(Commitment.published_at)
                               .where(Commitment.plan_id == archived.id)).all()
    assert {d.year for d in dates} == {2021}


def test_the_current_plan_says_it_is_demonstration_data(demo, client):
    current = plan("durango-4-demo")

    assert "demostración" in current.name and "ficticios" in current.description
    assert client.get("/").status_code == 200
    assert "Cuarto Plan de Acción Local" in client.get("/").get_data(as_text=True)


def test_demo_load_if_empty_skips_a_database_that_holds_a_plan(app):
    make_plan()

    output = demo_load(app, "--if-empty")

    assert "not loaded" in output
    assert counts()["committees"] == 0 and counts()["accounts"] == 0


def test_demo_accounts_log_in_with_their_roles(demo, client):
    for account in DEMO_ACCOUNTS:
        assert login(client, account["email"], account["password"]).status_code == 302, account
        client.submit("/account/logout", page="/")
    users = {u.email: u for u in db.session.scalars(
        sa.select(User).where(User.email.in_([a["email"] for a in DEMO_ACCOUNTS])))}
    assert {u.role for u in users.values()} == {Role.admin, Role.moderator, Role.citizen, Role.organisation}
    organisation = users["organizacion@example.org"]
    assert organisation.organisation.verification == Verification.verified
    facilitator = users["facilitador@example.org"]
    assert sorted((s.committee.plan.slug, s.committee.slug) for s in facilitator.moderator_scopes) == [
        ("durango-3", "municipio-durango"), ("durango-4-demo", "municipio-durango")]
    assert all(u.is_confirmed for u in users.values())


def test_committee_pages_show_the_current_plan_and_the_archive_keeps_the_seed(demo, client):
    page = client.get("/committees/municipio-durango")
    archived = db.session.scalar(sa.select(Committee).join(ActionPlan).where(
        ActionPlan.slug == "durango-3", Committee.slug == "municipio-durango"))

    assert page.status_code == 200
    assert "Persona titular de la Secretaría Municipal (demostración)" in page.get_data(as_text=True)
    assert "Jorge Alejandro Salum del Palacio" in {m.name for m in archived.members}
    facilitators = db.session.scalars(sa.select(User.name).join(ModeratorScope, ModeratorScope.user_id == User.id).where(
        ModeratorScope.committee_id == archived.id)).all()
    assert facilitators == ["Jaime Adrián Arreola Varela"]


def test_the_demo_writes_no_row_by_hand():
    """Everything the demo loads goes through the services people use: no module of app/demo
    adds, deletes or writes rows itself."""
    offenders = [f"{path.name}:{number}"
                 for path in sorted(DEMO_DIR.glob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if re.search(r"session\.(add|add_all|delete|merge|execute)\(|\.__table__", line)]

    assert offenders == []
