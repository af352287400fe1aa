"""The first half of co-creation, in a real browser, as people would do it: a citizen proposes,
another supports and comments, the facilitator answers and puts it on a table's agenda, and the
first citizen learns of it through the bell."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.core.db import utcnow
from app.dialogues import services as dialogues
from app.dialogues.models import AgendaItem
from app.extensions import db
from app.proposals.models import Proposal, ProposalState, Support
from tests.browser.conftest import (
    DESKTOP,
    _new_page,
    _problems,
    browser_problems,
    check_axe,
    log_in,
)
from tests.factories import make_committee, make_moderator, make_plan, make_theme, make_user

pytestmark = pytest.mark.browser

TITLE = "Faltan rampas en las banquetas del Centro Histórico"
BODY = (
    "Las banquetas de la calle **Negrete** no tienen rampas.\n\n"
    "- Quienes usan silla de ruedas bajan al arroyo vehicular\n- También las carriolas"
)
PLACE = "Centro Histórico, Durango"
COMMENT = "Mi mamá usa andadera y no puede cruzar en la esquina con Zaragoza."
ANSWER = "Pedimos a Obras Públicas el inventario de rampas de la zona antes de decidir."
NOTE = "Traigan fotos de las esquinas más difíciles."


@pytest.fixture
def second_page(browser, live_server):
    """Another person's browser: a separate context with its own cookies."""
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    _problems.pop(page, None)
    context.close()


@pytest.fixture
def third_page(browser, live_server):
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    _problems.pop(page, None)
    context.close()


def _fresh_read():
    # The browser's requests commit in the server thread; start a new transaction to see them.
    db.session.rollback()


