"""Throughput and latency of the app served by gunicorn on loopback, driven by wrk.

For each database: a fresh database filled by bench/generate.py, gunicorn with the worker model
of deploy/cocrea.service.example (gthread: workers × threads), Redis for rate limits and the page
cache, and wrk (a second process) at 16 connections for each scenario. Each read page is read
signed in (never cached) and anonymously from a second gunicorn started without the page cache
(every request renders its page; another configuration on another loopback port, not a switch a
visitor could use), and is paired with the floor: a page of the same size served without the
database, so its throughput is also a ratio to the floor, measured in the same run.

Around every wrk run the CPU time of the gunicorn workers (and of the PostgreSQL backends serving
them) is read from /proc, giving CPU milliseconds per request; after each size's scenarios the
workers' resident memory (VmRSS, and its peak VmHWM). On PostgreSQL the plan is measured at 1×,
grown in place to 10× (bench/generate.py `extend`) and measured again, so both sizes come from
the same run.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
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
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# The benchmark serves the way production is told to (docs/deploy.md): the same worker class,
# and the same numbers unless BENCH_WORKERS / BENCH_THREADS say otherwise.
WORKER_CLASS, _workers, _threads = deployed_worker_model()
WORKERS = int(os.environ.get("BENCH_WORKERS", _workers))
THREADS = int(os.environ.get("BENCH_THREADS", _threads))
# What a server log may not contain: an exception's traceback, an error record, a gunicorn error.
LOG_ALARMS = ("Traceback", '"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# BENCH_PORT: the first of the loopback ports the servers take (each server the next one); unset,
# any free port.
PORT = int(os.environ["BENCH_PORT"]) if os.environ.get("BENCH_PORT") else None
TICKS = os.sysconf("SC_CLK_TCK")
LUA = Path(__file__).with_name("requests.lua")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


_ports_taken = 0


def _free_port() -> int:
    global _ports_taken  # noqa: PLW0603 - the benchmark runs in one thread
    with socket.socket() as s:
        s.bind(("127.0.0.1", PORT + _ports_taken % 8 if PORT else 0))
        _ports_taken += 1
        return s.getsockname()[1]


# ------------------------------------------------------------------ CPU and memory, from /proc


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime: fields 14 and 15


def _memory_kib(pid: int) -> dict:
    """VmRSS and VmHWM (peak resident) of a process, in KiB."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Backends:
    """The PostgreSQL server processes of one database, for their CPU time (the server runs on
    this machine in the benchmark); nothing on SQLite, whose work is inside the workers."""

    def __init__(self, database_url: str):
        self.url = database_url if database_url.startswith("postgresql") else None

    def pids(self) -> list[int]:
        if not self.url:
            return []
        import psycopg

        try:
            with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://")) as conn:
                return [row[0] for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")]
        except psycopg.Error:
            return []


class CpuMeter:
    """CPU seconds spent by the servers' workers and the database's backends between `start`
    and `stop`."""

    def __init__(self, servers: list, backends: Backends):
        self.servers, self.backends = servers, backends

    def snapshot(self) -> tuple[dict, dict]:
        workers = {pid: _cpu_seconds(pid) for server in self.servers for pid in server.workers()}
        database = {pid: _cpu_seconds(pid) for pid in self.backends.pids()}
        return workers, database

    @staticmethod
    def spent(before: dict, after: dict) -> float:
        # A process that appeared in between counts from zero; one that ended loses its part.
        return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())


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

    def workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (the master's children)."""
        return _children(self.process.pid)

    def memory(self) -> list[dict]:
        """Each worker's resident memory now and at its peak, in MiB."""
        return [{"pid": pid, **{k: round(v / 1024, 1) for k, v in _memory_kib(pid).items()}}
                for pid in self.workers()]

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
        response = _opener.open(request, timeout=120)
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


def wrk(url: str, script_lines: list[str] | None = None, *, connections: int | None = None,
        meter: "CpuMeter | None" = None) -> dict:
    """One wrk run (after a short warm-up for a plain GET): requests per second, p50/p99 in ms,
    errors; with a meter, CPU ms per request of the workers (`cpu_ms`) and database (`db_cpu_ms`)."""
    connections = connections or CONNECTIONS
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{SECONDS}s", "--latency",
               "--timeout", "10s"]
    workdir = None
    if script_lines is not None:
        workdir = tempfile.mkdtemp()
        Path(workdir, "requests.txt").write_text("\n".join(script_lines) + "\n", encoding="utf-8")
        command += ["-s", str(LUA)]
    else:
        # Warm-up at the run's own connections, so that every worker (not only the one or two
        # that two connections reached) has imported, filled its pools and rendered the page's
        # fragments, which without the page cache's Redis are kept per worker: with one second
        # at two connections, the first renders of the other workers fell inside the run (the
        # dashboard's, about a second at 10x, with every thread of the worker waiting for it)
        # and made its p99 (1,060 ms against 48 ms warmed, measured side by side).
        subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", "-d2s", url],
                       capture_output=True, check=False)
    command.append(url)
    if script_lines is not None:
        command += ["--", str(min(2, connections))]
    before = meter.snapshot() if meter else None
    run = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    after = meter.snapshot() if meter else None
    drain(url)
    if "Requests/sec" not in run.stdout:
        raise RuntimeError(f"wrk failed: {run.stdout}\n{run.stderr}")
    output = run.stdout
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    figures = _parse(output)
    if meter and figures["requests"]:
        figures["cpu_ms"] = round(1000 * CpuMeter.spent(before[0], after[0]) / figures["requests"], 2)
        if after[1]:
            figures["db_cpu_ms"] = round(1000 * CpuMeter.spent(before[1], after[1]) / figures["requests"], 2)
    return figures


