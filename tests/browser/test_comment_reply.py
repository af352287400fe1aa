"""Replying to a comment on a proposal: with JavaScript the thread's one reply form opens under the
comment; without it, "Reply" leads to the reply page. Either way the reply is published."""
import pytest

from app.extensions import db
from tests.browser.conftest import browser_problems, log_in
from tests.comments.factories import World, make_comment

pytestmark = pytest.mark.browser


def _world():
    world = World()
    comment = make_comment(world.proposal, author=world.author, body="La banqueta está rota.")
    db.session.commit()
    return world, comment


def test_reply_opens_in_place_with_javascript(page):
    world, comment = _world()
    log_in(page, world.citizen.email)
    page.goto(f"/proposals/{world.proposal.reference}")
    article = page.locator(f"#comment-{comment.id}")
    article.locator("a.comment-reply").click()
    textarea = article.locator(f"#reply-{comment.id}-body")
    assert textarea.is_visible() and textarea.evaluate("node => node === document.activeElement")
    assert article.locator(f"label[for=reply-{comment.id}-body]").count() == 1
    textarea.fill("Coincido, y también falta la rampa.")
    with page.expect_navigation():
        article.locator("form.comment-reply-form button[type=submit]").click()
    assert page.locator(".comment-replies .comment").filter(has_text="también falta la rampa").count() == 1
    assert not browser_problems(page), browser_problems(page)


def test_reply_works_without_javascript(browser, live_server):
    world, comment = _world()
    context = browser.new_context(base_url=live_server, locale="es-MX", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, world.citizen.email)
        page.goto(f"/proposals/{world.proposal.reference}")
        with page.expect_navigation():
            page.locator(f"#comment-{comment.id} a.comment-reply").click()
        assert page.url.endswith(f"/comments/{comment.id}/reply")
        page.locator("textarea[name=body]").fill("Sin JavaScript también se puede.")
        with page.expect_navigation():
            page.locator("main form[action$='/reply'] button[type=submit]").click()
        assert page.locator(".comment-replies .comment").filter(has_text="Sin JavaScript").count() == 1
    finally:
        context.close()
