"""Parts of pages rendered once and kept under the version of the data they show.

A fragment is the shared part of a page (the comments of a thread, say), the same for every
viewer of one class (anonymous, taking part, ...). It is stored under its name, its target, the
*version* of what it shows (read by the page in one small query: a count and the latest change
times of the rows it shows), the locale and the viewer class: when anything it shows changes, the
version changes and the next request renders the fragment again; nothing has to be deleted. What
is personal (my own comments' controls) is not in a fragment: the page lays it over the fragment
(`overlay`).

With PAGE_CACHE_REDIS_URL configured the fragments are shared by every worker through Redis; a
worker also keeps those it served last, so a hit is usually not a trip to Redis. Without Redis,
or when Redis does not answer, the worker's own bounded copy is the cache (the failure is logged
once, not once per request). FRAGMENT_CACHE_SECONDS bounds how long a fragment lives, for the
rare changes its version does not see (an author renaming their account to a name of the same
length); FRAGMENT_CACHE_MAX_BYTES bounds the size of one fragment kept by a worker.
"""
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy.ext.compiler import compiles

from app.core.alarms import DependencyAlarm

EXTENSION = "cocrea_fragments"


# How long a thread waits for another that renders the same fragment (a render takes 5–200 ms).
RENDER_WAIT_SECONDS = 2.0


class _Rendering:
    """A render in progress: waiters block on `done`, then read `html` (None when it failed).
    Thread-safe: `html` is written once, before `done` is set (threading.Event orders the two)."""

    __slots__ = ("done", "html")

    def __init__(self):
        self.done = threading.Event()
        self.html: str | None = None


class FragmentCache:
    """Thread-safe: one per app, shared by a worker's threads. The local copies and the renders in
    progress are only touched under `self.lock`; the redis-py client is documented as thread-safe."""

    def __init__(self, app: Flask):
        self.seconds = int(app.config.get("FRAGMENT_CACHE_SECONDS", 300))
        self.limit = int(app.config.get("FRAGMENT_CACHE_LOCAL_BYTES", 32 * 1024 * 1024))
        # A fragment larger than this is not kept in the worker's copy (Redis may still share
        # it): a page whose shared part is many MB has a bug to fix, not a cache to fill, and a
        # few of them would push every small fragment out of the LRU.
        self.largest = min(self.limit // 4,
                           int(app.config.get("FRAGMENT_CACHE_MAX_BYTES", 1024 * 1024)))
        self.prefix = f"{app.config.get('PAGE_CACHE_PREFIX') or 'cocrea'}:fragment:"
        self.local: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self.local_bytes = 0
        self.lock = threading.Lock()
        # Fragments being rendered now by one of the worker's threads: key -> _Rendering.
        self.rendering: dict[str, _Rendering] = {}
        self.client = None
        url = app.config.get("PAGE_CACHE_REDIS_URL")
        if url:
            import redis

            self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.alarm = DependencyAlarm("fragment cache (Redis)", "fragments are kept per worker")

    # -- the worker's copy: a bounded LRU ----------------------------------------------------------
    def _local_get(self, key: str) -> str | None:
        with self.lock:
            found = self.local.get(key)
            if found is None:
                return None
            expires, html = found
            if expires < time.monotonic():
                del self.local[key]
                self.local_bytes -= len(html)
                return None
            self.local.move_to_end(key)
            return html

    def _local_put(self, key: str, html: str, expires: float) -> None:
        if len(html) > self.largest:  # characters: a lower bound of the bytes held
            return
        with self.lock:
            old = self.local.pop(key, None)
            if old is not None:
                self.local_bytes -= len(old[1])
            self.local[key] = (expires, html)
            self.local_bytes += len(html)
            while self.local_bytes > self.limit and self.local:
                _key, (_expires, dropped) = self.local.popitem(last=False)
                self.local_bytes -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.local.clear()
            self.local_bytes = 0

    # -- one render per key at a time in a worker --------------------------------------------------
    def render_once(self, key: str, render: Callable[[], str]) -> str:
        """`render()`, kept under `key`; while another of the worker's threads renders the same key,
        wait for its result instead of rendering it too. A popular page whose fragment has just
        expired, or a worker's first requests, would otherwise have every thread render the same
        fragment at once (and, the GIL shared, each take as long as all of them). A waiter renders
        for itself when the first fails or takes longer than RENDER_WAIT_SECONDS: never a deadlock,
        never an error that is not its own."""
        with self.lock:
            running = self.rendering.get(key)
            if running is None:
                running = self.rendering[key] = _Rendering()
                leader = True
            else:
                leader = False
        if not leader:
            if running.done.wait(RENDER_WAIT_SECONDS) and running.html is not None:
                return running.html
            return str(render())
        try:
            html = running.html = str(render())
        finally:
            with self.lock:
                self.rendering.pop(key, None)
            running.done.set()
        self.put(key, html)
        return html

    # -- shared through Redis, when configured ----------------------------------------------------
    def get(self, key: str) -> str | None:
        html = self._local_get(key)
        if html is not None or self.client is None:
            return html
        try:
            raw = self.client.get(self.prefix + key)
        except Exception as exc:  # redis.RedisError and socket errors alike: render instead
            self.alarm.failed(exc)
            return None
        self.alarm.recovered()
        if raw is None:
            return None
        html = raw.decode()
        self._local_put(key, html, time.monotonic() + self.seconds)
        return html

    def put(self, key: str, html: str) -> None:
        self._local_put(key, html, time.monotonic() + self.seconds)
        if self.client is None:
            return
        try:
            self.client.set(self.prefix + key, html.encode(), ex=self.seconds)
        except Exception as exc:
            self.alarm.failed(exc)
        else:
            self.alarm.recovered()


