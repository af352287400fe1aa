"""Structured logs: a request id on every record of a request, JSON lines in production."""
import json
import logging

import pytest
from flask import g

from app import create_app
from app.core.logging import JsonFormatter, RequestContextFilter, TextFormatter, request_id_from
from tests.conftest import test_config as base_config


class Collect(logging.Handler):
    """Keeps records after the request-context filter ran, as the real handler sees them."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestContextFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def routed_app(database_url, tmp_path):
    """A fresh app with two extra routes (the shared one has served requests already)."""
    fresh = create_app({**base_config(database_url, tmp_path), "TESTING": False})

    @fresh.get("/_ops_test_log")
    def _log_something():
        logging.getLogger("app.somewhere").warning("something happened")
        return g.request_id

    @fresh.get("/_ops_test_boom")
    def _boom():
        raise RuntimeError("kaboom")

    yield fresh
    create_app(base_config(database_url, tmp_path))  # the suite's logging set-up again


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    # A migration run earlier in this process (alembic's fileConfig) may have disabled these
    # loggers and raised the root level to WARNING.
    for name in ("cocrea.access", "app"):
        logging.getLogger(name).disabled = False
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_sane_incoming_request_id_is_kept_and_returned(client, collected):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-2026.11_26-abc"})

    assert response.headers["X-Request-ID"] == "lb-2026.11_26-abc"
    access = [r for r in collected if r.name == "cocrea.access"]
    assert len(access) == 1
    assert access[0].request_id == "lb-2026.11_26-abc"
    assert (access[0].method, access[0].path, access[0].status) == ("GET", "/healthz", 200)
    assert access[0].duration_ms >= 0


@pytest.mark.parametrize("header", [
    None, "", "x" * 65, "has space", "semi;colon", "<script>", "path/like", "ñandú",
])
def test_an_absent_or_unsafe_request_id_is_replaced_by_a_new_one(client, header):
    headers = {} if header is None else {"X-Request-ID": header}

    returned = client.get("/healthz", headers=headers).headers["X-Request-ID"]

    assert returned != header
    assert len(returned) == 32 and int(returned, 16) >= 0  # uuid4 hex


def test_two_requests_get_different_ids(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert first != second


def test_the_id_is_accepted_up_to_64_characters():
    assert request_id_from("a" * 64) == "a" * 64
    assert request_id_from("a" * 65) != "a" * 65


def test_records_logged_inside_a_view_carry_the_request_id(routed_app, collected):
    response = routed_app.test_client().get("/_ops_test_log", headers={"X-Request-ID": "trace-1"})

    assert response.get_data(as_text=True) == "trace-1"
    inside = [r for r in collected if r.name == "app.somewhere"]
    assert [r.request_id for r in inside] == ["trace-1"]
    assert inside[0].path == "/_ops_test_log"


def test_a_json_line_has_the_fields_operations_need(app, client, collected):
    client.get("/healthz?token=secret-in-query", headers={"X-Request-ID": "json-1"})
    access = next(r for r in collected if r.name == "cocrea.access")

    line = json.loads(JsonFormatter().format(access))

    assert line["request_id"] == "json-1"
    assert line["level"] == "INFO" and line["logger"] == "cocrea.access"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")  # UTC, ISO 8601
    assert "secret-in-query" not in json.dumps(line)  # query strings may hold tokens
    assert "127.0.0.1" not in json.dumps(line)


def test_an_exception_is_written_into_the_json_line():
    logger = logging.getLogger("ops.test")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logger.makeRecord("ops.test", logging.ERROR, __file__, 1, "failed", (), None)
        import sys

        record.exc_info = sys.exc_info()
    RequestContextFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["request_id"] is None  # outside a request
    assert "RuntimeError: boom" in line["exception"]


def test_text_lines_show_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
    record.request_id = "abc"

    assert "[abc] " not in TextFormatter().format(record)  # the id sits before the colon
    assert "x [abc]: hello" in TextFormatter().format(record)


@pytest.mark.parametrize("env,expected", [
    ("production", "json"), ("development", "text"), ("testing", "text"),
])
def test_log_format_defaults_by_environment(tmp_path, monkeypatch, env, expected):
    from app.config import load_config

    for name in ("LOG_FORMAT", "COCREA_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COCREA_ENV", env)
    monkeypatch.setenv("COCREA_ALLOW_UNSAFE_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)

    assert load_config(str(tmp_path))["LOG_FORMAT"] == expected


def test_create_app_installs_one_json_handler_however_often_it_runs(database_url, tmp_path):
    for _ in range(3):
        create_app({**base_config(database_url, tmp_path), "LOG_FORMAT": "json"})
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_cocrea", False)]

    assert len(ours) == 1
    assert isinstance(ours[0].formatter, JsonFormatter)
    # Back to the suite's text handler, so that later tests log as before.
    create_app(base_config(database_url, tmp_path))


def test_an_unhandled_error_is_logged_once_with_its_request_id(routed_app, collected):
    response = routed_app.test_client().get("/_ops_test_boom", headers={"X-Request-ID": "err-1"})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "err-1"
    errors = [r for r in collected if r.exc_info and r.request_id == "err-1"]
    assert len(errors) == 1
    assert "kaboom" in json.loads(JsonFormatter().format(errors[0]))["exception"]


@pytest.mark.parametrize("path,logged", [
    ("/account/reset-password/SECRET.TOKEN-value", "/account/reset-password/<token>"),
    ("/account/confirm/SECRET.TOKEN-value", "/account/confirm/<token>"),
    ("/account/email/confirm/SECRET.TOKEN-value", "/account/email/confirm/<token>"),
])
def test_tokens_in_paths_never_reach_the_log(client, collected, path, logged):
    client.get(path)

    access = [r for r in collected if r.name == "cocrea.access"]
    assert [r.path for r in access] == [logged]
    line = JsonFormatter().format(access[0])
    assert "SECRET" not in line and logged in line
