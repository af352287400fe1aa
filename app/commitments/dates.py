"""Dates of commitments: plain YYYY-MM-DD input (today is app.core.clock.today)."""
from datetime import date


def parse_date(value) -> date | None:
    """A date from a date object or a YYYY-MM-DD string; None when empty; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())
