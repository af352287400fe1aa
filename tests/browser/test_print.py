"""The printable plan prints: Chromium renders it to a PDF of several pages, without the site's
navigation, and «¿Cómo vamos?» passes axe on a desktop and a phone."""
import re

import pytest

from tests.browser.conftest import assert_no_sideways_scroll, check_axe, screenshot

pytestmark = pytest.mark.browser


def pdf_pages(pdf: bytes) -> int:
    """The page count of a PDF written by Chromium (its page tree's /Count)."""
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_printable_plan_renders_to_a_pdf_of_several_pages(page, demo):
    import sqlalchemy as sa

    from app.commitments.models import Commitment, CommitmentState
    from app.extensions import db
    from app.plans.models import ActionPlan

    # The demo's current plan: its published commitments, in two of its committees.
    published = db.session.scalar(sa.select(sa.func.count(Commitment.id)).join(ActionPlan).where(
        ActionPlan.is_current, Commitment.state == CommitmentState.published))
    page.goto("/dashboard/plan/print")
    assert page.locator("h1").count() == 1
    committees = page.locator("section.doc-committee").count()
    assert committees >= 2
    assert page.locator("article.doc-commitment").count() == published == 2

    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible(), "no navigation on paper"
    assert not page.locator("footer.site-footer").is_visible()
    assert not page.locator(".print-hint").is_visible()
    link = page.locator(".doc-sheet a[href^='https://']").first
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://" in after, "printed links show their address"
    breaks = page.locator("section.doc-committee").first.evaluate(
        "s => getComputedStyle(s).breakBefore"
    )
    assert breaks == "page", "each committee starts on a new page"

    pdf = page.pdf(format="A4", print_background=True)

    assert pdf.startswith(b"%PDF")
    pages = pdf_pages(pdf)
    assert pages > committees, f"the plan printed on {pages} page(s)"


def test_dashboard_is_accessible_on_desktop(page, demo):
    page.goto("/dashboard/")
    assert page.locator("svg.chart[role=img]").count() == 3
    # Each chart with its table of figures, and the plan's figures by committee.
    for chart in ("status", "theme", "timeline", "committee"):
        assert page.locator(f"table.chart-table[data-chart={chart}]").count() == 1, chart
    assert page.locator(".late-flag").count() >= 1
    screenshot(page, "dashboard-desktop")
    check_axe(page)


def test_committee_dashboard_is_accessible_on_a_phone_and_fits(phone_page, demo):
    phone_page.goto("/dashboard/committee/municipio-durango")
    screenshot(phone_page, "dashboard-committee-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)


def test_printable_plan_is_accessible(page, demo):
    page.goto("/dashboard/plan/print")
    check_axe(page)
