"""Throughput and latency of the app served by gunicorn on loopback, driven by wrk.

For each database: a fresh database filled by bench/generate.py, gunicorn with several workers,
Redis for rate limits and the page cache, and wrk (a second process) at 16 connections for each
scenario. Every read page is followed by the floor: a page of the same size served without the
database, so each page's throughput is also a ratio to the floor, measured in the same run.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
LUA = Path(__file__).with_name("requests.lua")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on a loopback port, production settings, Redis for shared state."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "COCREA_ENV": "production",
            "COCREA_ALLOW_UNSAFE_PRODUCTION": "1",  # SQLite is refused in production otherwise
            "SECRET_KEY": "bench-" + "k" * 40,
            "REDIS_URL": REDIS_URL,
            "PAGE_CACHE_PREFIX": "bench-" + uuid.uuid4().hex[:8],
            "SESSION_COOKIE_SECURE": "0",
            "BASE_URL": self.base,
            "LOG_LEVEL": "WARNING",
            "COCREA_BENCH_FLOOR": "1",
            # One client address sends everything here: the per-address limits would throttle it.
            "RATELIMIT_API": "1000000 per minute",
            "RATELIMIT_DOWNLOADS": "1000000 per minute",
            "RATELIMIT_LOGIN": "1000000 per minute",
            "RATELIMIT_VOTE": "1000000 per minute",
            "MAIL_BACKEND": "null",
        }

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-k", "gthread", "--threads", str(THREADS),
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=open("/tmp/cocrea-bench-gunicorn.log", "w"),
            start_new_session=True,
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:  # not listening yet, or still importing
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("gunicorn did not start: see /tmp/cocrea-bench-gunicorn.log")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _request(url: str, cookie: str | None = None, data: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie} if cookie else {})
    try:
        response = _opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        response = exc
    text = response.read().decode("utf-8", "replace")
    set_cookie = [v for k, v in response.headers.items() if k.lower() == "set-cookie" and v.startswith("session=")]
    return response.status, text, (set_cookie[0].split(";")[0] if set_cookie else cookie)


def log_in(base: str, email: str, password: str) -> tuple[str, str]:
    """(session cookie, CSRF token) of a signed-in person, as a browser would get them."""
    _status, page, cookie = _request(base + "/account/login")
    token = TOKEN.search(page).group(1)
    status, _page, cookie = _request(base + "/account/login", cookie,
                                     {"csrf_token": token, "email": email, "password": password})
    if status not in (302, 303):
        raise RuntimeError(f"login of {email} failed with {status}")
    _status, page, cookie = _request(base + "/proposals/new", cookie)
    return cookie, TOKEN.search(page).group(1)


def wrk(url: str, script_lines: list[str] | None = None) -> dict:
    """One wrk run (after a short warm-up); requests per second, p50/p99 in ms, errors."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "10s"]
    workdir = None
    if script_lines is not None:
        workdir = tempfile.mkdtemp()
        Path(workdir, "requests.txt").write_text("\n".join(script_lines) + "\n", encoding="utf-8")
        command += ["-s", str(LUA)]
    else:  # a second of warm-up: worker imports, connection pools, the first cache fill
        subprocess.run(["wrk", "-t1", "-c2", "-d1s", url], capture_output=True, check=False)
    command.append(url)
    if script_lines is not None:
        command += ["--", "2"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    if "Requests/sec" not in run.stdout:
        raise RuntimeError(f"wrk failed: {run.stdout}\n{run.stderr}")
    output = run.stdout
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return _parse(output)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def _parse(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(n) for n in match.groups())
    return {"rps": round(rps, 1), "p50_ms": p50, "p99_ms": p99, "requests": requests, "errors": errors}


def _size(url: str, cookie: str | None = None) -> int:
    _status, text, _cookie = _request(url, cookie)
    return len(text.encode("utf-8"))


def run_scenarios(server: Server, info: dict) -> list[dict]:
    base = server.base
    results = []

    def read(name: str, path: str, *, cookie: str | None = None, floor: bool = True, kind: str = "read"):
        url = base + path
        size = _size(url, cookie)
        if cookie:
            figures = wrk(url, [f"GET\t{path}\t{cookie}\t"])
        else:
            figures = wrk(url)
        row = {"scenario": name, "kind": kind, "path": path, "bytes": size, **figures}
        if floor:
            row["floor"] = wrk(f"{base}/_bench/floor/{size}")
            row["ratio"] = round(figures["rps"] / row["floor"]["rps"], 3) if row["floor"]["rps"] else None
        results.append(row)
        print(f"    {name:28} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
              f"p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}"
              + (f"  floor {row['floor']['rps']:8.1f}  ratio {row['ratio']:.2f}" if floor else ""), flush=True)

    reader_cookie, _token = log_in(base, "ciudadana0@example.org", "Mesa-de-dialogo-2026")
    read("home", "/")
    read("proposal list", "/proposals/")
    read("proposal search (filtered)", "/proposals/?q=alumbrado&state=submitted&committee_id=2")
    read("proposal list, signed in", "/proposals/", cookie=reader_cookie)
    read("proposal page, 200 comments", f"/proposals/{info['hot_proposal']}")
    read("commitment page", f"/commitments/{info['commitment']}")
    read("dashboard", "/dashboard/")
    read("election result", f"/elections/{info['published_election']}")
    read("API list", "/api/v1/proposals?limit=50")
    read("open-data CSV export", "/open-data/proposals.csv", floor=False, kind="export")

    # Writes: signed-in people, each request a different (person, target) so nothing is refused.
    with ThreadPoolExecutor(max_workers=4) as pool:
        citizens = list(pool.map(lambda n: log_in(base, f"ciudadana{n}@example.org", "Mesa-de-dialogo-2026"),
                                 range(1, min(301, len(info["citizens"])))))
        organisations = list(pool.map(
            lambda n: log_in(base, f"organizacion{n}@example.org", "Mesa-de-dialogo-2026"),
            range(0, min(700, len(info["organisations"])))))
    open_proposals = info["open_proposals"]

    def targets(per_person: int):
        """(cookie, token, proposal) triples: each person a different open proposal not their own."""
        for n, (cookie, token) in enumerate(citizens, start=1):
            person = info["citizens"][n]
            chosen = 0
            for k in range(len(open_proposals)):
                proposal = open_proposals[(n * 7919 + k * 104729) % len(open_proposals)]
                if proposal[2] != person:
                    yield cookie, token, proposal
                    chosen += 1
                    if chosen == per_person:
                        break

    supports = [f"POST\t/proposals/{reference}/support\t{cookie}\tcsrf_token={token}"
                for cookie, token, (_id, reference, _author) in targets(20)]
    comments = [f"POST\t/comments/proposal/{proposal_id}\t{cookie}\tcsrf_token={token}&body="
                + urllib.parse.quote(f"Comentario de prueba sobre la propuesta {reference}.")
                for cookie, token, (proposal_id, reference, _author) in targets(9)]
    ballots = [f"POST\t/elections/{info['voting_election']}/vote/confirm\t{cookie}\t"
               f"csrf_token={token}&choice=blank&password=Mesa-de-dialogo-2026"
               for cookie, token in organisations]
    for name, lines in (("support (signed in)", supports), ("comment (signed in)", comments),
                        ("ballot cast (signed in)", ballots)):
        figures = wrk(base + "/", lines)
        results.append({"scenario": name, "kind": "write", **figures})
        print(f"    {name:28} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
              f"p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}", flush=True)
    return results


def run_on(database_url: str, label: str, sizes: dict | None = None) -> dict:
    from app import create_app
    from app.extensions import db
    from bench.generate import generate

    print(f"  {label}: generating the plan…", flush=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-" + "k" * 40,
                      "MAIL_BACKEND": "null", "PAGE_CACHE_REDIS_URL": None})
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        info = generate(sizes=sizes, log=lambda line: print("   " + line, flush=True))
        db.session.remove()
        db.engine.dispose()
    generated = round(time.perf_counter() - started, 1)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with Server(database_url) as server:
        results = run_scenarios(server, info)
    return {"database": label, "generate_seconds": generated, "scenarios": results}
