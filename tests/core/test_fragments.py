"""The fragment cache (app/core/fragments.py): bounded per worker, keyed by version, locale and
viewer class, and still rendering when Redis does not answer."""
from flask import Flask
from flask_babel import refresh

from app.core import fragments
from app.core.fragments import FragmentCache


def small_app(**config) -> Flask:
    app = Flask("fragments-test")
    app.config.update({"PAGE_CACHE_REDIS_URL": None, "BABEL_DEFAULT_LOCALE": "es_MX", **config})
    return app


def test_the_workers_copy_is_bounded_and_drops_the_least_recently_used():
    cache = FragmentCache(small_app(FRAGMENT_CACHE_LOCAL_BYTES=4000))
    for n in range(10):
        cache.put(f"k{n}", "x" * 900)
    assert cache.local_bytes <= 4000
    assert cache.get("k0") is None and cache.get("k9") == "x" * 900


def test_a_fragment_larger_than_the_cap_is_not_kept_by_the_worker():
    cache = FragmentCache(small_app(FRAGMENT_CACHE_LOCAL_BYTES=10_000_000, FRAGMENT_CACHE_MAX_BYTES=1000))
    cache.put("small", "x" * 1000)
    cache.put("large", "x" * 1001)
    assert cache.get("small") == "x" * 1000
    assert cache.get("large") is None and cache.local_bytes == 1000
    # By default one fragment is at most 1 MiB, whatever room the worker's copy has.
    assert FragmentCache(small_app(FRAGMENT_CACHE_LOCAL_BYTES=1 << 30)).largest == 1024 * 1024


def test_a_fragment_expires_after_its_lifetime(monkeypatch):
    cache = FragmentCache(small_app(FRAGMENT_CACHE_SECONDS=10))
    clock = [1000.0]
    monkeypatch.setattr(fragments.time, "monotonic", lambda: clock[0])
    cache.put("k", "html")
    assert cache.get("k") == "html"
    clock[0] += 11
    assert cache.get("k") is None


def test_the_key_holds_the_version_the_locale_and_the_viewer(app):
    with app.test_request_context("/?lang=en"):
        refresh()  # the locale is remembered in the app context, which the test shares
        english = fragments.key_for("thread", 1, ("3", "t"), "reader")
        assert english != fragments.key_for("thread", 1, ("4", "t"), "reader")
        assert english != fragments.key_for("thread", 1, ("3", "t"), "poster")
    with app.test_request_context("/?lang=es_MX"):
        refresh()
        assert english != fragments.key_for("thread", 1, ("3", "t"), "reader")


def test_without_redis_answering_fragments_are_still_rendered_and_kept_locally(app):
    cache = FragmentCache(small_app(PAGE_CACHE_REDIS_URL="redis://127.0.0.1:1/0"))
    assert cache.get("missing") is None  # refused connection: a miss, not an error
    cache.put("k", "html")
    assert cache.get("k") == "html"
    assert cache.alarm.failing


def test_overlay_fills_each_slot_and_escapes_nothing_twice():
    html = f"<p>a{fragments.slot('c', 1)}b{fragments.slot('c', 2)}</p>"
    assert fragments.overlay(html, "c", lambda i: "<i>1</i>" if i == 1 else "") == "<p>a<i>1</i>b</p>"


def test_overlay_all_fills_every_name_in_one_pass_and_strips_what_has_no_filler():
    html = ("<p><!--slot:a:1-->x<!--slot:b:1--></p><p><!--slot:a:22-->y<!--slot:b:22--></p>"
            "<!--slot:other:3-->")
    filled = fragments.overlay_all(html, {"a": lambda n: f"<i>{n}</i>", "b": None})
    assert filled == "<p><i>1</i>x</p><p><i>22</i>y</p><!--slot:other:3-->"
    assert fragments.overlay_all(html, {"a": None, "b": None}) == "<p>x</p><p>y</p><!--slot:other:3-->"


def _at_once(calls):
    """Run each callable in its own thread, started together; their results (or exceptions)."""
    import threading

    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        start.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned to the test, which checks it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def test_threads_wanting_the_same_fragment_render_it_once():
    """A worker's first request for a page, or the first after its fragment expired: the threads
    that ask for it together wait for one render instead of each rendering it."""
    import threading
    import time

    cache = FragmentCache(small_app())
    renders, lock = [], threading.Lock()

    def render():
        with lock:
            renders.append(1)
        time.sleep(0.2)  # long enough that every thread asks while it runs
        return "<p>hilo</p>"

    results = _at_once([lambda: cache.render_once("thread", render)] * 6)

    assert results == ["<p>hilo</p>"] * 6
    assert len(renders) == 1
    assert cache.get("thread") == "<p>hilo</p>" and cache.rendering == {}


def test_other_fragments_are_not_held_up_and_a_failed_render_is_the_renderers_own():
    import threading

    cache = FragmentCache(small_app())
    started = threading.Event()

    def failing():
        started.set()
        threading.Event().wait(0.2)
        raise RuntimeError("plantilla rota")

    def waiter():
        started.wait(5)
        return cache.render_once("page", lambda: "<p>de nuevo</p>")

    failed, again, other = _at_once([lambda: cache.render_once("page", failing), waiter,
                                     lambda: cache.render_once("other", lambda: "<p>otro</p>")])

    assert isinstance(failed, RuntimeError)      # the leader's error is the leader's
    assert again == "<p>de nuevo</p>"            # the waiter rendered it itself
    assert other == "<p>otro</p>" and cache.rendering == {}


def test_a_waiter_renders_for_itself_when_the_first_render_is_too_slow(monkeypatch):
    import threading

    monkeypatch.setattr(fragments, "RENDER_WAIT_SECONDS", 0.05)
    cache = FragmentCache(small_app())
    started, release = threading.Event(), threading.Event()

    def stuck():
        started.set()
        release.wait(5)
        return "<p>tarde</p>"

    def waiter():
        started.wait(5)
        html = cache.render_once("page", lambda: "<p>a tiempo</p>")
        release.set()
        return html

    slow, quick = _at_once([lambda: cache.render_once("page", stuck), waiter])

    assert (slow, quick) == ("<p>tarde</p>", "<p>a tiempo</p>")
