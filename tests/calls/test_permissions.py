"""Who may do what with calls: the rules, and every route (direct POSTs included) per actor."""
import pytest
import sqlalchemy as sa

from app.calls.models import ApplicationDocument, ApplicationStatus, Call, CallApplication
from app.core.permissions import can, check
from app.extensions import db
from tests.calls import samples
from tests.calls.factories import make_application
from tests.conftest import login

ACTORS = ["anonymous", "citizen", "unverified", "organisation", "blocked", "unconfirmed",
          "facilitator", "admin"]


def allowed(*names):
    return {actor: actor in names for actor in ACTORS}


RULES = {
    "calls.manage": allowed("admin"),
    "calls.decide": allowed("admin"),
    "calls.apply": allowed("organisation"),
}


@pytest.mark.parametrize("name", list(RULES))
def test_rules_table(world, name):
    got = {actor: can(getattr(world, actor), name, world.call) for actor in ACTORS}
    assert got == RULES[name]


def test_nobody_applies_to_an_unpublished_call(world):
    world.call.published_at = None
    assert not can(world.organisation, "calls.apply", world.call)
    db.session.rollback()


def test_an_admin_without_a_confirmed_email_manages_nothing(world):
    world.admin.email_confirmed_at = None
    assert not can(world.admin, "calls.manage", world.call)
    assert not can(world.admin, "calls.decide", None)
    db.session.rollback()


# ---------------------------------------------------------------- routes, per actor

WEB_ACTORS = ["anonymous", "citizen", "unverified", "organisation", "blocked", "facilitator",
              "admin"]


@pytest.fixture
def as_actor(world, client):
    def log_in(actor):
        if actor != "anonymous":
            response = login(client, getattr(world, actor).email)
            assert response.status_code == 302, f"{actor} could not log in"
        return client
    return log_in


def expect(status_for_admin=None, status_for_org=None, login_required=True, ok=200):
    """Anonymous: to the login page; the allowed actor: `ok`; everyone else: 403."""
    table = {actor: 403 for actor in WEB_ACTORS}
    if login_required:
        table["anonymous"] = 302
    if status_for_admin:
        table["admin"] = ok
    if status_for_org:
        table["organisation"] = ok
    return table


def _document(world):
    application = make_application(world.call, world.organisation, world.committee)
    from app.core import storage

    upload = storage.Upload("acta.pdf", "application/pdf", samples.pdf(), "0" * 64)
    document = ApplicationDocument(application_id=application.id, original_name="acta.pdf",
                                   stored_name=storage.write(upload), content_type="application/pdf",
                                   size_bytes=upload.size, sha256=upload.sha256)
    db.session.add(document)
    db.session.commit()
    return document


GETS = {
    "index": (lambda w: "/calls/", {a: 200 for a in WEB_ACTORS}),
    "show": (lambda w: f"/calls/{w.call.id}", {a: 200 for a in WEB_ACTORS}),
    "registry": (lambda w: f"/calls/{w.call.id}/registry", {a: 200 for a in WEB_ACTORS}),
    "csv": (lambda w: f"/calls/{w.call.id}/registry.csv", {a: 200 for a in WEB_ACTORS}),
    "new": (lambda w: f"/calls/new?plan={w.plan.id}", expect(status_for_admin=True)),
    "edit": (lambda w: f"/calls/{w.call.id}/edit", expect(status_for_admin=True)),
    "applications": (lambda w: f"/calls/{w.call.id}/applications",
                     expect(status_for_admin=True)),
    "apply": (lambda w: f"/calls/{w.call.id}/apply", expect(status_for_org=True)),
    "document": (lambda w: f"/calls/documents/{_document(w).id}", expect(status_for_admin=True)),
    "mine": (lambda w: "/calls/mine",
             {**{a: 200 for a in WEB_ACTORS}, "anonymous": 302}),
}


@pytest.mark.parametrize("actor", WEB_ACTORS)
@pytest.mark.parametrize("page", list(GETS))
def test_pages_per_actor(world, as_actor, page, actor):
    url_for_world, table = GETS[page]
    url = url_for_world(world)
    response = as_actor(actor).get(url)
    assert response.status_code == table[actor], (page, actor)
    if response.status_code == 302:
        assert "/account/login" in response.headers["Location"]


