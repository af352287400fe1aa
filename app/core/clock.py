"""The application's one clock: every service, model default and session limit reads `now()`.

Tests and the demo loader replace it with `use(source)`, a context manager, instead of patching
modules.
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

# Thread-safe for serving: only tests and the demo loader (command line) set it, never while a
# server handles requests; requests only read it.
_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return _source() if _source is not None else datetime.now(UTC)


@contextmanager
def use(source: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, `now()` answers what `source()` returns (a UTC-aware datetime)."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
