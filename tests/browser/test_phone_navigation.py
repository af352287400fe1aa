"""Phone first: on a 390x844 screen the header is small, its menu opens with and without
JavaScript, the first proposal shows without scrolling and the language changes in one click; on a
desktop the whole navigation shows, and the slips found in the screenshots stay fixed. The world
is the demo plan."""
import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from app.plans.models import Committee
from app.plans.queries import current_plan
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, screenshot
from tests.transparency.factories import election

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_HEADER = PHONE["height"] * 0.15  # 126.6 px


def _phone(browser, live_server, javascript: bool):
    context = browser.new_context(base_url=live_server, locale="es-MX", viewport=PHONE,
                                  java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def _menu_opens(page) -> None:
    """Closed, the menu's links are hidden; one click on "Menú" shows them all."""
    proposals = page.locator("#site-menu nav.main-nav a[href='/proposals/']")
    assert not proposals.is_visible(), "the menu starts closed on a phone"
    page.locator("details.menu-toggle > summary").click()
    assert proposals.is_visible()
    assert page.locator("#site-menu nav.account-nav a[href='/account/login']").is_visible()


def _phone_journey(browser, live_server, javascript: bool) -> None:
    context, page = _phone(browser, live_server, javascript)
    try:
        page.goto("/")
        assert _header_height(page) <= MAX_HEADER, f"header {_header_height(page)}px on /"
        _menu_opens(page)
        if javascript:
            check_axe(page)  # with the menu open
            assert_no_sideways_scroll(page)
            screenshot(page, "phone-nav-menu-open")
        with page.expect_navigation():
            page.locator("#site-menu nav.main-nav a[href='/proposals/']").click()

        assert page.url.endswith("/proposals/")
        assert _header_height(page) <= MAX_HEADER, f"header {_header_height(page)}px on /proposals/"
        first = page.locator("ol.proposal-list > li.proposal-item").first.bounding_box()
        assert 0 <= first["y"] < PHONE["height"], f"the first proposal starts at {first['y']}px"
        search = page.locator("#proposal-filters #q")
        assert not search.is_visible(), "the filters are folded on a phone"
        page.locator("details.filters-toggle > summary").click()
        assert search.is_visible()
        if not javascript:
            return

        check_axe(page)
        assert_no_sideways_scroll(page)
        screenshot(page, "phone-nav-proposals")

        # The keyboard opens and closes the menu; its ring shows; Tab goes on into the menu.
        summary = page.locator("details.menu-toggle > summary")
        page.keyboard.press("Shift+Tab")  # leave the page's focus somewhere before the header
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator("details.menu-toggle").get_attribute("open") is not None
        assert summary.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
        summary.focus()
        page.keyboard.press("Space")
        assert page.locator("details.menu-toggle").get_attribute("open") is None

        # The language in one click, back to the same page, and back again.
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
        assert page.url.endswith("/proposals/")
        assert page.locator("h1").inner_text() == "Public problems proposed"
        assert page.locator("html").get_attribute("lang") == "en"
        with page.expect_navigation():
            page.get_by_role("button", name="Español").click()
        assert page.url.endswith("/proposals/")
        assert page.locator("h1").inner_text() == "Problemáticas públicas propuestas"

        page.goto("/developers/")
        assert page.locator("h1").inner_text() == "La API de datos abiertos"
        assert _header_height(page) <= MAX_HEADER
        check_axe(page)
        assert_no_sideways_scroll(page)
    finally:
        context.close()


def test_phone_header_menu_and_first_proposal_with_and_without_javascript(browser, live_server, demo):
    # One test (one copy of the demo database) for both: the pages only read.
    _phone_journey(browser, live_server, javascript=False)
    _phone_journey(browser, live_server, javascript=True)


def test_desktop_shows_the_whole_navigation_and_the_slips_stay_fixed(page, demo):
    committee = db.session.scalars(
        sa.select(Committee).where(Committee.plan_id == current_plan().id).order_by(Committee.id)).first()
    organisations = db.session.scalars(sa.select(User).where(User.role == Role.organisation).limit(4)).all()
    turnout = election(committee, roll=organisations, ballots=2)
    turnout.title = "Elección de representantes de la sociedad civil ante el " + committee.name
    db.session.commit()

    page.goto("/")
    assert not page.locator("details.menu-toggle").is_visible(), "no Menu button on a desktop"
    assert page.locator("nav.main-nav a[href='/elections/']").is_visible()
    assert page.locator("nav.account-nav a[href='/account/register']").is_visible()
    check_axe(page)

    page.goto("/proposals/")
    assert page.locator("#q").is_visible(), "the filters show unfolded on a desktop"
    # The status filter is as wide as the choice it shows (it was cut: "Todas, salvo las ret").
    room = page.locator("#state").evaluate("""el => {
        const probe = document.createElement('span');
        probe.style.cssText = 'position: absolute; white-space: nowrap; font: ' + getComputedStyle(el).font;
        probe.textContent = el.options[el.selectedIndex].text;
        document.body.appendChild(probe);
        const room = el.clientWidth - probe.getBoundingClientRect().width;
        probe.remove();
        return room;
    }""")
    assert room >= 24, f"the status filter's text has {room}px left beside it (padding and arrow)"
    check_axe(page)
    screenshot(page, "desktop-nav-proposals")

    page.goto("/transparency/")
    wrap = page.locator(".table-wrap:has(table[data-chart='turnout'])")
    assert wrap.get_attribute("role") == "region" and wrap.get_attribute("tabindex") == "0"
    assert wrap.evaluate("el => el.scrollWidth - el.clientWidth") <= 0, "the elections table is clipped"
    screenshot(page, "desktop-transparency-elections")

    # A list of actions shows no bullets (a flex <li> kept its marker beside "Editar"/"Retirar").
    marker = page.evaluate("""() => {
        document.querySelector('main').insertAdjacentHTML('beforeend',
            '<ul class="actions" id="probe-actions"><li><a class="button" href="#">x</a></li></ul>');
        const style = getComputedStyle(document.querySelector('#probe-actions li'));
        return style.listStyleType;
    }""")
    assert marker == "none"

    page.goto("/developers/")
    assert page.locator("main a[href='/api/v1/openapi.json']").count() >= 1
    assert page.locator("main a[href='/open-data/']").count() >= 1
    check_axe(page)
    screenshot(page, "desktop-api-guide")
