"""Whole-page cache for anonymous readers, shared by every worker through Redis.

A page is stored under the *data version*: a Redis counter bumped after every database commit
that wrote something. A page is looked up under the version read when its request starts, so a
change is visible on the very next request, in every worker, and nothing has to know which pages
a change touches. Time alone changes some pages too (a consultation window closing, a milestone
becoming late): PAGE_CACHE_SECONDS bounds that staleness. When a page passes that age, one
request renders it again while the others are still served the copy (for at most as long again),
so an expiry under load is not a stampede of identical renders.

Only GET requests without a signed-in user, without a pending flash message and without a
session cookie to set are served from or stored in the cache, and only for the public read
endpoints listed below. When Redis does not answer, pages are rendered from the database as if
there were no cache, and the failure is logged once (app/core/alarms.py), not once per request.
"""
import fnmatch
import json
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, g, request, session
from sqlalchemy.orm import Session

from app.core import facts, uow
from app.core.alarms import DependencyAlarm

# Public pages that are the same for every anonymous reader.
CACHEABLE = (
    "plans.*", "proposals.index", "proposals.show", "commitments.index", "commitments.show",
    "consultations.show", "consultations.report", "dashboard.*", "dialogues.index", "dialogues.show",
    "calls.index", "calls.show", "calls.registry", "elections.index", "elections.show", "elections.box",
    "transparency.*", "profiles.*", "opendata.index", "opendata.dataset", "opendata.catalog",
    "opendata.table_schema", "legal.*", "moderation.log", "feeds.*", "api.*",
    "documents.index", "documents.show", "documents.declaration", "announcements.index",
    "announcements.show",
)
# What a cached response keeps of its headers (the rest are added again on the way out).
KEPT_HEADERS = ("Content-Type", "ETag", "Cache-Control", "Content-Disposition", "Access-Control-Allow-Origin",
                "Access-Control-Expose-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
                "Vary", "Last-Modified")
# A page larger than this is not worth a trip to Redis (and exports stream anyway).
MAX_BYTES = 2 * 1024 * 1024


class PageCache:
    """Thread-safe: one per app, shared by a worker's threads. The redis-py client is documented
    as thread-safe; the worker-local copies are only touched under `self.lock`."""

    def __init__(self, app: Flask):
        import redis

        self.client = redis.Redis.from_url(app.config["PAGE_CACHE_REDIS_URL"], socket_timeout=0.5,
                                           socket_connect_timeout=0.5)
        self.prefix = app.config.get("PAGE_CACHE_PREFIX") or "cocrea"
        self.seconds = int(app.config["PAGE_CACHE_SECONDS"])
        self.version_key = f"{self.prefix}:data-version"
        # A worker keeps the pages it served last: the key holds the data version, so a copy here
        # is exactly as fresh as Redis's, and a hit costs one small GET (the version) instead of
        # moving the whole page out of Redis again.
        self.local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.local_bytes = 0
        self.local_limit = int(app.config.get("PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024))
        self.lock = threading.Lock()
        self.alarm = DependencyAlarm("page cache (Redis)", "pages are rendered from the database")
        # A write whose version bump failed: pages cached before it must not come back with Redis.
        # A plain flag: two threads paying it at once cost one extra bump.
        self.bump_owed = False

    def _remember(self, key: str, raw: bytes) -> None:
        with self.lock:
            old = self.local.pop(key, None)
            if old is not None:
                self.local_bytes -= len(old[1])
            self.local[key] = (time.monotonic() + self.seconds * 2, raw)
            self.local_bytes += len(raw)
            while self.local_bytes > self.local_limit and self.local:
                _key, (_expires, dropped) = self.local.popitem(last=False)
                self.local_bytes -= len(dropped)

    def _recall(self, key: str) -> bytes | None:
        with self.lock:
            entry = self.local.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self.local[key]
                self.local_bytes -= len(entry[1])
                return None
            self.local.move_to_end(key)
            return entry[1]

    def version(self) -> int:
        raw = self.client.get(self.version_key)
        if raw is None:
            # Redis lost the counter (a restart without persistence): start a new epoch from the
            # clock, so that no version number ever comes back while workers hold local copies.
            self.client.set(self.version_key, time.time_ns(), nx=True)
            raw = self.client.get(self.version_key)
        if self.bump_owed:
            self.bump()
            self.bump_owed = False
            raw = self.client.get(self.version_key)
        return int(raw)

    def bump(self) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.version_key, time.time_ns(), nx=True)
        pipe.incr(self.version_key)
        pipe.execute()

    def key(self, version: int, locale: str) -> str:
        return f"{self.prefix}:page:{version}:{locale}:{request.full_path}"

    def load(self, key: str) -> tuple[Response, bool] | None:
        """(page, still fresh) for the key, or None. A page past PAGE_CACHE_SECONDS is kept as
        long again, so that one request renders it anew while the others are served the copy."""
        raw = self._recall(key)
        if raw is None:
            raw = self.client.get(key)
            if raw is None:
                return None
            self._remember(key, raw)
        header, _sep, body = raw.partition(b"\n")
        meta = json.loads(header)
        fresh = time.time() < meta.get("fresh_until", 0)
        return Response(body, status=meta["status"], headers=meta["headers"]), fresh

    def claim_refresh(self, key: str) -> bool:
        """Whether this request is the one that renders a stale page again (one per key at a time)."""
        return bool(self.client.set(f"{key}:refreshing", b"1", nx=True, ex=10))

    def store(self, key: str, response: Response) -> None:
        body = response.get_data()
        headers = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
        header = json.dumps({"status": response.status_code, "headers": headers,
                             "fresh_until": time.time() + self.seconds}).encode()
        raw = header + b"\n" + body
        pipe = self.client.pipeline(transaction=False)
        pipe.set(key, raw, ex=self.seconds * 2)
        pipe.delete(f"{key}:refreshing")
        pipe.execute()
        self._remember(key, raw)


def _cacheable_request() -> bool:
    from flask_login import current_user

    if request.method != "GET" or request.endpoint is None:
        return False
    if not any(fnmatch.fnmatchcase(request.endpoint, pattern) for pattern in CACHEABLE):
        return False
    if "_flashes" in session or session.get("_user_id"):
        return False
    return not current_user.is_authenticated


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "")


