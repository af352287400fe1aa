"""Redis stopped: every page still answers, and each part that uses Redis logs the failure once,
then at most once a minute with the number of requests affected; no traceback per request."""
import logging

import pytest

from app import create_app
from app.extensions import limiter
from tests.conftest import FormClient, IsolatedClient
from tests.conftest import test_config as base_config
from tests.core.test_alarms import FakeClock
from tests.proposals.factories import World, make_proposal

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@pytest.fixture
def redis_down_app(database_url, tmp_path):
    config = {**base_config(database_url, tmp_path), "REDIS_URL": CLOSED, "PAGE_CACHE_REDIS_URL": CLOSED,
              "RATELIMIT_STORAGE_URI": CLOSED, "RATELIMIT_LOGIN": "3 per minute"}
    app = create_app(config)
    app.test_client_class = IsolatedClient
    yield app
    # Flask-Limiter is one object for the whole process: give the rest of the suite its memory
    # storage back, and forget that this Redis was dead.
    create_app(base_config(database_url, tmp_path))
    limiter._storage_dead = False


def errors(records) -> list[tuple[str, str]]:
    return [(r.name, r.getMessage()) for r in records if r.levelno >= logging.ERROR]


def test_pages_answer_and_the_page_cache_failure_is_one_line_then_a_count_a_minute_later(
        redis_down_app, log_records):
    world = World()
    proposal = make_proposal(world, title="Banqueta rota en la calle Zaragoza")
    clock = FakeClock()
    redis_down_app.extensions["page_cache"].alarm.clock = clock
    reader = redis_down_app.test_client()

    statuses = [reader.get(path).status_code
                for path in ("/proposals/", f"/proposals/{proposal.reference}") * 10]

    assert statuses == [200] * 20
    assert errors(log_records) == [
        ("app.core.alarms", "page cache (Redis) unavailable (pages are rendered from the database): "
                            "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused."),
        # The list's results are a fragment (app/proposals/views.py index), shared through Redis.
        ("app.core.alarms", "fragment cache (Redis) unavailable (fragments are kept per worker): "
                            "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused.")]
    assert not [r for r in log_records if r.exc_info]  # no traceback at all
    clock.now += 61
    assert reader.get("/proposals/").status_code == 200
    assert [r.getMessage() for r in log_records if r.levelno == logging.WARNING] == [
        "page cache (Redis) still unavailable: 20 requests affected in the last 61 s; "
        "last error: ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused."]


def test_logins_are_still_limited_per_worker_and_the_fallback_is_one_line(redis_down_app, log_records):
    world = World()
    clock = FakeClock()
    redis_down_app.extensions["cocrea_rate_limit_alarm"].clock = clock
    browser = FormClient(redis_down_app.test_client())
    wrong = {"email": world.citizen.email, "password": "not-the-password-1"}

    statuses = [browser.submit("/account/login", wrong).status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]  # not 500: the limit is counted in this process
    # One line per part: the limits, and the page cache whose version the failed logins' commits
    # could not bump.
    assert errors(log_records) == [
        ("app.core.alarms", "rate limits (Redis) unavailable (each worker counts the limits on its own): "
                            "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused."),
        ("app.core.alarms", "page cache (Redis) unavailable (pages are rendered from the database): "
                            "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused.")]
    assert not [r for r in log_records if r.name == "flask-limiter" and r.levelno >= logging.WARNING]
    clock.now += 61
    assert browser.submit("/account/login", wrong).status_code == 429
    assert [r.getMessage() for r in log_records if r.levelno == logging.WARNING and "rate" in r.getMessage()] == [
        "rate limits (Redis) still unavailable: 4 requests affected in the last 61 s; "
        "last error: ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused."]


def test_healthz_names_redis_on_every_probe_and_logs_it_once(redis_down_app, log_records):
    probe = redis_down_app.test_client()

    answers = [probe.get("/healthz") for _ in range(5)]

    assert [a.status_code for a in answers] == [503] * 5
    assert {tuple(sorted(a.get_json().items())) for a in answers} == {
        (("database", "ok"), ("redis", "unreachable"), ("status", "error"))}
    assert [message for _, message in errors(log_records)] == [
        "Redis (health check) unavailable (/healthz answers 503): "
        "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused."]
