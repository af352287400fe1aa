"""Who names a municipality by its name: areas above register a counter here (from their hooks.py),
so that a municipality in use is not removed or renamed under them.

    @names_municipality(_l("proposals"))
    def _proposals(plan, name) -> int: ...
"""
from collections.abc import Callable

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_COUNTERS: list[tuple[object, Callable]] = []


def names_municipality(label):
    def register(counter: Callable) -> Callable:
        if all(existing is not counter for _label, existing in _COUNTERS):
            _COUNTERS.append((label, counter))
        return counter

    return register


def uses_of(plan, name: str) -> list[tuple[str, int]]:
    """[(what, how many)] for every registered kind of record that names the municipality."""
    found = []
    for label, counter in _COUNTERS:
        count = counter(plan, name)
        if count:
            found.append((str(label), count))
    return found
