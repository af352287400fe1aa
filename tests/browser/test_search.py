"""The site-wide search in a browser: the issue's two examples found through the page's form, with
the words marked, accessible and without sideways scroll at desktop and phone widths."""
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, screenshot
from tests.proposals.factories import World, make_proposal


def test_search_finds_the_examples_at_both_widths(page, phone_page):
    world = World()
    basura = make_proposal(world, title="Basura por separado en el mercado municipal",
                           body="Contenedores para orgánicos e inorgánicos.")
    vial = make_proposal(world, title="Senalética vial frente a las escuelas",
                         body="Faltan letreros de cruce escolar.")
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        p.goto("/search/")
        p.get_by_label("Palabras a buscar").fill("basura separada")
        with p.expect_navigation():
            p.locator("main form[role=search] button[type=submit]").click()
        result = p.locator(f'.search-result a[href="/proposals/{basura.reference}"]')
        assert result.count() == 1
        assert "Basura" in result.locator("mark").first.inner_text()
        assert p.locator(".search-result").count() == 1
        screenshot(p, f"search-{width}")
        check_axe(p)
        assert_no_sideways_scroll(p)

        p.goto("/search/?q=se%C3%B1al%C3%A9tica")
        assert p.locator(f'.search-result a[href="/proposals/{vial.reference}"]').count() == 1
        assert p.locator(".search-result mark").first.inner_text() == "Senalética"

    phone_page.goto("/search/?q=palabrasinresultados")
    assert phone_page.locator(".search-state").count() == 1
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)
