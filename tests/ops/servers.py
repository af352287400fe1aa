"""Real gunicorn servers for the operations tests, and a browser-like client to talk to them."""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.ops.pg import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_gunicorn() -> None:
    if subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True).returncode:
        require_service("gunicorn is not installed in this environment (pip install -e .)")


def server_env(**settings: str) -> dict:
    """The test process's environment without the settings that would point the server elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "PAGE_CACHE_REDIS_URL", "RATELIMIT_STORAGE_URI", "FLASK_APP")}
    env.update({"COCREA_ENV": "development", "MAIL_BACKEND": "null", "MAIL_SEND_AFTER_REQUEST": "0",
                "LOG_FORMAT": "json"})
    env.update(settings)
    return env


def start_server(port: int, env: dict, log: Path, *worker_args: str) -> subprocess.Popen:
    """gunicorn serving wsgi:app on a loopback port (one sync worker unless `worker_args` say)."""
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               *(worker_args or ("--workers", "1")), "--timeout", "60", "wsgi:app"]
    with open(log, "w") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(server: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{server} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{server} did not become healthy:\n{log.read_text()[-3000:]}")


class Browser:
    """One cookie jar for every server, as a browser keeps for one host whatever the port."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def csrf_token(self, url: str) -> str:
        status, html, _ = self.request(url)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert status == 200 and match, f"no CSRF token on {url} ({status})"
        return match.group(1)

    def post_form(self, page: str, action: str, data: dict) -> tuple[int, str, dict]:
        return self.request(action, {**data, "csrf_token": self.csrf_token(page)})

    def log_in(self, server: str, email: str, password: str) -> int:
        status, _, _ = self.post_form(f"{server}/account/login", f"{server}/account/login",
                                      {"email": email, "password": password})
        return status
