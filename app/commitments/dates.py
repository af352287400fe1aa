"""Dates of commitments: today in Durango, and plain YYYY-MM-DD input."""
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from app.core.db import utcnow


def today_local() -> date:
    """Today's date in the plan's time zone (a milestone is late from the day after its end)."""
    return utcnow().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def parse_date(value) -> date | None:
    """A date from a date object or a YYYY-MM-DD string; None when empty; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())
