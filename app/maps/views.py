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
# When neither the plan's places, MAP_CENTER nor MAP_BOUNDS say where: the whole world.
WORLD_CENTER, WORLD_ZOOM = (0.0, 0.0), 2
# A box narrower than this (one place, or places close together) is widened to it, in degrees
# (about 5 km): a map does not open on a single street.
MIN_VIEW_SPAN = 0.05

# Where a plan's maps open: the box (south, west, north, east) of what the plan says about its
# territory, or None. The catalogue of places registers it (app/places/hooks.py); maps import no
# area above them. Thread-safe: filled at import, only read afterwards.
_territory_views: list = []


def territory_view(function):
    """Register `function() -> (south, west, north, east) | None`: the current plan's view."""
    _territory_views.append(function)
    return function


def _widened(box):
    south, west, north, east = box
    if north - south < MIN_VIEW_SPAN:
        middle = (north + south) / 2
        south, north = middle - MIN_VIEW_SPAN / 2, middle + MIN_VIEW_SPAN / 2
    if east - west < MIN_VIEW_SPAN:
        middle = (east + west) / 2
        west, east = middle - MIN_VIEW_SPAN / 2, middle + MIN_VIEW_SPAN / 2
    return [[south, west], [north, east]]


def _plan_view():
    """The current plan's view: the first registered source that knows one (one statement; a
    page has one map)."""
    return next((box for box in (source() for source in _territory_views) if box is not None), None)


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
    attribution (none when MAP_TILE_URL is empty), the view when it has no points, the box.

    The view follows the plan: the box of its places' points (the catalogue, edited by the
    guarantor body) when it has any; else the installation's MAP_CENTER or MAP_BOUNDS; else the
    whole world (a form's map then opens on the points already given)."""
    config = current_app.config
    view = _plan_view()
    bounds = territory_bounds()
    center = parse_numbers(config.get("MAP_CENTER"), 2)
    if center is None and bounds is not None:
        center = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    zoom = _zoom(config.get("MAP_ZOOM"), 12 if center is not None else WORLD_ZOOM)
    return {
        "tiles": config.get("MAP_TILE_URL") or "",
        "attribution": config.get("MAP_TILE_ATTRIBUTION") or "",
        "center": list(center or WORLD_CENTER),
        "view": _widened(view) if view is not None else None,
        # Without a configured view, a form's map opens on the points already given.
        "configured": view is not None or center is not None,
        "zoom": zoom,
        "bounds": [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] if bounds else None,
        "icons": leaflet_url("images/"),
        # Leaflet's own controls speak English: their names in the page's language.
        "labels": {"zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"), "close": _("Close")},
    }


@bp.app_template_global("leaflet_url")
def _leaflet_url_global(filename: str) -> str:
    return leaflet_url(filename)
