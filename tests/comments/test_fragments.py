"""The proposal page's thread is kept as a fragment (app/core/fragments.py): a change shows on the
next request, two viewers never see each other's controls, and a page costs the same statements
whatever the number of comments."""
import re
from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.comments import services
from app.core import fragments
from app.core.db import utcnow
from app.extensions import db
from app.moderation import services as moderation
from tests.comments.factories import World, make_comment
from tests.conftest import login_as
from tests.factories import make_user
from tests.querycount import count_queries


def page(client, proposal, **args) -> str:
    response = client.get(f"/proposals/{proposal.reference}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def article(html: str, comment) -> str:
    match = re.search(rf'<article[^>]*id="comment-{comment.id}".*?</article>', html, re.S)
    assert match, f"comment {comment.id} not in the page"
    return match.group(0)


def fragment_count(app) -> int:
    """The threads kept (the proposal's page keeps its body as a fragment of its own)."""
    return sum(1 for key in fragments.cache_of(app).local if key.startswith("comments.thread:"))


def test_the_thread_is_rendered_once_and_served_from_the_cache(app, client):
    world = World()
    make_comment(world.proposal, body="Primera")
    db.session.commit()
    page(client, world.proposal)
    assert fragment_count(app) == 1
    with count_queries() as statements:
        assert "Primera" in page(client, world.proposal)
    assert fragment_count(app) == 1
    assert not any("FROM comments" in s and "ORDER BY comments.created_at" in s for s in statements), \
        "a cached thread is not read again"


def test_a_new_comment_an_edit_and_a_deletion_show_on_the_next_request(client):
    world = World()
    comment = make_comment(world.proposal, author=world.author, body="Original")
    db.session.commit()
    assert "Original" in page(client, world.proposal)

    services.post_comment(world.citizen, world.proposal, "Recién llegado")
    assert "Recién llegado" in page(client, world.proposal)

    services.edit_comment(world.author, comment, "Corregido")
    html = page(client, world.proposal)
    assert "Corregido" in html and "Original" not in html
    assert 'data-edited="true"' in article(html, comment)

    services.delete_comment(world.author, comment)
    assert 'data-comment-state="deleted"' in article(page(client, world.proposal), comment)


def test_a_moderation_hide_shows_on_the_next_request(client):
    world = World()
    comment = make_comment(world.proposal, body="Texto discutido")
    db.session.commit()
    assert "Texto discutido" in page(client, world.proposal)

    moderation.hide_content(world.facilitator, comment, "Insultos")
    html = article(page(client, world.proposal), comment)
    assert 'data-comment-state="hidden"' in html and "Texto discutido" not in html


def test_each_locale_has_its_own_fragment(client):
    world = World()
    comment = make_comment(world.proposal)
    comment.edited_at = comment.created_at
    db.session.commit()
    assert "(editado" in article(page(client, world.proposal, lang="es_MX"), comment)
    assert "(edited" in article(page(client, world.proposal, lang="en"), comment)


def test_an_authors_new_role_shows_its_badge(client):
    world = World()
    comment = make_comment(world.proposal, author=world.author)
    db.session.commit()
    assert 'class="badge"' not in article(page(client, world.proposal), comment)
    world.author.role = Role.admin
    db.session.commit()
    assert 'class="badge"' in article(page(client, world.proposal), comment)


def test_a_viewer_blocked_meanwhile_loses_the_reply_forms(client):
    world = World()
    comment = make_comment(world.proposal, author=world.author)
    db.session.commit()
    login_as(client, world.citizen)
    assert f"/comments/{comment.id}/reply" in article(page(client, world.proposal), comment)

    world.citizen.blocked_until = utcnow() + timedelta(days=7)
    world.citizen.blocked_reason = "Spam"
    db.session.commit()
    html = article(page(client, world.proposal), comment)
    assert f"/comments/{comment.id}/reply" not in html
    assert "/moderation/report" not in html


def test_two_viewers_never_see_each_others_controls(app):
    world = World()
    mine = make_comment(world.proposal, author=world.author, body="Del autor")
    theirs = make_comment(world.proposal, author=world.citizen, body="De la ciudadana")
    db.session.commit()
    author, citizen = app.test_client(), app.test_client()
    login_as(author, world.author)
    login_as(citizen, world.citizen)

    for _round in range(2):  # the second round is served from the cache
        as_author, as_citizen = page(author, world.proposal), page(citizen, world.proposal)
        assert f"/comments/{mine.id}/edit" in article(as_author, mine)
        assert f"/comments/{mine.id}/delete" in article(as_author, mine)
        assert "/moderation/report" not in article(as_author, mine)
        assert f"target_id={theirs.id}" in article(as_author, theirs)
        assert f"/comments/{theirs.id}/edit" not in article(as_author, theirs)

        assert f"/comments/{theirs.id}/edit" in article(as_citizen, theirs)
        assert f"/comments/{mine.id}/edit" not in article(as_citizen, mine)
        assert f"/comments/{mine.id}/delete" not in article(as_citizen, mine)
        assert f"target_id={mine.id}" in article(as_citizen, mine)
    assert fragment_count(app) == 1, "one shared thread for both"
    # Each page carries its own viewer's CSRF token in the reply forms.
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
              for html in (as_author, as_citizen)}
    assert len(tokens) == 2
    assert "@@csrf-token@@" not in as_author + as_citizen


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_proposal_page_costs_the_same_statements_with_more_comments(app, signed_in):
    counts = []
    for size in (2, 40):
        world = World()
        authors = [make_user() for _ in range(5)]
        tops = []
        for i in range(size):
            parent = tops[-1] if i % 3 == 2 else None
            comment = make_comment(world.proposal, author=authors[i % 5], parent=parent)
            if parent is None:
                tops.append(comment)
        make_comment(world.proposal, author=world.citizen)
        db.session.commit()
        client = app.test_client()
        if signed_in:
            login_as(client, world.citizen)
        page(client, world.proposal)  # warm: the thread is in the cache
        with count_queries() as statements:
            html = page(client, world.proposal)
        assert html.count("data-comment-id=") == size + 1
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_reply_form_is_in_the_page_once_and_each_comment_links_to_its_reply_page(client):
    """Not a form per comment (the page of a 200-comment thread was twice the anonymous one): one
    form in a <template> that comment-reply.js opens in place, and a link that works without it."""
    world = World()
    comments = [make_comment(world.proposal, body=f"Comentario {n}") for n in range(3)]
    db.session.commit()
    login_as(client, world.citizen)
    html = page(client, world.proposal)
    assert html.count('<template id="comment-reply-form">') == 1
    assert html.count('class="form comment-reply-form"') == 1
    thread = html[html.index('id="comments"'):]
    assert thread.count("<textarea") == 2  # the new comment's and the template's
    assert "js/comment-reply.js" in html
    for comment in comments:
        assert f'class="button button-small button-secondary comment-reply" href="/comments/{comment.id}/reply"' \
            in article(html, comment)
    assert '<form method="post"' not in article(html, comments[0])
    reply_page = client.get(f"/comments/{comments[0].id}/reply").get_data(as_text=True)
    assert 'name="body"' in reply_page and "Comentario 0" in reply_page  # the way without JavaScript
