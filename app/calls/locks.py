"""Whether the decisions on a committee's applications are frozen, as the areas above say.

Calls import no area above them. An area whose acts freeze a committee's electorate registers a
check here, in its own hooks.py (imported by create_app):

    register_lock(voting_has_opened)         # committee_id -> bool

A committee is locked when any registered check says so; with none registered, nothing is.
"""
from collections.abc import Callable

from app.calls.models import CallApplication

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_LOCKS: list[Callable[[int], bool]] = []


def register_lock(check: Callable[[int], bool]) -> Callable[[int], bool]:
    if check not in _LOCKS:
        _LOCKS.append(check)
    return check


def committee_locked(committee_id: int) -> bool:
    """True once the decisions on the committee's applications can no longer change (e.g. voting
    has opened in the committee's election: its electorate is frozen)."""
    return any(bool(check(committee_id)) for check in _LOCKS)


def application_locked(application: CallApplication) -> bool:
    return committee_locked(application.committee_id)
