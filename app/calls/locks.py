"""Whether the decisions on a call's applications to a committee are frozen, as the areas above
say.

Calls import no area above them. An area whose acts freeze the electorate a call gives a
committee registers a check here, in its own hooks.py (imported by create_app):

    register_lock(voting_has_opened)         # (call_id, committee_id) -> bool

The applications are locked when any registered check says so; with none registered, nothing is.
A lock belongs to the call: a later call to the same committee starts unlocked.
"""
from collections.abc import Callable

from app.calls.models import CallApplication

LockCheck = Callable[[int, int], bool]
# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_LOCKS: list[LockCheck] = []


def register_lock(check: LockCheck) -> LockCheck:
    if check not in _LOCKS:
        _LOCKS.append(check)
    return check


def applications_locked(call_id: int, committee_id: int) -> bool:
    """True once the decisions on the call's applications to the committee can no longer change
    (e.g. voting has opened in the election of that call for that committee: its electorate is
    frozen)."""
    return any(bool(check(call_id, committee_id)) for check in _LOCKS)


def application_locked(application: CallApplication) -> bool:
    return applications_locked(application.call_id, application.committee_id)