def _call_form(world):
    return {"title": "Convocatoria directa", "body": "Texto", "requirements": "",
            "declarations": "Sin conflicto", "committee_ids": [str(world.committee.id)],
            "opens_at": "2030-01-01T09:00", "closes_at": "2030-02-01T09:00"}


def _calls():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Call))


@pytest.mark.parametrize("actor", WEB_ACTORS)
def test_direct_post_to_publish(world, as_actor, actor):
    client = as_actor(actor)
    before = _calls()
    response = client.submit(f"/calls/new?plan={world.plan.id}",
                             {**_call_form(world), "publish": "1"}, page="/")
    assert response.status_code == (302 if actor in ("admin", "anonymous") else 403)
    assert _calls() == before + (1 if actor == "admin" else 0)


@pytest.mark.parametrize("actor", WEB_ACTORS)
def test_direct_post_to_review_publishes_nothing(world, as_actor, actor):
    client = as_actor(actor)
    before = _calls()
    response = client.submit(f"/calls/new?plan={world.plan.id}", _call_form(world), page="/")
    assert response.status_code == {"admin": 200, "anonymous": 302}.get(actor, 403)
    assert _calls() == before


@pytest.mark.parametrize("actor", WEB_ACTORS)
def test_direct_post_to_extend(world, as_actor, actor):
    client = as_actor(actor)
    before = world.call.closes_at
    response = client.submit(f"/calls/{world.call.id}/edit", {"closes_at": "2040-01-01T09:00"},
                             page="/")
    assert response.status_code == (302 if actor in ("admin", "anonymous") else 403)
    db.session.expire_all()
    changed = db.session.get(Call, world.call.id).closes_at != before
    assert changed == (actor == "admin")


@pytest.mark.parametrize("actor", WEB_ACTORS)
def test_direct_post_to_decide(world, as_actor, actor):
    application = make_application(world.call, world.organisation, world.committee)
    client = as_actor(actor)
    prefix = f"application-{application.id}"
    response = client.submit(f"/calls/applications/{application.id}/decide",
                             {f"{prefix}-decision": "approve", f"{prefix}-reason": ""}, page="/")
    assert response.status_code == (302 if actor in ("admin", "anonymous") else 403)
    db.session.expire_all()
    status = db.session.get(CallApplication, application.id).status
    assert (status == ApplicationStatus.approved) == (actor == "admin")


@pytest.mark.parametrize("actor", WEB_ACTORS)
def test_direct_post_to_apply(world, as_actor, actor):
    client = as_actor(actor)
    response = client.submit(f"/calls/{world.call.id}/apply",
                             {"committee_ids": [str(world.committee.id)],
                              "declarations": ["0", "1"]}, page="/")
    assert response.status_code == (302 if actor in ("organisation", "anonymous") else 403)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(CallApplication))
    assert rows == (1 if actor == "organisation" else 0)


def test_a_refused_organisation_reads_why(world, as_actor):
    client = as_actor("unverified")
    response = client.get(f"/calls/{world.call.id}/apply")
    assert response.status_code == 403
    message = check(world.unverified, "calls.apply", world.call).reason
    from markupsafe import escape

    assert "verificar tu organización" in message
    assert str(escape(message)) in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["calls.manage", "calls.decide", "calls.apply"])
def test_every_refusal_of_a_rule_says_why(world, name):
    for actor in ACTORS:
        decision = check(getattr(world, actor), name, world.call)
        assert decision.allowed or decision.reason, (name, actor)


def test_an_unknown_call_or_application_is_404(world, as_actor):
    client = as_actor("admin")
    assert client.get("/calls/999999").status_code == 404
    assert client.get("/calls/999999/registry").status_code == 404
    assert client.get("/calls/999999/applications").status_code == 404
    assert client.get("/calls/documents/999999").status_code == 404
    assert client.get("/calls/new?plan=999999").status_code == 404
    response = client.submit("/calls/applications/999999/decide", {}, page="/")
    assert response.status_code == 404


def test_an_unpublished_call_is_404_for_everyone(world, as_actor):
    world.call.published_at = None
    db.session.commit()
    client = as_actor("admin")
    assert client.get(f"/calls/{world.call.id}").status_code == 404
    assert client.get(f"/calls/{world.call.id}/registry").status_code == 404
