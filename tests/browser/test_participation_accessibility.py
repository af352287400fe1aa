"""axe-core finds no serious or critical problem on the pages of proposals, comments, dialogue
tables, moderation and notifications, filled with real content; screenshots for a human."""

import pytest

from tests.browser.conftest import (
    assert_no_sideways_scroll,
    check_axe,
    screenshot,
    sign_in,
)
from tests.browser.participation_data import (
    AUTHOR_EMAIL,
    FACILITATOR_EMAIL,
    SUPPORTER_EMAIL,
    build_world,
)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.shared_context]


@pytest.fixture(scope="module")
def world(world_templates):
    return world_templates.share(build_world)


def shot(page, name: str) -> None:
    screenshot(page, f"issue3/{name}")


def open_all_details(page) -> None:
    """Open every <details> (reply, report, moderation acts), so that axe checks their forms."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def test_proposal_list_with_filters_is_accessible(page, world):
    page.goto("/proposals/")
    assert int(page.locator(".results-count").get_attribute("data-total")) == 5
    assert page.locator("form.proposal-filters select").count() == 5
    shot(page, "proposal-list-desktop")
    check_axe(page)

    # Filtered, sorted and searched: the "clear filters" link and a shorter list.
    page.locator("#committee").select_option(str(world.committee.id))
    page.locator("#sort").select_option("supported")
    page.locator("#q").fill("alumbrado")
    with page.expect_navigation():
        page.locator("form.proposal-filters button[type=submit]").click()
    assert page.locator("li.proposal-item").count() == 1
    assert page.locator(f"li[data-reference='{world.proposal.reference}']").count() == 1
    check_axe(page)


def test_proposal_list_on_a_phone_fits_without_sideways_scroll(phone_page, world):
    phone_page.goto("/proposals/")
    assert phone_page.locator("li.proposal-item").count() == 5
    shot(phone_page, "proposal-list-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)


def test_proposal_page_with_answers_supports_and_moderated_thread_is_accessible(
    page, phone_page, world
):
    proposal = world.proposal
    path = f"/proposals/{proposal.reference}"
    for p, name in ((page, "proposal-page-desktop"), (phone_page, "proposal-page-phone")):
        sign_in(p, SUPPORTER_EMAIL)
        p.goto(path)
        assert p.locator(".proposal-answers > li").count() == 2, "under review, then in dialogue"
        assert p.locator(".support-count").get_attribute("data-supports") == "2"
        assert p.locator(".comment-replies .comment").count() == 1, "a reply in the thread"
        assert p.locator("[data-comment-state=hidden]").count() == 2, "two hidden placeholders"
        assert p.locator("details.report-form").count() >= 1, "the report form is offered"
        shot(p, name)
        open_all_details(p)
        check_axe(p)
        assert_no_sideways_scroll(p)


def test_proposal_page_as_its_facilitator_is_accessible(page, world):
    sign_in(page, FACILITATOR_EMAIL)
    page.goto(f"/proposals/{world.proposal.reference}")
    assert page.locator(".facilitator-panel form").count() == 2, "answer and merge forms"
    open_all_details(page)
    check_axe(page)

    # A failed answer (too short) keeps the form accessible with its errors.
    page.locator("#state-answer").fill("corta")
    with page.expect_navigation():
        page.locator(".facilitator-panel form").first.locator("button[type=submit]").click()
    assert page.locator("#state-answer").get_attribute("aria-invalid") == "true"
    check_axe(page)


def test_merged_and_withdrawn_proposal_pages_are_accessible(page, world):
    page.goto(f"/proposals/{world.merged.reference}")
    assert page.locator(".proposal-merged-into").count() == 1
    check_axe(page)
    page.goto(f"/proposals/{world.withdrawn.reference}")
    assert page.locator(".proposal-withdrawn").count() == 1
    check_axe(page)


def test_versions_page_is_accessible(page, world):
    page.goto(f"/proposals/{world.proposal.reference}/versions")
    assert page.locator(".proposal-versions > li").count() == 2
    check_axe(page)


def test_table_page_with_agenda_and_minutes_is_accessible(page, phone_page, world):
    path = f"/tables/{world.table.id}"
    sign_in(page, AUTHOR_EMAIL)
    page.goto(path)
    assert page.locator(".registration-status").get_attribute("data-status") == "confirmed"
    assert page.locator(".agenda-list > li").count() == 1
    assert page.locator("section.minutes").count() == 1
    shot(page, "table-page-desktop")
    check_axe(page)

    sign_in(phone_page, FACILITATOR_EMAIL)
    phone_page.goto(path)
    assert phone_page.locator("nav.subnav").count() == 1, "the facilitator's navigation"
    assert phone_page.locator("tr[data-registration]").count() == 3
    shot(phone_page, "table-page-facilitator-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)

    phone_page.set_viewport_size({"width": 1280, "height": 900})
    phone_page.goto(path)
    shot(phone_page, "table-page-facilitator-desktop")


def test_table_list_is_accessible(page, world):
    page.goto("/tables/")
    assert page.locator(".table-card").count() == 3, "upcoming, cancelled and past"
    check_axe(page)


def test_cancelled_table_page_is_accessible(page, world):
    page.goto(f"/tables/{world.cancelled_table.id}")
    assert page.locator(".notice-cancelled").count() == 1
    check_axe(page)


def test_moderation_queue_is_accessible_to_its_facilitator(page, phone_page, world):
    path = f"/moderation/committee/{world.committee.id}"
    for p, name in ((page, "moderation-queue-desktop"), (phone_page, "moderation-queue-phone")):
        sign_in(p, FACILITATOR_EMAIL)
        p.goto(path)
        waiting = {
            (item.get_attribute("data-kind"), item.get_attribute("data-id"))
            for item in p.locator("article.queue-item").all()
        }
        assert ("comment", str(world.reported_comment.id)) in waiting
        assert ("comment", str(world.auto_hidden_comment.id)) in waiting
        assert ("comment", str(world.hidden_comment.id)) in waiting, "hidden by a facilitator"
        shot(p, name)
        open_all_details(p)
        check_axe(p)
        assert_no_sideways_scroll(p)

    # A failed act (hiding with a blank reason, which the browser lets through) re-shows the
    # queue with the error next to its field.
    page.goto(path)
    base = f"comment-{world.reported_comment.id}"
    page.locator(f"#item-{base} details.queue-action summary").first.click()
    page.locator(f"#hide-{base}-reason").fill("   ")
    with page.expect_navigation() as navigation:
        page.locator(f"#item-{base} details.queue-action").first.locator("button").click()
    assert navigation.value.status == 400
    assert page.locator(".error-summary").count() == 1
    assert page.locator(f"#hide-{base}-reason").get_attribute("aria-invalid") == "true"
    check_axe(page)


def test_moderation_index_is_accessible(page, world):
    sign_in(page, FACILITATOR_EMAIL)
    page.goto("/moderation/")
    check_axe(page)


def test_public_moderation_log_is_accessible(page, phone_page, world):
    page.goto("/moderation/log")
    actions = {row.get_attribute("data-action") for row in page.locator("tr[data-action]").all()}
    assert {"content.hidden", "content.auto_hidden", "account.blocked",
            "proposal.state_changed", "dialogues.minutes"} <= actions
    check_axe(page)
    phone_page.goto("/moderation/log")
    shot(phone_page, "moderation-log-phone")
    check_axe(phone_page)


def test_notifications_and_preferences_are_accessible(page, world):
    sign_in(page, SUPPORTER_EMAIL)
    page.goto("/notifications/")
    # Two answers on a supported proposal, one on an own proposal, a reply to a comment, and the
    # minutes of a table attended, published and then corrected.
    assert page.locator("li.notification").count() == 6
    assert page.locator("li.notification[data-unread=true]").count() == 6
    shot(page, "notifications-desktop")
    check_axe(page)

    page.goto("/notifications/preferences")
    check_axe(page)


def test_new_proposal_form_after_a_failed_submission_is_accessible(page, phone_page, world):
    user = make_user()
    for p, name in ((page, "new-proposal-errors-desktop"), (phone_page, "new-proposal-errors-phone")):
        sign_in(p, user.email)
        p.goto("/proposals/new")
        p.locator("#title").fill("Corto")
        with p.expect_navigation() as navigation:
            p.locator("main form button[type=submit]").click()
        assert navigation.value.status == 400
        assert p.locator(".error-summary").count() == 1
        for field_id in ("title", "committee_id", "theme_id", "body"):
            assert p.locator(f"#{field_id}").get_attribute("aria-invalid") == "true", field_id
        assert p.locator("#title").input_value() == "Corto", "the user's input is kept"
        shot(p, name)
        check_axe(p)
        assert_no_sideways_scroll(p)
