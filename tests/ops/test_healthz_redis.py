"""GET /healthz also checks Redis when REDIS_URL is set, and names it when it fails."""
import time

import pytest

from app import create_app
from tests.conftest import require_service
from tests.conftest import test_config as base_config

REDIS_URL = "redis://127.0.0.1:6379/7"


def _app(database_url, tmp_path, redis_url):
    return create_app({**base_config(database_url, tmp_path), "REDIS_URL": redis_url})


def test_an_unreachable_redis_makes_healthz_fail_and_says_which_part(database_url, tmp_path):
    broken = _app(database_url, tmp_path, "redis://127.0.0.1:1/0")

    started = time.monotonic()
    with broken.app_context():
        response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "unreachable"}
    assert time.monotonic() - started < 5  # a short timeout, not a hanging probe


def test_a_malformed_redis_url_is_a_503_not_a_500(database_url, tmp_path):
    broken = _app(database_url, tmp_path, "not-a-redis-url")

    with broken.app_context():
        response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["redis"] == "unreachable"


def test_a_reachable_redis_is_reported_ok(database_url, tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        require_service(f"Redis at {REDIS_URL} is unreachable ({exc})")
    healthy = _app(database_url, tmp_path, REDIS_URL)

    with healthy.app_context():
        response = healthy.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.parametrize("redis_url", [None, ""])
def test_without_redis_url_only_the_database_is_checked(database_url, tmp_path, redis_url):
    plain = _app(database_url, tmp_path, redis_url)

    with plain.app_context():
        response = plain.test_client().get("/healthz")

    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_sends_one_statement_whatever_the_data(client, demo):
    from tests.querycount import count_queries

    with count_queries() as statements:
        assert client.get("/healthz").status_code == 200

    assert len(statements) == 1  # SELECT 1: a probe every few seconds must stay cheap