def register_page_cache(app: Flask) -> None:
    """Serve and store anonymous pages, and bump the data version after every writing commit."""
    if not app.config.get("PAGE_CACHE_REDIS_URL"):
        return
    cache = PageCache(app)
    app.extensions["page_cache"] = cache

    @app.before_request
    def _serve_from_cache():
        g.page_cache_key = None
        if not _cacheable_request():
            return None
        try:
            version = cache.version()
            setattr(g, facts.VERSION, version)  # the facts of the page are of this version too
            key = cache.key(version, _locale())
            cached = cache.load(key)
        except Exception as exc:  # Redis down: serve from the database, never fail the page
            cache.alarm.failed(exc)
            return None
        cache.alarm.recovered()
        if cached is not None:
            page, fresh = cached
            try:
                serve = fresh or not cache.claim_refresh(key)
            except Exception:
                serve = True
            if serve:
                g.page_cache_hit = "hit" if fresh else "stale"
                return page.make_conditional(request)
        g.page_cache_key = key
        return None

    @app.after_request
    def _store_in_cache(response: Response) -> Response:
        key = g.pop("page_cache_key", None)
        if getattr(g, "page_cache_hit", False):
            response.headers["X-Cache"] = g.page_cache_hit
            return response
        if key is None:
            return response
        response.headers["X-Cache"] = "miss"
        if (response.status_code == 200 and not response.is_streamed and not session.modified
                and "Set-Cookie" not in response.headers
                and (response.content_length or 0) <= MAX_BYTES):
            try:
                cache.store(key, response)
            except Exception as exc:
                cache.alarm.failed(exc)
        return response

    _listen_for_writes()


def _listen_for_writes() -> None:
    """Once per process, whatever the number of apps (tests make several): the app whose context
    the commit runs in finds its own cache."""
    if getattr(Session, "_cocrea_cache_listeners", False):
        return

    def _after_commit(session):
        from flask import current_app, has_app_context

        target = current_app.extensions.get("page_cache") if has_app_context() else None
        if target is not None:
            try:
                target.bump()
                target.alarm.recovered()
            except Exception as exc:
                target.bump_owed = True  # paid by the first version() that reaches Redis again
                target.alarm.failed(exc)

    # Which sessions wrote, and which commit is the unit's own (not a savepoint's release), is
    # app/core/uow.py's record.
    uow.listen_for_writes()
    uow.after_writing_commit(_after_commit)
    Session._cocrea_cache_listeners = True