# In a kept fragment, where a form's CSRF token goes: each page puts its reader's own token there
# (`with_csrf`). A token kept in a fragment would be another session's, or stale.
CSRF_PLACEHOLDER = "@@csrf-token@@"


def with_csrf(html: str) -> str:
    """The fragment with this request's CSRF token in place of the placeholder."""
    if CSRF_PLACEHOLDER not in html:
        return html
    from flask_wtf.csrf import generate_csrf

    return html.replace(CSRF_PLACEHOLDER, generate_csrf())


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FragmentCache(app)
    app.add_template_global(slot, "fragment_slot")
    app.add_template_global(slot_end, "fragment_slot_end")
    app.add_template_global(fill, "fill_slots")


def cache_of(app: Flask | None = None) -> FragmentCache:
    app = app or current_app
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, FragmentCache(app))
    return cache


def key_for(name: str, target, version, viewer: str = "") -> str:
    """The key of a fragment: its name, target, data version, locale and viewer class."""
    from flask_babel import get_locale

    digest = hashlib.sha1(repr(version).encode()).hexdigest()[:20]
    return f"{name}:{target}:{digest}:{get_locale()}:{viewer}"


def cached(name: str, target, version, render: Callable[[], str], *, viewer: str = "") -> str:
    """The fragment `name` of `target` at `version` for this class of viewer: from the cache, or
    rendered by `render()` and kept."""
    cache = cache_of()
    key = key_for(name, target, version, viewer)
    html = cache.get(key)
    if html is None:
        html = cache.render_once(key, render)
    return html


class _Joined(sa.sql.functions.FunctionElement):
    """The text values of a column over a group's rows, joined by ';' (PostgreSQL's string_agg,
    SQLite's group_concat): SQLAlchemy's aggregate_strings, with the separator written in the SQL
    instead of added to it on every execution."""
    type = sa.String()
    inherit_cache = True


@compiles(_Joined, "postgresql")
def _joined_postgresql(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)}, ';')"


@compiles(_Joined)
def _joined_default(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, ';')"


def row_values(obj, skip=()) -> tuple:
    """Every column of a loaded row but those named in `skip`, as text (no statement: the row is
    in the session): a fragment's version reads the rows its page loaded anyway as they are."""
    if obj is None:
        return ()
    return tuple(str(getattr(obj, attr.key)) for attr in sa.inspect(type(obj)).column_attrs
                 if attr.key not in skip)


def fingerprint(*columns):
    """A SQL aggregate of the rows it runs over that changes whenever any of `columns` changes in
    any of them (each row's values as text, joined; the same on PostgreSQL and SQLite, '' over no
    rows): for a fragment's version, where a count and a latest change would miss an edit. The
    rows' order is not fixed, so the same data may give another text (a miss, never a stale hit).
    For the few rows a page shows beside its subject, not for thousands. Its constants are
    written in the SQL, not bound: a statement of many parts stays one the driver keeps parsed."""
    between = sa.literal_column("'|'")
    row = None
    for column in columns:
        text = _as_text(column)
        row = text if row is None else row + between + text
    return sa.func.coalesce(_Joined(row), sa.literal_column("''"))


