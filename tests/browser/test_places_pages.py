"""The guarantor body's catalogue of places in a browser: accessible at desktop and phone widths,
and a refused import keeps the pasted lines next to their problems."""
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, log_in, screenshot
from tests.factories import make_admin, make_committee, make_plan


def test_the_places_pages_are_accessible_at_both_widths(page, phone_page):
    plan = make_plan()
    make_committee(plan, slug="centro")
    admin = make_admin()
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        log_in(p, admin.email)
        p.goto(f"/admin/plans/{plan.id}/places/")
        assert p.locator("h1").count() == 1
        screenshot(p, f"places-{width}")
        check_axe(p)
        assert_no_sideways_scroll(p)

    page.goto(f"/admin/plans/{plan.id}/places/import")
    page.locator("#text").fill("municipality,locality,committee\nMapimí,,nadie\n")
    with page.expect_navigation():
        page.locator("main form[enctype] button[type=submit]").click()
    assert "Línea 2: el plan no tiene el comité nadie." in page.locator("#lines").inner_text()
    assert "Mapimí,,nadie" in page.locator("#text").input_value()
    check_axe(page)
