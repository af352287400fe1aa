"""The application's one clock: every service, model default and session limit reads `now()`.

Tests and the demo loader replace it with `use(source)`, a context manager, instead of patching
modules.
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# Where the plan is, when no app is there to say (the seed's zone; settings decide otherwise).
DEFAULT_ZONE = "America/Monterrey"

# Thread-safe for serving: only tests and the demo loader (command line) set it, never while a
# server handles requests; requests only read it.
_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return _source() if _source is not None else datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The plan's time zone (BABEL_DEFAULT_TIMEZONE): dates are shown and typed in it."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def today() -> date:
    """Today's date where the plan is (a milestone is late from the day after its date there)."""
    return now().astimezone(local_zone()).date()


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time is local time, as forms give it; stored in UTC. Aware ones are converted."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """The naive local date-time a form field shows for a stored UTC time."""
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


@contextmanager
def use(source: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, `now()` answers what `source()` returns (a UTC-aware datetime)."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
