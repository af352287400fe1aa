"""The commitment page's table of contents: beside the sections and kept in view on a desktop,
a plain list above them on a phone; its links reach the sections; axe finds nothing serious."""
import pytest
import sqlalchemy as sa

from app.commitments.models import Commitment, CommitmentState
from app.extensions import db
from app.plans.models import ActionPlan
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, screenshot

pytestmark = pytest.mark.browser


def test_the_table_of_contents_at_desktop_and_phone(page, phone_page, demo):
    commitment = db.session.scalars(sa.select(Commitment).join(ActionPlan).where(
        ActionPlan.is_current, Commitment.state == CommitmentState.published)).first()
    path = f"/commitments/{commitment.id}"

    page.goto(path)
    toc = page.locator("nav.page-toc")
    anchors = toc.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(anchors) >= 12 and "#section-milestones" in anchors
    for anchor in anchors:
        assert page.locator(anchor).count() == 1, anchor
    sections = page.locator(".commitment-sections")
    assert toc.bounding_box()["x"] > sections.bounding_box()["x"] + sections.bounding_box()["width"] - 1
    toc.locator("a[href='#progress']").click()
    assert page.url.endswith("#progress")
    box = toc.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 900, "sticky: still in view far down"
    screenshot(page, "commitment-toc-desktop")
    check_axe(page)

    phone_page.goto(path)
    toc = phone_page.locator("nav.page-toc")
    first_section = phone_page.locator("#section-other_actors")
    assert toc.bounding_box()["y"] < first_section.bounding_box()["y"], "a list above the sections"
    phone_page.locator("nav.page-toc a[href='#section-milestones']").click()
    assert phone_page.url.endswith("#section-milestones")
    screenshot(phone_page, "commitment-toc-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)
