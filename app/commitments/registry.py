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
    """Register the one answer to `name` ("running_consultation", "followers",
    "milestones_with_progress")."""
    def register(func: Callable) -> Callable:
        if name in _PROVIDERS and _PROVIDERS[name] is not func:
            raise RuntimeError(f"commitments: {name!r} provided twice")
        _PROVIDERS[name] = func
        return func

    return register


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