def test_citizen_proposes_another_supports_facilitator_answers_and_the_author_is_told(
    page, second_page, third_page
):
    plan = make_plan()
    committee = make_committee(plan, name="Comité Municipal de Durango")
    make_committee(plan, name="Comité Estatal")
    theme = make_theme(plan, name="Movilidad y accesibilidad")
    ana = make_user(email="ana@example.org", name="Ana López Rentería")
    beto = make_user(email="beto@example.org", name="Beto Soto Quiñones")
    lucia = make_moderator(committee, email="lucia@example.org", name="Lucía Facilitadora")
    starts = utcnow() + timedelta(days=5)
    table = dialogues.create_table(lucia, committee, {
        "title": "Mesa de accesibilidad urbana", "objective": "Priorizar esquinas.",
        "theme_id": theme.id, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
        "place": "Sala de Cabildo", "online_url": None, "capacity": 20,
        "registration_deadline": starts - timedelta(days=1),
    })
    db.session.commit()  # services only flush; the browser's requests read committed rows
    table_id, table_title = table.id, table.title

    # --- Ana proposes a public problem through the form.
    log_in(page, ana.email)
    page.locator("nav.main-nav a[href='/proposals/']").click()
    with page.expect_navigation():
        page.locator("main a[href='/proposals/new']").click()
    page.locator("#title").fill(TITLE)
    page.locator("#committee_id").select_option(label="Comité Municipal de Durango")
    page.locator("#theme_id").select_option(label="Movilidad y accesibilidad")
    page.locator("#place").fill(PLACE)
    page.locator("#body").fill(BODY)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # The preview (issue 14), then publishing.
    with page.expect_navigation():
        page.locator("main form.preview-actions button[value=publish]").click()

    _fresh_read()
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.author_id == ana.id))
    assert proposal is not None, "the proposal is stored"
    reference = proposal.reference
    assert page.url.endswith(f"/proposals/{reference}"), "the author lands on the new page"
    assert page.locator("article.proposal .eyebrow").inner_text() == reference
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".flash-success").inner_text().count(reference) == 1
    assert page.locator(".proposal-body strong").inner_text() == "Negrete", "Markdown rendered"
    assert PLACE in page.locator("dl.facts").inner_text()
    assert proposal.committee_id == committee.id and proposal.theme_id == theme.id
    assert proposal.state == ProposalState.submitted

    # --- Beto finds it in the list, supports it and comments.
    log_in(second_page, beto.email)
    second_page.goto("/proposals/")
    with second_page.expect_navigation():
        second_page.locator(f"li[data-reference='{reference}'] h3 a").click()
    assert second_page.url.endswith(f"/proposals/{reference}")
    assert second_page.locator(".support-count").get_attribute("data-supports") == "0"
    with second_page.expect_navigation():
        second_page.locator("#support button[type=submit]").click()
    assert second_page.locator(".support-count").get_attribute("data-supports") == "1"
    assert second_page.locator("#support form button").count() == 1, "now he may remove it"

    second_page.locator("#new-comment-body").fill(COMMENT)
    with second_page.expect_navigation():
        second_page.locator("form.comment-form button[type=submit]").click()
    comment = second_page.locator("article.comment").filter(has_text=COMMENT)
    assert comment.count() == 1
    assert comment.locator(".comment-author").inner_text() == "Beto Soto Quiñones"
    assert second_page.locator("[data-comment-count]").get_attribute("data-comment-count") == "1"

    _fresh_read()
    assert db.session.scalar(
        sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal.id)
    ) == 1
    assert db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(Comment.proposal_id == proposal.id)
    ) == 1

    # --- Lucía, facilitator of the committee, answers with a change of state...
    log_in(third_page, lucia.email)
    third_page.goto(f"/proposals/{reference}")
    panel = third_page.locator(".facilitator-panel")
    panel.locator("#state-state").select_option(ProposalState.under_review.value)
    panel.locator("#state-answer").fill(ANSWER)
    with third_page.expect_navigation():
        panel.locator("form").first.locator("button[type=submit]").click()
    assert third_page.locator("h1").inner_text() == TITLE
    assert third_page.locator("[data-state]").first.get_attribute("data-state") == "under_review"
    answer = third_page.locator(".proposal-answers li[data-to-state=under_review]")
    assert ANSWER in answer.inner_text()

    # ... and puts it on the agenda of her committee's table, which moves it in_dialogue.
    third_page.goto(f"/tables/{table_id}")
    with third_page.expect_navigation():
        third_page.locator("nav.subnav a[href$='/agenda']").click()
    third_page.locator("#references").fill(reference.lower())
    third_page.locator("#note").fill(NOTE)
    with third_page.expect_navigation():
        third_page.locator("main form button[type=submit]").click()
    assert third_page.locator(".flash-success").count() == 1
    assert third_page.locator(f".agenda-list li[data-proposal='{reference}']").count() == 1
    third_page.goto(f"/tables/{table_id}")
    assert third_page.locator(f".agenda-list li[data-proposal='{reference}']").count() == 1

    _fresh_read()
    assert db.session.get(Proposal, proposal.id).state == ProposalState.in_dialogue
    assert db.session.scalar(
        sa.select(AgendaItem.id).where(AgendaItem.table_id == table_id,
                                       AgendaItem.proposal_id == proposal.id)
    ) is not None

    # --- Ana sees the bell, the notifications, and the answers on her proposal.
    page.goto("/")
    bell = page.locator("header a.bell")
    assert bell.get_attribute("data-unread") == "2", "one notification per answer"
    assert bell.locator(".bell-count").inner_text() == "2"
    with page.expect_navigation():
        bell.click()
    assert page.url.endswith("/notifications/")
    unread = page.locator("li.notification[data-unread=true]")
    assert unread.count() == 2
    for text in unread.locator(".notification-text").all_inner_texts():
        assert reference in text and TITLE in text
    check_axe(page)

    with page.expect_navigation():
        unread.first.locator("button.notification-text").click()
    assert page.url.split("#")[0].endswith(f"/proposals/{reference}"), "it opens the proposal"
    states = page.locator(".proposal-answers > li")
    assert [s.get_attribute("data-to-state") for s in states.all()] == [
        "under_review", "in_dialogue"]
    assert ANSWER in states.nth(0).inner_text()
    agenda_answer = states.nth(1).inner_text()
    assert table_title in agenda_answer and NOTE in agenda_answer
    assert ".." not in agenda_answer, "the time's «a.m.» and the sentence share one period"
    assert page.locator("[data-state]").first.get_attribute("data-state") == "in_dialogue"
    assert page.locator("header a.bell").get_attribute("data-unread") == "1", "one was read"

    # Beto, a supporter, was told too; nobody's browser logged an error on the way.
    second_page.goto("/notifications/")
    assert second_page.locator("li.notification[data-unread=true]").count() == 2
    for p in (page, second_page, third_page):
        assert not browser_problems(p), browser_problems(p)
