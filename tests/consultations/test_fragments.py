"""The consultation page keeps each part's thread as a fragment (app/core/fragments.py): a change
shows on the next request, and viewers never see each other's forms or links."""
import re

import pytest

from app.comments import services as comment_services
from app.consultations import services
from app.consultations.models import ConsultationOutcome
from app.core import fragments
from app.extensions import db
from app.moderation import services as moderation
from tests.conftest import login_as
from tests.consultations.factories import World, make_answer, make_comment, make_consultation


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def page(client, world) -> str:
    response = client.get(f"/consultations/commitment/{world.commitment.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def article(html: str, comment) -> str:
    match = re.search(rf'<article[^>]*id="comment-{comment.id}".*?</article>', html, re.S)
    assert match, f"comment {comment.id} not in the page"
    return match.group(0)


def test_comments_answers_and_hides_show_on_the_next_request(world, client):
    make_consultation(world.commitment)
    first = make_comment(world.commitment, world.author, "problem", body="Primera observación")
    assert "Primera observación" in page(client, world)

    comment_services.post_comment(world.citizen, world.commitment, "Segunda observación", section="problem")
    assert "Segunda observación" in page(client, world)

    answer = make_answer(first, by=world.facilitator, reason="Se incorpora tal cual")
    assert 'data-answered="true"' in article(page(client, world), first)
    services.answer_comment(world.facilitator, first, ConsultationOutcome.not_incorporated,
                            "Se descarta por duplicada", update=True)
    db.session.refresh(answer)
    assert "Se descarta por duplicada" in article(page(client, world), first)

    moderation.hide_content(world.facilitator, first, "Insultos")
    html = article(page(client, world), first)
    assert 'data-comment-state="hidden"' in html and "Primera observación" not in html


def test_viewers_never_see_each_others_forms_or_links(app, world):
    make_consultation(world.commitment)
    mine = make_comment(world.commitment, world.author, "problem", body="Del autor")
    theirs = make_comment(world.commitment, world.citizen, "problem", body="De la ciudadana")
    author, citizen, facilitator = app.test_client(), app.test_client(), app.test_client()
    login_as(author, world.author)
    login_as(citizen, world.citizen)
    login_as(facilitator, world.facilitator)

    for _round in range(2):  # the second round is served from the cache
        as_author, as_citizen, as_facilitator = (page(author, world), page(citizen, world),
                                                 page(facilitator, world))
        assert "/moderation/report" not in article(as_author, mine)
        assert f"target_id={theirs.id}" in article(as_author, theirs)
        assert f"target_id={mine.id}" in article(as_citizen, mine)
        assert "/moderation/report" not in article(as_citizen, theirs)
        for html in (as_author, as_citizen):
            assert f"/consultations/comments/{mine.id}/answer" not in html
        assert f"/consultations/comments/{mine.id}/answer" in as_facilitator
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
              for html in (as_author, as_citizen, as_facilitator)}
    assert len(tokens) == 3
    assert "@@csrf-token@@" not in as_author + as_citizen + as_facilitator
    assert "<!--slot:" not in as_author + as_citizen + as_facilitator


def test_a_cached_page_does_not_read_the_comments_again(app, world, client):
    make_consultation(world.commitment)
    make_comment(world.commitment, world.author, "problem")
    page(client, world)
    kept = len(fragments.cache_of(app).local)
    assert kept >= 1
    from tests.querycount import count_queries

    with count_queries() as statements:
        page(client, world)
    assert len(fragments.cache_of(app).local) == kept
    assert not any("ORDER BY comments.created_at" in s for s in statements)
