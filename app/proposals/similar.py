"""Proposals like a text being written, shown at the preview so that a person can support one
instead of publishing a duplicate. The search area finds them and registers its finder here, in
its hooks.py (imported by create_app): proposals import no search, which imports proposals.

    register_finder(similar_proposals)  # (plan_id, text, *, limit, exclude_id) -> [Proposal]
"""
from collections.abc import Callable

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_FINDERS: list[Callable] = []


def register_finder(finder: Callable) -> Callable:
    if _FINDERS and _FINDERS[0] is not finder:
        raise RuntimeError("a finder of similar proposals is registered already")
    if not _FINDERS:
        _FINDERS.append(finder)
    return finder


def similar_to(plan_id: int, text: str, *, limit: int = 5, exclude_id: int | None = None) -> list:
    """Up to `limit` public proposals of the plan like `text`; none while no area finds them."""
    if not _FINDERS:
        return []
    return _FINDERS[0](plan_id, text, limit=limit, exclude_id=exclude_id)
