"""Runs the suite on PostgreSQL and on SQLite, at the same time, and sums the results.

`make test` calls it. PostgreSQL (the production database) runs every test that touches the data
layer; SQLite runs those too, but not the ones marked `single_backend` (HTTP-heavy suites whose
outcome does not depend on the database), which run once: the browser files are shared between
the two halves (`sqlite_turn`), the others run on PostgreSQL (tests/README.md says which and
why). Each backend runs under pytest-xdist: SQLite with `WORKERS` processes (default 2, one per
core of the 2-core machine this was tuned on), PostgreSQL with `WORKERS_POSTGRESQL` (default one
more than SQLite's, 3: its workers wait on the database server between statements, and its half
ended 40-90 s after SQLite's with two); `WORKERS` alone sets both. The five processes share the
cores. Within a run, files go to workers whole (`--dist loadfile`), the slowest first
(tests/durations.json, read by tests/conftest.py).

PostgreSQL comes from TEST_DATABASE_URL (default: the local server's `test` database). When it is
unreachable the PostgreSQL run is skipped with a loud warning, unless COCREA_REQUIRE_SERVICES=1
(set by .ci/run), which makes that a failure. Any failure, error, collection error or non-zero
exit of either backend fails the whole run.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
# Each backend's share: SQLite skips the tests that run once, but for the browser files whose
# turn is SQLite's (tests/conftest.py), which PostgreSQL skips.
SQLITE_SKIPS = "not single_backend or sqlite_turn"
POSTGRESQL_SKIPS = "not sqlite_turn"


def postgres_reachable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except Exception as exc:  # any failure means the run cannot happen
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def with_bytecode(env: dict) -> dict:
    """`env` for the suite's processes, with compiled modules kept between them.

    PYTHONDONTWRITEBYTECODE=1 (set on some machines, to keep __pycache__ folders out of the
    checkout) made every process compile the application and the tests from source, and pytest
    rewrite the assertions of every test module and plugin (schemathesis, hypothesis...) again:
    collecting the suite took a worker 11 s of CPU, against 3.6 s from compiled files, and every
    server and command a test starts paid the application's share. The suite's processes write
    their compiled files under the system's temporary folder instead (PYTHONPYCACHEPREFIX), never
    beside the sources; a module whose source changed is compiled again, as usual."""
    if not env.get("PYTHONDONTWRITEBYTECODE"):
        return env  # compiled files are already kept (in __pycache__ folders)
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("PYTHONPYCACHEPREFIX",
                   os.path.join(tempfile.gettempdir(), f"cocrea-test-pycache-{os.getuid()}"))
    return env


def compiled_tests_missing(env: dict) -> bool:
    """Whether the test modules' compiled, assertion-rewritten files are missing from the cache
    `env` uses (a fresh clone, or a new PYTHONPYCACHEPREFIX): told by the root conftest's."""
    import pytest

    tests = os.path.dirname(os.path.abspath(__file__))
    prefix = env.get("PYTHONPYCACHEPREFIX")
    folder = prefix + tests if prefix else os.path.join(tests, "__pycache__")
    name = f"conftest.{sys.implementation.cache_tag}-pytest-{pytest.__version__}.pyc"
    return not os.path.exists(os.path.join(folder, name))


def warm_compiled(env: dict, argv: list[str]) -> None:
    """Collect the suite once, in one process, before the seven processes of the two halves do.

    Cold (a fresh clone: CI), each of them compiled the modules it imports and rewrote the
    assertions of every test module itself, all at the same moment: about 10 s of CPU each,
    against 3 s once the cache holds them (measured on the 2-core machine). One collection
    first, split over two processes, leaves the cache warm for the rest: 13-14 s wall against
    19-21 s for a single process (the same 2,133 compiled files). Done only when the cache is
    cold (compiled_tests_missing); a warm run skips it."""
    if any(not a.startswith("-") for a in argv) or not compiled_tests_missing(env):
        return  # a chosen part of the suite, or compiled already
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"]
    env = dict(env, TEST_DATABASE_URL="", COCREA_TEST_BACKEND="sqlite")
    # Two processes, one per core, each collecting every other part of the folder; the modules
    # both import (the root conftest, the factories) are compiled twice, a small share.
    collections = [subprocess.Popen(command + part, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for part in _halves_of_the_suite()]
    for collection in collections:
        collection.wait()
    print(f"Compiled the suite's modules once before the run: {time.monotonic() - started:.0f} s")


def _halves_of_the_suite() -> list[list[str]]:
    """The test folders and top-level test files, dealt alternately into two lists."""
    tests = os.path.dirname(os.path.abspath(__file__))
    parts = sorted(os.path.join(tests, name) for name in os.listdir(tests)
                   if (name.startswith("test_") and name.endswith(".py"))
                   or (os.path.isdir(os.path.join(tests, name)) and not name.startswith((".", "_"))))
    return [parts[0::2], parts[1::2]]


def pytest_args(name: str, argv: list[str], workers: int) -> list[str]:
    args = ["-p", "no:cacheprovider"]
    if workers > 1 and not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in argv):
        args += ["-n", str(workers), "--dist", "loadfile"]
    if not any(a.startswith("--durations") for a in argv):
        args.append("--durations=15")
    if name == "sqlite" and "-m" not in argv:
        args += ["-m", SQLITE_SKIPS]
    if name == "postgresql" and "-m" not in argv:
        args += ["-m", POSTGRESQL_SKIPS]
    return args + argv


