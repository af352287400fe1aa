"""Where registration and profiles find the municipalities people choose from.

The catalogue belongs to each plan (app/places), above accounts; the places area registers its
source here from its hooks.py, so that accounts imports no area above it.
"""
from collections.abc import Callable

from flask_babel import gettext as _

# Thread-safe: set only while modules are imported (before the first request); read-only after.
_SOURCE: list[Callable[[], list[tuple[str, str]]]] = []


def municipality_source(source: Callable[[], list[tuple[str, str]]]):
    """Register the function giving the current choices [(value, label)], the empty one first."""
    _SOURCE[:] = [source]
    return source


def municipality_choices() -> list[tuple[str, str]]:
    return _SOURCE[0]() if _SOURCE else [("", _("Choose your municipality"))]


def is_municipality_choice(value: str | None) -> bool:
    return bool(value) and value in {key for key, _label in municipality_choices()}
