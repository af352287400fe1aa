"""URL helpers."""
from urllib.parse import urlsplit


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
