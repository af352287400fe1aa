"""Throughput and latency of the app served by gunicorn on loopback, driven by wrk.

For each database: a fresh database filled by bench/generate.py, gunicorn with the worker model
of deploy/cocrea.service.example (gthread: workers × threads), Redis for rate limits and the page
cache, and wrk (a second process) at 16 connections for each scenario. Every read page is followed
by the floor: a page of the same size served without the database, so each page's throughput is
also a ratio to the floor, measured in the same run.

The pages that render user text (Markdown) are also read signed in, which is never cached, and
anonymously from a second gunicorn started without the page cache, where every request renders
its page in the worker's threads at once. That second server is another configuration on another
loopback port, not a switch a visitor could use.
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
UNIT = ROOT / "deploy" / "cocrea.service.example"


def deployed_worker_model() -> tuple[str, int, int]:
    """(worker class, workers, threads) of gunicorn's command in the documented systemd unit."""
    command = UNIT.read_text(encoding="utf-8")
    found = [re.search(rf"--{flag}[ =](\S+)", command) for flag in ("worker-class", "workers", "threads")]
    if not all(found):
        raise RuntimeError(f"{UNIT} does not give gunicorn --worker-class, --workers and --threads")
    return found[0].group(1), int(found[1].group(1)), int(found[2].group(1))


CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
# The benchmark serves the way production is told to (docs/deploy.md): the same worker class,
# and the same numbers unless BENCH_WORKERS / BENCH_THREADS say otherwise.
WORKER_CLASS, _workers, _threads = deployed_worker_model()
WORKERS = int(os.environ.get("BENCH_WORKERS", _workers))
THREADS = int(os.environ.get("BENCH_THREADS", _threads))
# What a server log may not contain: an exception's traceback, an error record, a gunicorn error.
LOG_ALARMS = ("Traceback", '"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
LUA = Path(__file__).with_name("requests.lua")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on a loopback port, production settings, Redis for shared state;
    without the page cache when `page_cache` is False."""

    def __init__(self, database_url: str, page_cache: bool = True):
        self.log = Path(f"/tmp/cocrea-bench-gunicorn{'' if page_cache else '-cache-off'}.log")
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
        if not page_cache:
            self.env["PAGE_CACHE_REDIS_URL"] = ""  # empty: no page cache (rate limits stay in Redis)

    def __enter__(self):
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--worker-class", WORKER_CLASS, "--workers", str(WORKERS),
                 "--threads", str(THREADS), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
                 "--no-control-socket", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:  # not listening yet, or still importing
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start: see {self.log}")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            # gunicorn gives its workers 30 s to finish their requests, then kills them.
            self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def logged_errors(self) -> list[str]:
        """The lines of the server's log that report an error (an exception in a request)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if any(alarm in line for alarm in LOG_ALARMS)]


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
    if requests == 0:
        # Not one answer within the run (each took longer than it at this concurrency): wrk prints
        # 0 for the latencies, which would read as instant. None is shown as "> the run".
        p50 = p99 = None
    return {"rps": round(rps, 1), "p50_ms": p50, "p99_ms": p99, "requests": requests, "errors": errors}


def shown_ms(value: float | None) -> str:
    """A latency for the tables: figures in ms, or "> 8000" when no request ended within the run."""
    return f"> {SECONDS * 1000}" if value is None else f"{value}"


def _size(url: str, cookie: str | None = None) -> int:
    """The page's size in bytes; it must answer 200, and to a cookie as the signed-in person."""
    status, text, _cookie = _request(url, cookie)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    if cookie and 'action="/account/logout"' not in text:
        raise RuntimeError(f"{url} was not served signed in: the session cookie was not accepted")
    return len(text.encode("utf-8"))


NOTES = {
    "read": "anonymous: page cache",
    "signed in": "signed in: never cached",
    "cache off": "anonymous, page cache off: rendered on every request",
    "export": "streamed, never cached",
    "search": "anonymous, never cached: every query is its own page",
    "write": "signed in",
}


def run_scenarios(server: Server, uncached: Server, info: dict) -> list[dict]:
    results = []

    def read(name: str, path: str, *, cookie: str | None = None, floor: bool = True, kind: str = "read",
             on: Server = server):
        url = on.base + path
        size = _size(url, cookie)
        if cookie:
            figures = wrk(url, [f"GET\t{path}\t{cookie}\t"])
        else:
            figures = wrk(url)
        note = NOTES["signed in" if cookie else kind]
        row = {"scenario": name, "kind": kind, "path": path, "bytes": size, "note": note, **figures}
        if floor:
            row["floor"] = wrk(f"{on.base}/_bench/floor/{size}")
            row["ratio"] = round(figures["rps"] / row["floor"]["rps"], 3) if row["floor"]["rps"] else None
        results.append(row)
        print(f"    {name:40} {figures['rps']:8.1f} req/s  p50 {shown_ms(figures['p50_ms']):>7} ms  "
              f"p99 {shown_ms(figures['p99_ms']):>7} ms  errors {figures['errors']}"
              + (f"  floor {row['floor']['rps']:8.1f}  ratio {row['ratio']:.2f}" if floor else ""), flush=True)

    base = server.base
    hot = f"/proposals/{info['hot_proposal']}"
    commitment = f"/commitments/{info['commitment']}"
    consultation = f"/consultations/commitment/{info['commitment']}"
    reader_cookie, _token = log_in(base, "ciudadana0@example.org", "Mesa-de-dialogo-2026")
    read("home", "/")
    read("proposal list", "/proposals/")
    read("proposal search (filtered)", "/proposals/?q=alumbrado&state=submitted&committee_id=2")
    # The site-wide search (never cached: every query is its own page), every word and a prefix.
    read("site search", "/search/?q=alumbrado+p%C3%BAblico", kind="search")
    read("site search, comments only, typing", "/search/?q=basura+colon&kind=comment", kind="search")
    read("proposal list, signed in", "/proposals/", cookie=reader_cookie)
    read("proposal page, 200 comments", hot)
    read("commitment page", commitment)
    read("consultation page, 60 comments", consultation)
    read("dashboard", "/dashboard/")
    read("election result", f"/elections/{info['published_election']}")
    read("API list", "/api/v1/proposals?limit=50")
    read("open-data CSV export", "/open-data/proposals.csv", floor=False, kind="export")

    # The pages that render user text, rendered for every request: for a signed-in reader (the
    # cookie of one login, sent by wrk's script), and anonymously on the server without the cache.
    read("proposal page, 200 comments, signed in", hot, cookie=reader_cookie)
    read("commitment page, signed in", commitment, cookie=reader_cookie)
    read("consultation page, 60 comments, signed in", consultation, cookie=reader_cookie)
    for name, path in (("proposal list", "/proposals/"), ("proposal page, 200 comments", hot),
                       ("commitment page", commitment), ("consultation page, 60 comments", consultation)):
        read(f"{name}, cache off", path, kind="cache off", on=uncached)

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
        results.append({"scenario": name, "kind": "write", "note": NOTES["write"], **figures})
        print(f"    {name:40} {figures['rps']:8.1f} req/s  p50 {shown_ms(figures['p50_ms']):>7} ms  "
              f"p99 {shown_ms(figures['p99_ms']):>7} ms  errors {figures['errors']}", flush=True)
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
    with Server(database_url) as server, Server(database_url, page_cache=False) as uncached:
        results = run_scenarios(server, uncached, info)
    logged = {}
    for name, served in (("page cache on", server), ("page cache off", uncached)):
        lines = served.logged_errors()
        logged[name] = len(lines)
        if lines:
            print(f"    {len(lines)} errors in {served.log} ({name}); first: {lines[0][:300]}")
    return {"database": label, "generate_seconds": generated, "scenarios": results, "logged_errors": logged}
