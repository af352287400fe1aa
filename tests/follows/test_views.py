"""The follow button on each kind's page (POST, back to the page, the count), the Following page
and its panel block, and refusals (anonymous, unknown kind, a next that leaves the site)."""
import pytest
import sqlalchemy as sa
from flask import render_template_string

from app.extensions import db
from app.follows import services
from app.follows.models import Follow
from tests.conftest import login
from tests.factories import make_user
from tests.follows.factories import KINDS
from tests.progress.factories import make_commitment
from tests.querycount import count_queries


def page_of(world, kind) -> str:
    return {"proposal": f"/proposals/{world.proposal.reference}",
            "commitment": f"/commitments/{world.commitment.id}",
            "committee": f"/committees/{world.committee.slug}",
            "table": f"/tables/{world.table.id}",
            "election": f"/elections/{world.election.id}"}[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_the_button_on_each_page_follows_and_returns_to_it(world, client, kind):
    login(client, world.citizen.email)
    page = page_of(world, kind)
    html = client.get(page).get_data(as_text=True)
    target_id = world.target(kind).id
    action = f"/following/{kind}/{target_id}/follow"
    assert f'action="{action}"' in html and 'data-followers="0"' in html
    response = client.submit(action, {"next": page}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{page}#follow")
    html = client.get(page).get_data(as_text=True)
    assert 'data-followers="1"' in html and f'action="/following/{kind}/{target_id}/unfollow"' in html


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    html = client.get(page_of(world, "committee")).get_data(as_text=True)
    assert "/account/login?next=" in html
    response = client.submit(f"/following/committee/{world.committee.id}/follow", {})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Follow.id))) == 0


def test_unknown_kinds_and_hidden_things_are_404_and_next_stays_on_the_site(world, client):
    login(client, world.citizen.email)
    assert client.submit("/following/planet/1/follow", {}).status_code == 404
    draft = make_commitment(world, state=world.draft.state)
    assert client.submit(f"/following/commitment/{draft.id}/follow", {}).status_code == 404
    response = client.submit(f"/following/committee/{world.committee.id}/follow",
                             {"next": "https://evil.example.org/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_the_following_page_groups_shows_and_unfollows(world, client):
    login(client, world.citizen.email)
    assert "data-kind=" not in client.get("/following/").get_data(as_text=True)
    services.follow(world.citizen, "proposal", world.proposal.id)
    services.follow(world.citizen, "table", world.table.id)
    db.session.commit()
    html = client.get("/following/").get_data(as_text=True)
    assert 'data-kind="proposal"' in html and 'data-kind="table"' in html
    assert world.proposal.reference in html
    response = client.submit(f"/following/table/{world.table.id}/unfollow",
                             {"next": "/following/"}, page="/following/")
    assert response.status_code == 302
    assert 'data-kind="table"' not in client.get("/following/").get_data(as_text=True)


def test_the_following_page_does_not_grow_with_what_is_followed(world, client):
    login(client, world.citizen.email)

    def statements() -> int:
        client.get("/following/")
        db.session.expire_all()
        with count_queries() as sent:
            assert client.get("/following/").status_code == 200
        return len(sent)

    services.follow(world.citizen, "commitment", world.commitment.id)
    db.session.commit()
    few = statements()
    for _ in range(8):
        services.follow(world.citizen, "commitment", make_commitment(world).id)
    services.follow(world.citizen, "committee", world.committee.id)
    services.follow(world.citizen, "committee", world.other_committee.id)
    db.session.commit()
    many = statements()
    assert many <= few + 2  # one more kind: its load and its one source of changes


def test_the_panel_block_lists_the_latest_followed(world, app):
    person = make_user()
    services.follow(person, "proposal", world.proposal.id)
    db.session.commit()
    with app.test_request_context("/"):
        html = render_template_string('{% include "follows/_panel.html" %}', current_user=person)
    assert world.proposal.reference in html and "/following/" in html
