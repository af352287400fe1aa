"""Announcements: the guarantor body writes drafts, edits them (audited), publishes and
unpublishes; the public sees only published ones, on /news/, the home page and the feed."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.announcements import services
from app.announcements.models import Announcement
from app.core.audit import AuditEntry
from app.core.errors import PermissionDenied, ValidationError
from app.extensions import db
from tests.conftest import login
from tests.factories import HOSTILE, make_admin, make_committee, make_moderator, make_user
from tests.querycount import count_queries


@pytest.fixture
def plan(app):
    return make_committee().plan


@pytest.fixture
def admin(app):
    return make_admin()


def write(admin, plan, n=1, publish=True, **changes):
    data = {"title": f"Aviso {n} {HOSTILE}", "body": f"**Texto {n}** {HOSTILE}"}
    data.update(changes)
    announcement = services.create_announcement(admin, plan, data)
    if publish:
        services.publish_announcement(admin, announcement)
    return announcement


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- services

def test_a_new_announcement_is_a_draft(admin, plan):
    announcement = write(admin, plan, publish=False)
    assert announcement.published_at is None and announcement.author_id == admin.id


@pytest.mark.parametrize("who", ["citizen", "facilitator", "unconfirmed"])
def test_only_the_guarantor_body_writes(plan, who):
    actor = {"citizen": lambda: make_user(),
             "facilitator": lambda: make_moderator(plan.committees[0]),
             "unconfirmed": lambda: make_admin(confirmed=False)}[who]()
    with pytest.raises(PermissionDenied):
        services.create_announcement(actor, plan, {"title": "x", "body": "y"})


def test_title_and_body_are_required(admin, plan):
    with pytest.raises(ValidationError) as refused:
        services.create_announcement(admin, plan, {"title": " ", "body": ""})
    assert set(refused.value.details["errors"]) == {"title", "body"}


def test_editing_is_audited_with_the_previous_text(admin, plan):
    announcement = write(admin, plan)
    assert services.edit_announcement(admin, announcement, {"title": "Nuevo", "body": "Otro"})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "announcements.edit"))
    assert entry.data["previous_body"].startswith("**Texto 1**")
    assert not services.edit_announcement(admin, announcement, {"title": "Nuevo", "body": "Otro"})


def test_publishing_twice_records_once_and_unpublishing_hides(admin, plan):
    announcement = write(admin, plan, publish=False)
    assert services.publish_announcement(admin, announcement)
    assert not services.publish_announcement(admin, announcement)
    assert announcement.published_at is not None
    assert services.unpublish_announcement(admin, announcement)
    assert announcement.published_at is None
    assert not services.unpublish_announcement(admin, announcement)
    actions = db.session.scalars(sa.select(AuditEntry.action)
                                 .where(AuditEntry.action.like("announcements.%"))).all()
    assert actions.count("announcements.publish") == 1


# ---------------------------------------------------------------- pages

def test_drafts_are_invisible_to_the_public(admin, plan, client):
    draft = write(admin, plan, 1, publish=False, title="Borrador secreto")
    shown = write(admin, plan, 2, title="Aviso publicado")
    html = text(client.get("/news/"))
    assert "Aviso publicado" in html and "Borrador secreto" not in html
    assert client.get(f"/news/{draft.id}").status_code == 404
    assert client.get(f"/news/{shown.id}").status_code == 200
    assert "Borrador secreto" not in text(client.get("/"))
    assert "Borrador secreto" not in text(client.get("/feeds/news.atom"))


def test_hostile_text_is_escaped_and_markdown_rendered(admin, plan, client):
    announcement = write(admin, plan)
    html = text(client.get(f"/news/{announcement.id}"))
    assert "<strong>Texto 1</strong>" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "Aviso 1 &lt;script&gt;" in html
    listing = text(client.get("/news/"))
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing


def test_the_home_page_shows_the_latest_three(admin, plan, client):
    for n in range(1, 5):
        write(admin, plan, n, title=f"Aviso número {n}")
    html = text(client.get("/"))
    assert "Aviso número 4" in html and "Aviso número 2" in html
    assert "Aviso número 1" not in html


def test_the_list_pages_with_a_fixed_number_of_queries(admin, plan, client):
    write(admin, plan, 1)
    with count_queries() as few:
        assert client.get("/news/").status_code == 200
    for n in range(2, 13):
        write(admin, plan, n)
    with count_queries() as many:
        html = text(client.get("/news/"))
    assert len(many) == len(few)
    assert html.count('data-announcement="') == 10 and 'rel="next"' in html
    assert text(client.get("/news/?page=2")).count('data-announcement="') == 2


def test_the_feed_lists_published_announcements(admin, plan, client):
    announcement = write(admin, plan, title="Aviso del feed <b>x</b>")
    response = client.get("/feeds/news.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    body = text(response)
    assert f"/news/{announcement.id}" in body
    assert "Aviso del feed &lt;b&gt;x&lt;/b&gt;" in body and "<b>x</b>" not in body
    assert "<script>" not in body


@pytest.mark.parametrize("who, status", [(None, 302), ("citizen", 403), ("admin", 200)])
def test_who_reaches_the_management_pages(plan, client, who, status):
    if who:
        login(client, (make_admin() if who == "admin" else make_user()).email)
    assert client.get("/news/manage").status_code == status
    assert client.get("/news/new").status_code == status


def test_writing_editing_and_publishing_through_the_pages(admin, plan, client):
    login(client, admin.email)
    response = client.submit("/news/new", {"title": "Título conservado", "body": ""})
    assert response.status_code == 400
    assert "Título conservado" in text(response)
    assert client.submit("/news/new", {"title": "Aviso", "body": "Texto"}).status_code == 302
    announcement = db.session.scalar(sa.select(Announcement))
    assert "Aviso" in text(client.get("/news/manage"))
    response = client.submit(f"/news/{announcement.id}/edit", {"title": "Aviso corregido",
                                                               "body": "Texto"})
    assert response.status_code == 302
    assert client.submit(f"/news/{announcement.id}/publish").status_code == 302
    assert "Aviso corregido" in text(client.get("/news/"))
    assert client.submit(f"/news/{announcement.id}/unpublish").status_code == 302
    assert client.get(f"/news/{announcement.id}").status_code == 404


def test_an_update_after_publication_is_shown(admin, plan, client, clock):
    announcement = write(admin, plan)
    clock(int(timedelta(days=2).total_seconds()))
    services.edit_announcement(admin, announcement, {"title": "Corregido", "body": "Texto"})
    html = text(client.get(f"/news/{announcement.id}"))
    assert "Corregido" in html and "actualizado el" in html