def drain(url: str, patience: float = 60) -> None:
    """Wait until the server answers its health check promptly again: when wrk stops, the
    requests it left queued (a slow page at 16 connections) are still being served, and the next
    scenario would otherwise measure their tail."""
    parts = urllib.parse.urlsplit(url)
    health = f"{parts.scheme}://{parts.netloc}/healthz"
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(health, timeout=patience) as response:
                response.read()
        except OSError:
            time.sleep(0.5)
            continue
        if time.monotonic() - started < 1.0:
            return


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
    "signed in": "signed in: never cached",
    "cache off": "anonymous, page cache off: rendered on every request",
    "write": "signed in",
    "latency": "anonymous, page cache off, one connection: the time one person waits",
}
# Issue 14's search target is a latency ("answers in under 100 ms at p99"): the site search read by
# one connection, so the figure is the page's own time, not the queue of 16 connections before it.
LATENCY_PAGES = (("site search", "/search/?q=alumbrado+p%C3%BAblico"),)
DEEP_PAGE = 500  # the page number the deep-page scenario asks for, as far as the list offers it
NUMBERED = re.compile(r'href="([^"]*[?&;]page=(\d+)[^"]*)"')
NEXT = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"')


def deep_page(base: str, path: str = "/proposals/", target: int = DEEP_PAGE, hops: int = 25) -> str:
    """The path of a deep page of a list, found as a reader would: by the list's own links. With
    numbered pages, the highest number offered up to `target`, jumping from page to page; with only
    "next" links (keyset pagination), `hops` of them followed."""
    import html

    current, number = path, 1
    for _ in range(hops):
        _status, page, _cookie = _request(base + current)
        offered = [(int(n), html.unescape(href)) for href, n in NUMBERED.findall(page)]
        further = [(n, href) for n, href in offered if number < n <= target]
        if further:
            number, current = max(further)
            continue
        if offered and any(n == number for n, _href in offered):
            break  # numbered pages, and none further up to the target: this is the deepest
        link = NEXT.search(page)
        if not link:
            break
        current = html.unescape(link.group(1) or link.group(2))
        number += 1
    if not current.startswith("/"):
        current = urllib.parse.urljoin(path, current)
    return current