def _as_text(column):
    """The column as text in a fingerprint: cast unless it is text already, '~' for NULL unless it
    cannot be NULL (the shorter the statement, the less the driver reads per execution)."""
    plain = isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)
    text = column if plain else sa.cast(column, sa.String)
    if getattr(column, "nullable", True) is False:
        return text
    return sa.func.coalesce(text, sa.literal_column("'~'"))


def total_length(column):
    """The summed length of a text column over the rows (0 over none; NULL counts 0): a figure
    of a fragment's version that moves when a text is edited to another length. Constants written
    in the SQL, as in `fingerprint`."""
    zero = sa.literal_column("0")
    return sa.func.coalesce(sa.func.sum(sa.func.length(sa.func.coalesce(column, sa.literal_column("''")))), zero)


def total(column):
    """The sum of an integer column over the rows (0 over none), constants written in the SQL."""
    return sa.func.coalesce(sa.func.sum(column), sa.literal_column("0"))


def side_by_side(statements) -> sa.Select:
    """One statement of the columns of `statements`, each of one row (aggregates): a fragment's
    version read in one round trip."""
    parts = [statement.subquery() for statement in statements]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, sa.true())
    return sa.select(*(column for part in parts for column in part.c)).select_from(joined)


def slot(name: str, ident) -> Markup:
    """A mark in a fragment where `overlay` puts what is personal (or nothing)."""
    return Markup(f"<!--slot:{name}:{int(ident)}-->")


def slot_end(name: str, ident) -> Markup:
    """Where what a fragment shows in slot `name` by default ends (`replace_slot` replaces both)."""
    return Markup(f"<!--/slot:{name}:{int(ident)}-->")


def replace_slot(html: str, name: str, ident: int, content: str) -> str:
    """The fragment with slot `name` of `ident`, and what it shows by default up to its
    `slot_end` if it has one, replaced by `content`: for the few slots of one reader (their own
    comments) in a fragment whose other slots keep their default."""
    start = f"<!--slot:{name}:{int(ident)}-->"
    at = html.find(start)
    if at < 0:
        return html
    end_mark = f"<!--/slot:{name}:{int(ident)}-->"
    end = html.find(end_mark, at)
    stop = end + len(end_mark) if end >= 0 else at + len(start)
    return "".join((html[:at], str(content), html[stop:]))  # all HTML already: none escaped again


_MARKS = re.compile(r"<!--/?slot:[\w-]+:\d+-->")


def without_slots(html: str) -> Markup:
    """The fragment with every slot mark gone (one pass, no call per mark): what is left of the
    slots not filled is their default."""
    return Markup(_MARKS.sub("", html))


def overlay(html: str, name: str, fill: Callable[[int], str]) -> Markup:
    """The fragment with each of its `name` slots replaced by `fill(ident)` (escaped HTML or '')."""
    pattern = re.compile(rf"<!--slot:{re.escape(name)}:(\d+)-->")
    return Markup(pattern.sub(lambda match: fill(int(match.group(1))), html))


def fill(html: str, parts: dict[str, str]) -> Markup:
    """The fragment with its slots of every name in `parts` replaced by that part (escaped HTML,
    the same for every ident): what a page renders per request, laid over its kept body."""
    return overlay_all(html, {name: (lambda _ident, part=part: str(part)) for name, part in parts.items()})


def overlay_all(html: str, fills: dict[str, Callable[[int], str] | None]) -> Markup:
    """The fragment with its slots of every name in `fills` replaced in one pass: by
    `fills[name](ident)`, or by nothing when that is None (an anonymous reader's page: then
    without a call per slot)."""
    names = "|".join(re.escape(name) for name in fills)
    pattern = re.compile(rf"<!--slot:({names}):(\d+)-->")
    if all(fill is None for fill in fills.values()):
        return Markup(pattern.sub("", html))

    def replace(match) -> str:
        fill = fills[match.group(1)]
        return fill(int(match.group(2))) if fill is not None else ""

    return Markup(pattern.sub(replace, html))
