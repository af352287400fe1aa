"""Small facts that every page shows and that rarely change (the current plan's guarantor body),
kept per process between requests for as long as the data they come from has not changed.

A fact is stored with the *data stamp* read before it was computed, and used while the stamp is
the same. The stamp is (this process's change count, the shared data version):
- the change count goes up on every flush, write statement, writing commit and undoing of
  written changes in this process (app/core/uow.py `on_writes`), so a change made here shows on the very next request;
- the shared part is the page cache's Redis data version (app/core/cache.py, bumped after every
  writing commit in any worker or command) when the page cache read it for this request (an
  anonymous page it may store), so a cached page is never older than its facts; otherwise (signed-
  in readers, no page cache, Redis down) a time bucket of FACTS_SECONDS (5 by default): a change
  made by another process shows there within that time.
FACTS_KEPT = False reads them on every request (the test suite's statement counts assume it).
Reading the stamp before the data means a value read just before a change is stored under the
old stamp, and never served after it.
"""
import threading
import time

from flask import current_app, g, has_app_context, has_request_context

from app.core import uow
from app.core.db import utcnow

VERSION = "cocrea_data_version"  # in `g`: the shared data version read by this request
STORE = "cocrea_facts"  # in app.extensions: {name: (stamp, value)}

# Thread-safe: the counter only changes under `_lock`; readers take the int as it is.
_changes = 0
_lock = threading.Lock()


def note_change() -> None:
    global _changes
    with _lock:
        _changes += 1


uow.on_writes(note_change)


def local_changes() -> int:
    """How many changes this process has made so far (flushes, write statements, writing commits,
    undone writes): a value kept under it is never served after a change made here."""
    return _changes


def _shared_stamp() -> tuple:
    """The page cache's data version when this request read it (a page stored under it must be
    rendered from facts at least as new), else the time bucket. Never a Redis call of its own:
    signed-in requests do not wait on Redis, and its failures are the page cache's to report."""
    version = g.get(VERSION) if has_request_context() else None
    if version is not None:
        return ("version", version)
    return ("time", int(time.monotonic() // float(current_app.config.get("FACTS_SECONDS", 5))))


def cached(name: str, compute):
    """`compute()` (an immutable value), or the copy computed under the same data stamp.

    Thread-safe: the per-app store is a dict whose entries are replaced whole (one assignment).
    A fact keeps one entry per kind of stamp, so that requests with and without the page
    cache's version (anonymous and signed-in readers) do not make each other read it again.
    When the stamp turns, one thread of the process computes the fact again while the others
    that need it wait for its value (the fact's lock, as `timed`): otherwise every busy thread
    would read the same costly figure at once each time the time bucket turns."""
    if not current_app.config.get("FACTS_KEPT", True):
        return compute()
    store = current_app.extensions.setdefault(STORE, {})
    shared = _shared_stamp()
    stamp = (_changes, shared)
    key = (name, shared[0])
    entry = store.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    with _lock_of(("cached", name)):
        entry = store.get(key)
        if entry is not None and entry[0] == stamp:
            return entry[1]  # computed by the thread this one waited for
        value = compute()
        store[key] = (stamp, value)
    return value




# Locked: `_timed_lock` guards the dict of per-figure locks; a figure's own lock keeps two threads
# of a process from computing it at once (the second waits and takes the first's value); the
# locks are re-entrant, so a figure computed from itself in one thread is not a deadlock. Entries
# of the store are replaced whole (one assignment).
_timed_lock = threading.Lock()
_timed_locks: dict = {}
TIMED = "cocrea_timed_facts"  # in app.extensions: {name: (monotonic deadline, value, computed at)}


def _lock_of(name) -> threading.RLock:
    with _timed_lock:
        return _timed_locks.setdefault(name, threading.RLock())


def timed(name: str, seconds: float, compute):
    """(`compute()`, when it was computed) kept per process for `seconds`, whatever changes meanwhile.

    For figures too costly to read again after every change (counts over the whole plan, which a
    busy site changes many times a second): the page that shows one must say how old it may be.
    FACTS_KEPT = False computes it on every call."""
    if not current_app.config.get("FACTS_KEPT", True):
        return compute(), utcnow()
    store = current_app.extensions.setdefault(TIMED, {})
    entry = store.get(name)
    if entry is not None and entry[0] > time.monotonic():
        return entry[1], entry[2]
    with _lock_of(name):
        entry = store.get(name)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1], entry[2]
        value, at = compute(), utcnow()
        store[name] = (time.monotonic() + seconds, value, at)
        return value, at


def forget_all(app=None) -> None:
    """Every fact is read again (tests that replace the data beneath the app), the timed ones too:
    those of `app`, or of the current app."""
    note_change()
    if app is None and has_app_context():
        app = current_app
    if app is not None:
        app.extensions.pop(TIMED, None)
