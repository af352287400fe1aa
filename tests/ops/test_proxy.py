"""Behind nginx (TRUSTED_PROXY_COUNT=1) the client's address and scheme come from the proxy."""
import pytest
from flask import request

from app import create_app
from tests.conftest import test_config as base_config

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def _app(database_url, tmp_path, hops):
    app = create_app({**base_config(database_url, tmp_path), "TRUSTED_PROXY_COUNT": hops})

    @app.get("/_ops_test_client")
    def _client():
        return f"{request.remote_addr} {request.scheme}"

    return app


@pytest.mark.parametrize("hops,expected", [
    (1, "203.0.113.7 https"),
    (0, "127.0.0.1 http"),  # without a proxy in front, the headers are anyone's to forge
])
def test_forwarded_headers_are_trusted_only_when_configured(database_url, tmp_path, hops, expected):
    app = _app(database_url, tmp_path, hops)

    response = app.test_client().get("/_ops_test_client", headers=FORWARDED,
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})

    assert response.get_data(as_text=True) == expected
