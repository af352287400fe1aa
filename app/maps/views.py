"""Leaflet, served by the app from the XStatic-Leaflet package (no CDN, no build), and the map
settings every map of a page reads."""
import xstatic.pkg.leaflet as leaflet
from flask import current_app, send_from_directory, url_for
from flask_babel import gettext as _

from app.core.errors import NotFound
from app.maps import bp
from app.maps.location import parse_numbers, territory_bounds

# The version is in the URL, so a new package is a new address: the files are cached for a year.
LEAFLET_VERSION = leaflet.VERSION
ONE_YEAR = 365 * 24 * 3600
# What pages use of the package; anything else in it (sources, source maps) is not served.
LEAFLET_FILES = {"leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png"}
# When neither MAP_CENTER nor MAP_BOUNDS says where: the whole world.
WORLD_CENTER, WORLD_ZOOM = (0.0, 0.0), 2


@bp.get("/assets/leaflet/<version>/<path:filename>")
def leaflet_file(version: str, filename: str):
    if version != LEAFLET_VERSION or filename not in LEAFLET_FILES:
        raise NotFound()
    response = send_from_directory(leaflet.BASE_DIR, filename, max_age=ONE_YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


def leaflet_url(filename: str) -> str:
    return url_for("maps.leaflet_file", version=LEAFLET_VERSION, filename=filename)


def _zoom(value, default: int) -> int:
    try:
        zoom = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(zoom, 0), 19)


@bp.app_template_global("map_settings")
def map_settings() -> dict:
    """What a map needs to start (JSON in the page's data-map attribute): tiles and their
    attribution (none when MAP_TILE_URL is empty), the view when it has no points, the box."""
    config = current_app.config
    bounds = territory_bounds()
    center = parse_numbers(config.get("MAP_CENTER"), 2)
    if center is None and bounds is not None:
        center = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    zoom = _zoom(config.get("MAP_ZOOM"), 12 if center is not None else WORLD_ZOOM)
    return {
        "tiles": config.get("MAP_TILE_URL") or "",
        "attribution": config.get("MAP_TILE_ATTRIBUTION") or "",
        "center": list(center or WORLD_CENTER),
        # Without a configured view, a form's map opens on the points already given.
        "configured": center is not None,
        "zoom": zoom,
        "bounds": [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] if bounds else None,
        "icons": leaflet_url("images/"),
        # Leaflet's own controls speak English: their names in the page's language.
        "labels": {"zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"), "close": _("Close")},
    }


@bp.app_template_global("leaflet_url")
def _leaflet_url_global(filename: str) -> str:
    return leaflet_url(filename)