def summary_counts(output: str) -> dict[str, int] | None:
    """The counts of pytest's last summary line ("== 3 failed, 2 passed, 1 error in 4.5s =="),
    or None when there is none (pytest crashed before the end)."""
    lines = [line for line in output.strip().splitlines() if re.match(r"^=+ .* in [\d.]+s", line)]
    if not lines:
        return None
    counts = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0, "deselected": 0}
    for count, word in re.findall(r"(\d+) (passed|failed|skipped|errors?|deselected)", lines[-1]):
        counts["errors" if word.startswith("error") else word] += int(count)
    return counts


def main(argv: list[str]) -> int:
    strict = os.environ.get("COCREA_REQUIRE_SERVICES") == "1"
    pg_url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    workers = int(os.environ.get("WORKERS", "2"))
    # PostgreSQL's half has more to run and waits on the database server between statements: one
    # more worker there, so that it ends with SQLite's instead of 40-90 s after it (tests/README.md,
    # "Scheduling"). WORKERS alone sets both halves, as before.
    pg_workers = int(os.environ.get("WORKERS_POSTGRESQL")
                     or (workers if "WORKERS" in os.environ else workers + 1))
    runs = []
    problem = postgres_reachable(pg_url)
    if problem is None:
        runs.append(("postgresql", {"TEST_DATABASE_URL": pg_url}))
    elif strict:
        print(f"FAILED: PostgreSQL is required (COCREA_REQUIRE_SERVICES=1) but unreachable: {problem}")
        return 1
    else:
        banner = "!" * 78
        print(f"{banner}\nWARNING: PostgreSQL at {pg_url} is unreachable ({problem}).\n"
              f"WARNING: the PostgreSQL half of the suite is SKIPPED. CI does not allow this.\n"
              f"WARNING: SQLite runs everything instead, `single_backend` tests included.\n{banner}")
    runs.append(("sqlite", {"TEST_DATABASE_URL": ""}))

    started = time.monotonic()
    warm_compiled(with_bytecode(dict(os.environ)), argv)
    procs = []
    for name, extra in runs:
        env = with_bytecode(dict(os.environ, **extra, COCREA_TEST_BACKEND=name))
        log = tempfile.NamedTemporaryFile("w+", prefix=f"cocrea-{name}-", suffix=".log", delete=False)
        args = pytest_args(name if len(runs) > 1 else "only", argv,
                           pg_workers if name == "postgresql" else workers)
        cmd = [sys.executable, "-m", "pytest", *args]
        procs.append((name, subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT),
                      log, time.monotonic()))

    totals = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    worst = 0
    lines = []
    ended = {}
    while len(ended) < len(procs):  # each backend's own time, whichever ends first
        for name, proc, _log, start in procs:
            if name not in ended and proc.poll() is not None:
                ended[name] = time.monotonic() - start
        time.sleep(0.2)
    for name, proc, log, _start in procs:
        code = proc.wait()
        took = ended[name]
        log.seek(0)
        output = log.read()
        log.close()
        os.unlink(log.name)
        print(f"\n======== {name} ========")
        print(output, end="")
        counts = summary_counts(output)
        if counts is None:
            lines.append(f"{name}: no summary line (pytest exited with {code}) after {took:.0f} s")
            worst = worst or code or 1
            continue
        for key in totals:
            totals[key] += counts[key]
        lines.append(f"{name}: {counts['passed']} passed, {counts['failed']} failed, "
                     f"{counts['errors']} errors, {counts['skipped']} skipped, "
                     f"{counts['deselected']} deselected; exit {code}; {took:.0f} s")
        if code != 0:
            worst = worst or code
    if totals["failed"] or totals["errors"]:
        worst = worst or 1
    elapsed = time.monotonic() - started
    print()
    for line in lines:
        print(line)
    print(f"Backends: {', '.join(n for n, *_ in procs)}; wall time {elapsed:.0f} s")
    print(
        f"{totals['passed']} passed, {totals['failed'] + totals['errors']} failed, "
        f"{totals['skipped']} skipped"
    )
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
