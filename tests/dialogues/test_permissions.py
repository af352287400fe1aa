"""Who may do what with dialogue tables: the rules, and direct POSTs to every action route."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.permissions import can
from app.dialogues.models import DialogueTable, TableRegistration, TableState
from app.extensions import db
from tests.conftest import login
from tests.dialogues.factories import make_proposal, make_registration, make_table, make_user

ACTORS = ["anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator",
          "admin"]
FACILITATION = {"facilitator", "admin"}
EVERYONE_CONFIRMED = set(ACTORS) - {"anonymous"}


def actor(world, name):
    return None if name == "anonymous" else getattr(world, name)


RULES = [
    ("dialogues.create", "committee", FACILITATION),
    ("dialogues.edit", "table", FACILITATION),
    ("dialogues.cancel", "table", FACILITATION),
    ("dialogues.agenda", "table", FACILITATION),
    ("dialogues.attendance", "table", FACILITATION),
    ("dialogues.minutes", "table", FACILITATION),
    ("dialogues.register", "table", EVERYONE_CONFIRMED),
]


@pytest.mark.parametrize("rule, target, allowed", RULES)
@pytest.mark.parametrize("who", ACTORS)
def test_rules(world, rule, target, allowed, who):
    subject = world.committee if target == "committee" else make_table(world.committee)
    assert can(actor(world, who), rule, subject) is (who in allowed)


def test_create_without_a_committee_means_facilitating_any(world):
    assert can(world.facilitator, "dialogues.create")
    assert can(world.admin, "dialogues.create")
    assert not can(world.citizen, "dialogues.create")
    assert not can(None, "dialogues.create")


def test_unconfirmed_facilitator_and_blocked_citizen_are_refused(world):
    from tests.dialogues.factories import make_moderator

    table = make_table(world.committee)
    unconfirmed = make_moderator(world.committee, confirmed=False)
    assert not can(unconfirmed, "dialogues.edit", table)
    blocked = make_user(blocked_until=utcnow() + timedelta(days=1))
    assert not can(blocked, "dialogues.register", table)


# ---------------------------------------------------------------- direct POSTs


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action.like("dialogues.%")))


def _table_form(world) -> dict:
    year = utcnow().year + 1
    return {
        "committee_id": world.committee.id,
        "title": "Mesa de movilidad",
        "objective": "Hablar de movilidad.",
        "theme_id": "",
        "starts_at": f"{year}-03-10T18:00",
        "ends_at": "",
        "place": "Biblioteca",
        "online_url": "",
        "capacity": "20",
        "registration_deadline": f"{year}-03-09T18:00",
    }


def _scenario(world, action):
    """(url, data, check) where check() says whether the act took effect."""
    if action == "create":
        url = f"/tables/new?committee={world.committee.id}"
        return url, _table_form(world), lambda: db.session.scalar(
            sa.select(sa.func.count(DialogueTable.id))) == 1
    if action in ("edit",):
        table = make_table(world.committee)
        data = _table_form(world)
        del data["committee_id"]
        return f"/tables/{table.id}/edit", data, lambda: db.session.scalar(
            sa.select(DialogueTable.title).where(DialogueTable.id == table.id)) == "Mesa de movilidad"
    if action == "cancel":
        table = make_table(world.committee)
        return f"/tables/{table.id}/cancel", {"reason": "Se pospone"}, lambda: db.session.scalar(
            sa.select(DialogueTable.state).where(DialogueTable.id == table.id)) == TableState.cancelled
    if action == "agenda":
        table = make_table(world.committee)
        proposal = make_proposal(world.committee, world.author)
        return f"/tables/{table.id}/agenda", {"references": proposal.reference}, lambda: (
            _audit_count() == 1)
    if action == "attendance":
        table = make_table(world.committee, starts_in=timedelta(hours=-1))
        registration = make_registration(table, make_user())
        return f"/tables/{table.id}/attendance", {"attended": str(registration.id)}, lambda: (
            db.session.scalar(sa.select(TableRegistration.attended).where(
                TableRegistration.id == registration.id)) is True)
    if action == "minutes":
        table = make_table(world.committee, starts_in=timedelta(hours=-3))
        return f"/tables/{table.id}/minutes", {"summary": "Resumen", "agreements": "Acuerdos"}, (
            lambda: db.session.scalar(sa.select(DialogueTable.state).where(
                DialogueTable.id == table.id)) == TableState.minutes_published)
    if action == "register":
        table = make_table(world.committee)
        return f"/tables/{table.id}/register", {}, lambda: db.session.scalar(
            sa.select(sa.func.count(TableRegistration.id))) == 1
    raise AssertionError(action)


ACTIONS = [
    ("create", FACILITATION),
    ("edit", FACILITATION),
    ("cancel", FACILITATION),
    ("agenda", FACILITATION),
    ("attendance", FACILITATION),
    ("minutes", FACILITATION),
    ("register", EVERYONE_CONFIRMED),
]


@pytest.mark.parametrize("action, allowed", ACTIONS)
@pytest.mark.parametrize("who", ACTORS)
def test_direct_posts(client, world, action, allowed, who):
    url, data, took_effect = _scenario(world, action)
    if who != "anonymous":
        login(client, actor(world, who).email)
    response = client.submit(url, data, page="/tables/")
    db.session.expire_all()
    if who == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
        assert not took_effect()
    elif who in allowed:
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
        assert took_effect()
    else:
        assert response.status_code == 403
        assert not took_effect()


FORM_PAGES = ["edit", "cancel", "agenda", "attendance", "minutes"]


@pytest.mark.parametrize("page", FORM_PAGES)
@pytest.mark.parametrize("who", ["citizen", "other_facilitator", "facilitator", "admin"])
def test_facilitator_pages(client, world, page, who):
    table = make_table(world.committee, starts_in=timedelta(hours=-1)
                       if page in ("attendance", "minutes") else timedelta(days=3))
    login(client, actor(world, who).email)
    status = client.get(f"/tables/{table.id}/{page}").status_code
    assert status == (200 if who in FACILITATION else 403)


@pytest.mark.parametrize("who, status", [("citizen", 403), ("other_facilitator", 200),
                                         ("facilitator", 200), ("admin", 200)])
def test_new_table_page(client, world, who, status):
    login(client, actor(world, who).email)
    assert client.get("/tables/new").status_code == status


def test_facilitator_of_another_committee_cannot_pick_ours_on_the_form(client, world):
    login(client, world.other_facilitator.email)
    assert client.get(f"/tables/new?committee={world.committee.id}").status_code == 403
    data = _table_form(world)
    response = client.submit("/tables/new", data, page="/tables/new")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(DialogueTable.id))) == 0
