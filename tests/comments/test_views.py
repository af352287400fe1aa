"""Comment pages and the thread partial: what is shown (placeholders, edited mark, controls),
bad input re-shown with 400, and hostile text kept inert."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_login import login_user

from app.comments import services
from app.comments.models import Comment
from app.comments.queries import thread_for
from app.core.db import utcnow
from app.extensions import db
from app.proposals.models import ProposalState
from tests.comments.factories import World, age, make_comment, stored_count
from tests.conftest import login
from tests.factories import HOSTILE

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> [clic](javascript:alert(1))'


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


def render_thread(app, proposal, user=None) -> str:
    """The partial as the proposal page renders it, for `user` (None: anonymous)."""
    with app.test_request_context("/"):
        if user is not None:
            login_user(user)
        return render_template("comments/_thread.html", thread=thread_for(proposal),
                               proposal=proposal)


def article(html: str, comment) -> str:
    match = re.search(rf'<article[^>]*id="comment-{comment.id}".*?</article>', html, re.S)
    assert match, f"comment {comment.id} not in the page"
    return match.group(0)


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""


# --- Posting through the pages -------------------------------------------------------------------


@pytest.mark.csrf  # this form family through a real CSRF token
def test_posting_a_comment_returns_to_it_on_the_proposal_page(world, client):
    login(client, world.citizen.email)

    response = client.submit(f"/comments/proposal/{world.proposal.id}", {"body": "Muy buena idea"})

    comment = db.session.scalar(sa.select(Comment))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/proposals/{world.proposal.reference}#comment-{comment.id}"
    )
    assert stored_count(world.proposal) == 1


def test_an_empty_comment_is_re_shown_with_400_and_an_error_at_the_field(world, client):
    login(client, world.citizen.email)

    response = client.submit(f"/comments/proposal/{world.proposal.id}", {"body": "   "})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "body")
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_the_rate_limit_re_shows_the_form_with_the_text_kept(world, client):
    for _ in range(services.RATE_LIMIT_COUNT):
        make_comment(world.proposal, author=world.citizen)
    login(client, world.citizen.email)

    response = client.submit(f"/comments/proposal/{world.proposal.id}",
                             {"body": "Mi texto <largo> y pensado"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mi texto &lt;largo&gt; y pensado" in html
    assert "10" in field_error(html, "body")
    assert stored_count(world.proposal) == services.RATE_LIMIT_COUNT


def test_a_reply_through_the_page_joins_the_thread_and_returns_to_it(world, client):
    top = make_comment(world.proposal, author=world.author)
    login(client, world.citizen.email)

    response = client.submit(f"/comments/{top.id}/reply", {"body": "Coincido"})

    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == top.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{reply.id}")


def test_the_reply_page_shows_the_comment_answered(world, client):
    top = make_comment(world.proposal, author=world.author, body="Texto del **original**")
    login(client, world.citizen.email)

    html = client.get(f"/comments/{top.id}/reply").get_data(as_text=True)
    assert "<strong>original</strong>" in html


def test_a_comment_on_a_withdrawn_proposal_is_refused_with_403(world, client):
    world.proposal.state = ProposalState.withdrawn
    db.session.commit()
    login(client, world.citizen.email)

    response = client.submit(f"/comments/proposal/{world.proposal.id}", {"body": "Hola"}, page="/")
    assert response.status_code == 403


def test_a_missing_proposal_or_comment_is_404(world, client):
    login(client, world.citizen.email)
    assert client.submit("/comments/proposal/999999", {"body": "x"}, page="/").status_code == 404
    assert client.submit("/comments/999999/reply", {"body": "x"}, page="/").status_code == 404
    assert client.submit("/comments/999999/delete", {}, page="/").status_code == 404


def test_a_blocked_account_is_refused_and_told_why(world, client):
    world.citizen.blocked_until = utcnow() + timedelta(days=3)
    world.citizen.blocked_reason = "Mensajes ofensivos"
    db.session.commit()
    login(client, world.citizen.email)

    response = client.submit(f"/comments/proposal/{world.proposal.id}", {"body": "Hola"}, page="/")

    assert response.status_code == 403
    assert "Mensajes ofensivos" in response.get_data(as_text=True)


def test_editing_through_the_page_within_the_window(world, client):
    comment = make_comment(world.proposal, author=world.author, body="Primera versión")
    login(client, world.author.email)

    page = client.get(f"/comments/{comment.id}/edit")
    assert page.status_code == 200
    assert "Primera versión" in page.get_data(as_text=True)
    response = client.submit(f"/comments/{comment.id}/edit", {"body": "Segunda versión"})

    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.body == "Segunda versión"
    assert comment.edited_at is not None


def test_the_edit_page_does_not_show_the_title_of_a_proposal_hidden_meanwhile(world, client):
    comment = make_comment(world.proposal, author=world.author, body="Primera versión")
    world.proposal.title = "Título oculto por datos personales"
    world.proposal.hidden_at = utcnow()
    world.proposal.hidden_reason = "Datos personales"
    db.session.commit()
    login(client, world.author.email)

    html = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)

    assert world.proposal.reference in html
    assert "Título oculto" not in html


def test_editing_after_the_window_is_403_and_changes_nothing(world, client):
    comment = make_comment(world.proposal, author=world.author, body="Primera versión")
    age(comment, 16)
    login(client, world.author.email)

    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    response = client.submit(f"/comments/{comment.id}/edit", {"body": "Tarde"}, page="/")
    assert response.status_code == 403
    db.session.refresh(comment)
    assert comment.body == "Primera versión"


def test_an_empty_edit_is_re_shown_with_400(world, client):
    comment = make_comment(world.proposal, author=world.author, body="Primera versión")
    login(client, world.author.email)

    response = client.submit(f"/comments/{comment.id}/edit", {"body": ""})
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "body")


def test_deleting_through_the_page(world, client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.author.email)

    response = client.submit(f"/comments/{comment.id}/delete", {}, page="/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    db.session.refresh(comment)
    assert comment.is_deleted


@pytest.mark.csrf
def test_a_post_without_the_csrf_token_is_refused(world, client):
    login(client, world.citizen.email)
    response = client.post(f"/comments/proposal/{world.proposal.id}", data={"body": "Hola"})
    assert response.status_code == 400
    assert stored_count(world.proposal) == 0


# --- The thread partial --------------------------------------------------------------------------


def test_hostile_text_in_comments_and_names_is_inert(app, world):
    comment = make_comment(world.proposal, body=XSS)

    html = article(render_thread(app, world.proposal, world.citizen), comment)

    assert "<script" not in html
    assert not re.search(r"<img[^>]*onerror", html)  # present only as escaped text
    assert "javascript:" not in re.sub(r"\s+", "", "".join(re.findall(r"<a [^>]*>", html)))
    assert "&lt;script&gt;" in html  # the author's hostile name, escaped


def test_markdown_is_rendered_and_links_are_nofollow(app, world):
    comment = make_comment(world.proposal, body="**fuerte** y [enlace](https://ejemplo.mx)")

    html = article(render_thread(app, world.proposal), comment)

    assert "<strong>fuerte</strong>" in html
    assert re.search(r'<a href="https://ejemplo.mx" rel="nofollow ugc noopener">', html)


def test_each_comment_shows_author_and_local_time(app, world):
    comment = make_comment(world.proposal, author=world.organisation)

    html = article(render_thread(app, world.proposal), comment)

    assert f'datetime="{comment.created_at.isoformat()}"' in html
    assert world.organisation.name.replace("<", "&lt;").replace(">", "&gt;")[:20] in html


def test_hidden_comments_show_the_reason_instead_of_their_text(app, world):
    comment = make_comment(world.proposal, body="Texto ofensivo secreto")
    comment.hidden_at = utcnow()
    comment.hidden_reason = "Lenguaje <b>ofensivo</b>"
    comment.hidden_by_id = world.facilitator.id
    db.session.commit()

    html = article(render_thread(app, world.proposal, world.citizen), comment)

    assert "Texto ofensivo secreto" not in html
    assert 'data-comment-state="hidden"' in html
    assert "Lenguaje &lt;b&gt;ofensivo&lt;/b&gt;" in html
    assert "<form" not in html


def test_automatically_hidden_comments_hide_their_text_too(app, world):
    comment = make_comment(world.proposal, body="Texto reportado")
    comment.hidden_at = utcnow()
    comment.hidden_reason = "pending review"
    db.session.commit()

    html = article(render_thread(app, world.proposal), comment)
    assert "Texto reportado" not in html
    assert 'data-comment-state="hidden"' in html


def test_hidden_text_placeholder_in_english(app, world, client):
    comment = make_comment(world.proposal, body="Texto reportado")
    comment.hidden_at = utcnow()
    comment.hidden_reason = "Spam"
    comment.hidden_by_id = world.facilitator.id
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        html = render_template("comments/_thread.html", thread=thread_for(world.proposal),
                               proposal=world.proposal)
    assert "Hidden by moderation: Spam" in article(html, comment)


def test_a_deleted_comment_leaves_a_placeholder_and_its_replies(app, world):
    top = make_comment(world.proposal, author=world.author, body="Lo que dije")
    reply = make_comment(world.proposal, parent=top, body="La respuesta sigue")
    services.delete_comment(world.author, top)

    html = render_thread(app, world.proposal)

    assert "Lo que dije" not in article(html, top)
    assert 'data-comment-state="deleted"' in article(html, top)
    assert "La respuesta sigue" in article(html, reply)


def test_an_edited_comment_says_so(app, world):
    comment = make_comment(world.proposal, author=world.author)
    services.edit_comment(world.author, comment, "Corregido")

    html = article(render_thread(app, world.proposal), comment)
    assert 'data-edited="true"' in html
    assert "Corregido" in html


def test_the_author_sees_edit_and_delete_others_see_reply_and_report(app, world):
    comment = make_comment(world.proposal, author=world.author)

    mine = article(render_thread(app, world.proposal, world.author), comment)
    theirs = article(render_thread(app, world.proposal, world.citizen), comment)

    assert f"/comments/{comment.id}/edit" in mine
    assert f"/comments/{comment.id}/delete" in mine
    assert "/moderation/report" not in mine
    assert f"/comments/{comment.id}/edit" not in theirs
    assert f"/comments/{comment.id}/delete" not in theirs
    assert f"/comments/{comment.id}/reply" in theirs
    assert f"/moderation/report?target_type=comment&amp;target_id={comment.id}" in theirs


def test_the_edit_control_disappears_after_the_window(app, world):
    comment = make_comment(world.proposal, author=world.author, minutes_ago=16)

    html = article(render_thread(app, world.proposal, world.author), comment)
    assert f"/comments/{comment.id}/edit" not in html
    assert f"/comments/{comment.id}/delete" in html


def test_anonymous_visitors_read_and_are_invited_to_log_in(app, world):
    comment = make_comment(world.proposal, body="Visible para todos")

    html = render_thread(app, world.proposal)

    assert "Visible para todos" in html
    assert "<form" not in html
    assert "/account/login" in html
    assert f"/comments/{comment.id}/reply" not in html


def test_a_blocked_account_sees_why_and_until_when_instead_of_the_form(app, world):
    world.citizen.blocked_until = utcnow() + timedelta(days=3)
    world.citizen.blocked_reason = "Spam <repetido>"
    db.session.commit()

    html = render_thread(app, world.proposal, world.citizen)

    assert 'data-blocked="true"' in html
    assert "Spam &lt;repetido&gt;" in html
    assert f"/comments/proposal/{world.proposal.id}" not in html


def test_a_closed_proposal_shows_no_comment_form(app, world):
    make_comment(world.proposal)
    world.proposal.state = ProposalState.merged
    db.session.commit()

    html = render_thread(app, world.proposal, world.citizen)
    assert f"/comments/proposal/{world.proposal.id}" not in html
    assert "/reply" not in html


def test_the_proposal_page_shows_the_thread(world, client):
    comment = make_comment(world.proposal, body="Comentario en la página")

    response = client.get(f"/proposals/{world.proposal.reference}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Comentario en la página" in article(html, comment)
    assert HOSTILE not in html
