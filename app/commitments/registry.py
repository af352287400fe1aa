"""What the areas built on commitments tell it: consultations whether a consultation is running,
progress who follows a commitment and which milestones have reported progress.

Those areas import commitments, so commitments imports none of them: each registers its answer
here from its hooks.py. Thread-safe: filled only while modules are imported (before the first
request); read-only after.
"""
from collections.abc import Callable, Iterable

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_PROVIDERS: dict[str, Callable] = {}


def provides(name: str):
    """Register the one answer to `name` ("running_consultation", "latest_consultation",
    "followers", "milestones_with_progress", "page_version_parts", "reader_alongside",
    "page_load_options")."""
    def register(func: Callable) -> Callable:
        if name in _PROVIDERS and _PROVIDERS[name] is not func:
            raise RuntimeError(f"commitments: {name!r} provided twice")
        _PROVIDERS[name] = func
        return func

    return register


def latest_consultation(commitment):
    """(the commitment's latest consultation or None, its window: "none", "scheduled", "open" or
    "closed"), for the commitment page's panel and its cache key."""
    provider = _PROVIDERS.get("latest_consultation")
    return provider(commitment) if provider else (None, "none")


def page_load_options() -> list:
    """Loader options the commitment page's statement takes from the areas built on commitments
    (consultations: its rounds, joined), so that their part of the page needs no statement."""
    provider = _PROVIDERS.get("page_load_options")
    return list(provider()) if provider else []


def page_version_parts(commitment_id, milestone_ids) -> list:
    """Statements of one row each (aggregates) whose values change whenever what the areas built
    on commitments show on its page changes (progress: notes and evidence). `commitment_id` is a
    bound parameter and `milestone_ids` a subquery of the commitment's milestones."""
    provider = _PROVIDERS.get("page_version_parts")
    return list(provider(commitment_id, milestone_ids)) if provider else []


def reader_alongside(reader, commitment):
    """(statement, parameters, keep) of what the areas built on commitments read for `reader` on
    its page (progress: their standing), to be read alongside the page's version and given to
    `keep(values)`; or None when there is nothing to read."""
    provider = _PROVIDERS.get("reader_alongside")
    return provider(reader, commitment) if provider else None


def running_consultation(commitment):
    """The consultation on `commitment` that is open now or scheduled (one with `closes_at`), or
    None; a running one holds back its publication."""
    provider = _PROVIDERS.get("running_consultation")
    return provider(commitment) if provider else None


def followers_of(commitment) -> list:
    """The people told about the commitment's new versions and status."""
    provider = _PROVIDERS.get("followers")
    return provider(commitment) if provider else []


def milestones_with_progress(milestone_ids: Iterable[int]) -> bool:
    """Whether progress was reported on any of these milestones (they are then kept)."""
    provider = _PROVIDERS.get("milestones_with_progress")
    ids = list(milestone_ids)
    return bool(ids) and provider is not None and provider(ids)
