"""Bad input never becomes a 500: huge ids in addresses and query strings, NUL characters.

PostgreSQL refuses NUL in text and numbers beyond its INTEGER; SQLite raises OverflowError past
64 bits. These requests reached the database before the guards in app/core/urls.py and
app/core/requests.py, and answered 500 on one database or the other.
"""
import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.extensions import db
from tests.comments.factories import World, make_comment
from tests.conftest import login

HUGE = "99999999999999999999999"
BEYOND_INT4 = str(2**31)


@pytest.fixture
def world(app):
    return World()


@pytest.mark.parametrize("url", [
    f"/tables/{HUGE}", f"/tables/{BEYOND_INT4}", f"/tables/{HUGE}/calendar.ics",
    f"/comments/{HUGE}/reply", f"/comments/proposal/{BEYOND_INT4}",
    "/proposals/%00", "/proposals/DGO-2026-%00",
])
def test_an_address_with_an_impossible_id_or_a_nul_is_404(world, client, url):
    login(client, world.citizen.email)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", [
    f"/tables/?page={HUGE}", f"/tables/?committee={HUGE}", f"/tables/?committee={BEYOND_INT4}",
    "/tables/?page=abc", "/tables/?page=-4",
    f"/moderation/log?page={HUGE}", f"/moderation/log?committee={HUGE}", "/moderation/log?page=abc",
    "/proposals/?q=%00", "/proposals/?q=pobla%00cion", "/proposals/?municipality=%00",
    f"/notifications/?page={HUGE}",
])
def test_bad_query_strings_answer_200(world, client, query):
    login(client, world.citizen.email)
    assert client.get(query).status_code == 200


def test_reporting_an_impossible_id_is_404(world, client):
    login(client, world.citizen.email)
    response = client.get(f"/moderation/report?target_type=comment&target_id={BEYOND_INT4}")
    assert response.status_code == 404


def test_a_post_to_an_impossible_id_is_404(world, client):
    login(client, world.citizen.email)
    response = client.submit(f"/notifications/{HUGE}/read", {}, page="/account/profile")
    assert response.status_code == 404


def test_nul_characters_are_dropped_from_what_people_send(world, client):
    """A comment with a NUL is stored without it (PostgreSQL would refuse the whole row)."""
    login(client, world.citizen.email)
    response = client.submit(f"/comments/proposal/{world.proposal.id}",
                             {"body": "Sin\x00 nulos"}, page="/account/profile")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Comment.body)) == "Sin nulos"


def test_nul_characters_in_a_search_still_search(world, client):
    world.proposal.title = "Población sin agua"
    world.proposal.search_text = "poblacion sin agua"
    db.session.commit()
    response = client.get("/proposals/?q=pobla%00cion")
    assert response.status_code == 200
    assert world.proposal.reference in response.get_data(as_text=True)


def test_nul_in_a_moderation_reason_and_a_report_is_dropped(world, client, other_client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.citizen.email)
    response = client.submit("/moderation/report", {
        "target_type": "comment", "target_id": comment.id, "reason": "other",
        "details": "Datos\x00 personales",
    }, page="/account/profile")
    assert response.status_code == 302
    login(other_client, world.facilitator.email)
    response = other_client.submit(f"/moderation/comment/{comment.id}/hide",
                                   {"reason": "Expone\x00 datos"}, page="/account/profile")
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.hidden_reason == "Expone datos"


def test_a_huge_number_in_a_query_string_is_bad_input_not_a_server_error(client):
    from tests.factories import make_admin

    admin = make_admin()
    from tests.conftest import login

    login(client, admin.email)
    for url in ("/commitments/new?committee=99999999999999999999", "/calls/new?plan=99999999999999999999"):
        response = client.get(url)
        assert response.status_code in (400, 403, 404), (url, response.status_code)