def first_byte(base: str, path: str, tries: int = 3) -> dict:
    """Time to the first byte of a download's body (median of `tries`), in ms, with its status;
    the connection is closed after it, without reading the rest."""
    host, port = base.removeprefix("http://").split(":")
    times, status = [], None
    for _ in range(tries):
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        status = response.status
        if status == 200:
            response.read(1)
        times.append((time.perf_counter() - started) * 1000)
        connection.close()
        if status != 200:
            break
    return {"path": path, "status": status, "first_byte_ms": round(statistics.median(times), 1)}


MAXRSS_MARK = "cocrea-peak-rss-kib"


def regenerate_open_data(env: dict, dataset: str = "proposals") -> dict:
    """Times `flask opendata build --dataset <name>` (the data area's command that writes the
    pre-built file), with the command's peak memory (max RSS of the process); skipped, with the
    reason, when the command does not exist."""
    command = [str(BIN / "flask"), "--app", "wsgi", "opendata", "build", "--dataset", dataset]
    probe = subprocess.run([*command[:4], "--help"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if probe.returncode != 0 or "build" not in probe.stdout:
        return {"dataset": dataset, "skipped": "no `flask opendata build` command in this version of the app"}
    # The peak memory comes from GNU time, which starts the command from its own small process:
    # a child's max RSS as wait4 reports it starts at its parent's, since exec keeps the high-water
    # mark of the memory it replaces, and this (the benchmark's) process holds hundreds of MiB
    # after generating a 10× plan. Without GNU time, wait4's figure is an upper bound.
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    measured = [gnu_time, "-f", f"{MAXRSS_MARK} %M"] if gnu_time else []
    started = time.perf_counter()
    process = subprocess.Popen([*measured, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = process.stdout.read().decode("utf-8", "replace")
    peak = re.search(rf"^{MAXRSS_MARK} (\d+)$", output, re.M)
    peak_mib = round(int(peak.group(1)) / 1024, 1) if peak else round(usage.ru_maxrss / 1024, 1)
    if os.waitstatus_to_exitcode(status) != 0:
        return {"dataset": dataset, "skipped": f"`flask opendata build` failed: {output[-300:]}"}
    # The build's own time, as the command prints it ("proposals: 20000 rows in 0.61 s (…)"): the
    # wall time also holds the process's start (importing the app), which no timer run repeats.
    built = re.search(rf"^{re.escape(dataset)}: (\d+) rows in ([\d.]+) s", output, re.M)
    return {"dataset": dataset, "seconds": float(built.group(2)) if built else round(seconds, 2),
            "wall_seconds": round(seconds, 2), "peak_rss_mib": peak_mib, "peak_by": "GNU time" if peak else "wait4",
            "output": output[-300:]}


def _print(row: dict) -> None:
    figures = (f"    {row['scenario']:42} {row['rps']:8.1f} req/s  p50 {shown_ms(row['p50_ms']):>7} ms  "
               f"p99 {shown_ms(row['p99_ms']):>7} ms  errors {row['errors']}")
    if row.get("floor"):
        figures += f"  floor {row['floor']['rps']:7.1f}  ratio {row['ratio']:.3f}"
    if "cpu_ms" in row:
        figures += f"  cpu {row['cpu_ms']} ms" + (f" + db {row['db_cpu_ms']} ms" if "db_cpu_ms" in row else "")
    print(figures, flush=True)


def read_pages(info: dict, base: str) -> list[tuple[str, str, bool]]:
    """(name, path, signed-in variant) of every read page the targets name."""
    return [
        ("proposal list", "/proposals/", True),
        ("proposal list, filtered", "/proposals/?q=alumbrado&state=submitted&committee_id=2", True),
        ("proposal list, deep page", deep_page(base), True),
        ("proposal page, 200 comments", f"/proposals/{info['hot_proposal']}", True),
        ("commitment page", f"/commitments/{info['commitment']}", True),
        ("dashboard", "/dashboard/", True),
        ("election result", f"/elections/{info['published_election']}", True),
        ("site search", "/search/?q=alumbrado+p%C3%BAblico", True),
        # The API answers JSON and takes no session: its uncached read is the one that counts.
        ("API list", "/api/v1/proposals?limit=50", False),
    ]


def run_scenarios(server: Server, uncached: Server, info: dict, meter: CpuMeter, *, step: int = 0,
                  brief: bool = False) -> list[dict]:
    """Every scenario on one plan. `step` (0 at the first size, 1 at the next…) picks people who
    have not yet written in this plan; `brief` (SQLite) reads with the cache off only and writes
    without the ballot at 64 connections."""
    results = []

    def read(name: str, path: str, variant: str, floor: dict, cookie: str | None = None) -> None:
        on = server if cookie else uncached
        url = on.base + path
        size = _size(url, cookie)
        figures = wrk(url, [f"GET\t{path}\t{cookie}\t"], meter=meter) if cookie else wrk(url, meter=meter)
        row = {"scenario": f"{name}, {variant}", "page": name, "variant": variant, "kind": "read", "path": path,
               "bytes": size, "note": NOTES[variant], "floor": floor, **figures,
               "ratio": round(figures["rps"] / floor["rps"], 3) if floor["rps"] else None}
        results.append(row)
        _print(row)

    base = server.base
    reader_cookie, _token = log_in(base, "ciudadana0@example.org", "Mesa-de-dialogo-2026")
    for name, path, signed_in in read_pages(info, base):
        # One floor per page, the size of its anonymous rendering (the signed-in one differs by
        # the menu: a few hundred bytes, which the floor's throughput does not notice).
        floor = wrk(f"{uncached.base}/_bench/floor/{_size(uncached.base + path)}")
        read(name, path, "cache off", floor)
        if signed_in and not brief:
            read(name, path, "signed in", floor, cookie=reader_cookie)

    for name, path in LATENCY_PAGES:
        figures = wrk(uncached.base + path, connections=1, meter=meter)
        row = {"scenario": f"{name}, one connection", "page": name, "variant": "one connection",
               "kind": "latency", "path": path, "note": NOTES["latency"], "connections": 1, **figures}
        results.append(row)
        _print(row)

    # Writes: signed-in people, each request a different (person, target) so nothing is refused;
    # each size of the plan its own people, so that nobody writes twice in one plan.
    people = 300
    first = 1 + step * people
    with ThreadPoolExecutor(max_workers=4) as pool:
        citizens = list(pool.map(lambda n: log_in(base, f"ciudadana{n}@example.org", "Mesa-de-dialogo-2026"),
                                 range(first, min(first + people, len(info["citizens"])))))
    open_proposals = info["open_proposals"]

    def targets(per_person: int):
        """(cookie, token, proposal) triples: each person a different open proposal not their own."""
        for n, (cookie, token) in enumerate(citizens, start=first):
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
    writes = [("support", supports, CONNECTIONS), ("comment", comments, CONNECTIONS)]
    # Ballots: each run its own organisations of the roll (a second ballot would be refused).
    ballot_runs = [4] if brief else [4, 64]
    voters = info["organisations"]
    per_run = min(750, len(voters) // 4)
    for run, connections in enumerate(ballot_runs):
        start = (step * 2 + run) * per_run
        with ThreadPoolExecutor(max_workers=4) as pool:
            organisations = list(pool.map(
                lambda n: log_in(base, f"organizacion{n}@example.org", "Mesa-de-dialogo-2026"),
                range(start, start + per_run)))
        writes.append((f"ballot at {connections} connections", [
            f"POST\t/elections/{info['voting_election']}/vote/confirm\t{cookie}\t"
            f"csrf_token={token}&choice=blank&password=Mesa-de-dialogo-2026"
            for cookie, token in organisations], connections))
    for name, lines, connections in writes:
        figures = wrk(base + "/", lines, connections=connections, meter=meter)
        row = {"scenario": name, "kind": "write", "note": NOTES["write"], "connections": connections,
               "distinct_requests": len(lines), **figures}
        if figures["requests"] > len(lines):
            row["note"] += (f"; {figures['requests']} requests for {len(lines)} different ones: the repeats "
                            "are refused and count as errors")
        results.append(row)
        _print(row)
    return results


def _restart_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def measure(database_url: str, label: str, info: dict, *, step: int, brief: bool, generated: float,
            scale: float) -> dict:
    """One size of the plan: both servers, the scenarios, open data, memory, logged errors."""
    _restart_redis()
    backends = Backends(database_url)
    with Server(database_url) as server, Server(database_url, page_cache=False) as uncached:
        meter = CpuMeter([server, uncached], backends)
        results = run_scenarios(server, uncached, info, meter, step=step, brief=brief)
        # The files are built first: rows written in bulk (COPY) bypass the marks that make a
        # dataset stale, so the files of the previous size would otherwise be served as current.
        regeneration = regenerate_open_data(server.env) if not brief else None
        comments_build = regenerate_open_data(server.env, "comments") if not brief else None
        open_data = []
        for dataset in ("proposals", "comments"):
            figures = first_byte(server.base, f"/open-data/{dataset}.csv")
            if figures["status"] != 404:
                open_data.append(figures)
                print(f"    open data {dataset}.csv: first byte in {figures['first_byte_ms']} ms "
                      f"(status {figures['status']})", flush=True)
        memory = server.memory() + uncached.memory()
        print("    workers' memory (MiB, now / peak): "
              + ", ".join(f"{m.get('VmRSS')}/{m.get('VmHWM')}" for m in memory), flush=True)
    if comments_build and "seconds" in comments_build:
        print(f"    open data comments built in {comments_build['seconds']} s "
              f"(peak {comments_build['peak_rss_mib']} MiB)", flush=True)
    if regeneration:
        if "seconds" in regeneration:
            regeneration["rows"] = info["sizes"]["proposals"]
            regeneration["rows_per_second"] = round(regeneration["rows"] / regeneration["seconds"])
            print(f"    open data regenerated: {regeneration['rows']:,} proposals in {regeneration['seconds']} s "
                  f"({regeneration['rows_per_second']:,} rows/s, peak {regeneration['peak_rss_mib']} MiB)")
        else:
            print(f"    open data regeneration: skipped ({regeneration['skipped']})", flush=True)
    logged = {}
    for name, served in (("page cache on", server), ("page cache off", uncached)):
        lines = served.logged_errors()
        logged[name] = len(lines)
        if lines:
            print(f"    {len(lines)} errors in {served.log} ({name}); first: {lines[0][:300]}")
    return {"database": label, "scale": scale, "sizes": info["sizes"], "generate_seconds": generated,
            "scenarios": results, "logged_errors": logged, "memory": memory, "open_data": open_data,
            "regeneration": regeneration, "comments_build": comments_build}


def run_on(database_url: str, label: str, scales: list[float], base_scale: float = 1.0,
           records: list | None = None) -> list[dict]:
    """The plan generated at the first scale and measured, then grown to each further scale and
    measured again. Returns one record per scale, appended to `records` as each is done (so a
    failure later keeps the sizes measured before it)."""
    from app import create_app
    from app.extensions import db
    from bench.generate import extend, generate, scaled

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-" + "k" * 40,
                      "MAIL_BACKEND": "null", "PAGE_CACHE_REDIS_URL": None})
    records = [] if records is None else records
    info = None
    for step, scale in enumerate(scales):
        sizes = scaled(scale * base_scale)
        print(f"  {label} at {scale:g}×: {'generating' if info is None else 'growing'} the plan…", flush=True)
        started = time.perf_counter()
        with app.app_context():
            if info is None:
                db.create_all()
                info = generate(sizes=sizes, log=lambda line: print("   " + line, flush=True))
            else:
                info = extend(info, sizes, log=lambda line: print("   " + line, flush=True))
            db.session.remove()
            db.engine.dispose()
        generated = round(time.perf_counter() - started, 1)
        print(f"  {label} at {scale:g}×: plan ready in {generated} s", flush=True)
        records.append(measure(database_url, label, info, step=step, brief=label == "sqlite", generated=generated,
                               scale=scale))
    return records
