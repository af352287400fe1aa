"""GET /healthz: 200 when the database answers, 503 naming the failing part when it does not."""
import socket

import pytest

from app import create_app
from tests.conftest import test_config as base_config


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_healthz_reports_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "unreachable",
    [
        lambda: "sqlite:////nonexistent-cocrea-dir/sub/cocrea.sqlite3",
        lambda: f"postgresql://postgres@127.0.0.1:{closed_port()}/cocrea",
    ],
    ids=["sqlite-missing-directory", "postgresql-closed-port"],
)
def test_healthz_reports_an_unreachable_database(tmp_path, unreachable):
    broken = create_app(base_config(unreachable(), tmp_path))

    with broken.app_context():
        response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
