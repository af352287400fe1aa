"""The application's one clock: every service, model default and session limit reads `now()`.

Tests and the demo loader replace it with `use(source)`, a context manager, instead of patching
modules. Thread safety: `_source` is module-level state changed only by tests and by the demo
loader on the command line, never while a server handles requests; reading it is a plain load.
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

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
