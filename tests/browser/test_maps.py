"""Maps in a browser: the proposals' map page is accessible at desktop and phone width with its
markers over (stubbed) tiles; without tiles, or without JavaScript, its list is still there; and
an author sets a proposal's location by clicking the map. No network: tile requests get an empty
PNG from page.route (or are refused, to play offline)."""
import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal
from tests.browser.conftest import (
    DESKTOP,
    assert_no_sideways_scroll,
    browser_problems,
    check_axe,
    log_in,
    screenshot,
)
from tests.factories import make_committee, make_plan, make_theme, make_user

pytestmark = pytest.mark.browser



def _empty_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


# A transparent tile: what every tile request gets.
EMPTY_PNG = _empty_png()
TILES = "https://tile.openstreetmap.org/**"
POINTS = [(20.51, -100.42), (20.55, -100.38), (20.60, -100.45)]


@pytest.fixture
def world(app):
    plan = make_plan()
    committee = make_committee(plan)
    theme = make_theme(plan)
    author = make_user()
    proposals = [
        services.create_proposal(author, plan, {
            "title": f"Problemática con ubicación número {n}", "body": "Descripción de la problemática.",
            "committee_id": committee.id, "theme_id": theme.id, "place": f"Colonia {n}",
            "latitude": lat, "longitude": lon})
        for n, (lat, lon) in enumerate(POINTS, start=1)
    ]
    db.session.commit()
    return {"plan": plan, "committee": committee, "theme": theme, "author": author,
            "proposals": proposals}


def _stub_tiles(page) -> None:
    page.route(TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG))


def test_the_proposals_map_is_accessible_at_desktop_and_phone_width(world, page, phone_page):
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        _stub_tiles(p)
        p.goto("/proposals/map")
        assert p.locator(".located-list li").count() == len(POINTS)
        p.locator(".leaflet-marker-icon").nth(len(POINTS) - 1).wait_for()
        assert p.locator(".leaflet-marker-icon").count() == len(POINTS)
        assert p.locator(".leaflet-control-zoom-in").get_attribute("title") == "Acercar"
        p.locator(".leaflet-marker-icon").first.click()  # a marker's popup links to its proposal
        assert "/proposals/" in p.locator(".leaflet-popup-content a").get_attribute("href")
        screenshot(p, f"maps-proposals-{width}")
        check_axe(p)
        assert_no_sideways_scroll(p)


def test_without_tiles_or_javascript_the_list_is_still_there(world, browser, live_server):
    offline = browser.new_context(base_url=live_server, locale="es-MX", viewport=DESKTOP)
    page = offline.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(TILES, lambda route: route.abort("internetdisconnected"))
    page.goto("/proposals/map")
    page.locator(".leaflet-marker-icon").nth(len(POINTS) - 1).wait_for()  # markers without tiles
    assert page.locator(".located-list li").count() == len(POINTS) and not errors
    offline.close()

    no_script = browser.new_context(base_url=live_server, locale="es-MX", viewport=DESKTOP,
                                    java_script_enabled=False)
    page = no_script.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto("/proposals/map")
    assert response.status == 200
    items = page.locator(".located-list li")
    assert items.count() == len(POINTS)
    assert "Colonia 1" in page.locator(".located-list").inner_text()
    assert not page.locator("[data-geojson]").is_visible()  # the map stays hidden
    assert not [url for url in requested if "tile.openstreetmap.org" in url]
    no_script.close()


def test_an_author_sets_the_location_by_clicking_the_map(world, page):
    citizen = make_user()
    db.session.commit()
    _stub_tiles(page)
    log_in(page, citizen.email)
    page.goto("/proposals/new")
    page.locator("#title").fill("Banqueta rota frente a la escuela primaria")
    page.locator("#committee_id").select_option(str(world["committee"].id))
    page.locator("#theme_id").select_option(str(world["theme"].id))
    page.locator("#body").fill("La banqueta está levantada y las niñas y niños caminan por la calle.")
    picker = page.locator(".location-picker .map")
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.4})
    latitude, longitude = page.locator("#latitude").input_value(), page.locator("#longitude").input_value()
    assert latitude and longitude and page.locator(".location-picker .leaflet-marker-icon").count() == 1
    check_axe(page)
    with page.expect_navigation():
        page.locator("main form button[name=step][value=preview]").click()
    # The point goes through the preview (kept as hidden fields) to the published proposal.
    with page.expect_navigation():
        page.locator("main form.preview-actions button[value=publish]").click()
    assert "/proposals/" in page.url and page.locator("#location-title").is_visible()
    db.session.expire_all()
    stored = db.session.scalar(sa.select(Proposal).where(Proposal.author_id == citizen.id))
    assert (stored.latitude, stored.longitude) == (float(latitude), float(longitude))
    assert not browser_problems(page)
