"""URL helpers: safe redirects, and ids in URLs and query strings kept within the database's range."""
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

# The largest id an INTEGER column holds on PostgreSQL; larger numbers name nothing that exists
# and would make the database raise "integer out of range" (SQLite: OverflowError).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: a number beyond MAX_ID is simply no match (404), never a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def int_arg(value, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    """A positive whole number from a query string or form, else `default` ("abc", "-1", 10**30)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 1 <= number <= maximum else default


def safe_next(target: str | None) -> str | None:
    """A local path to return to after login; anything pointing elsewhere is dropped."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
