"""Runs the whole suite twice, on SQLite and on PostgreSQL, in parallel, and sums the results.

`make test` calls it. PostgreSQL comes from TEST_DATABASE_URL (default: the local server's
`test` database). When it is unreachable the PostgreSQL run is skipped with a loud warning,
unless COCREA_REQUIRE_SERVICES=1 (set by .ci/run), which makes that a failure.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_reachable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except Exception as exc:  # any failure means the run cannot happen
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def main(argv: list[str]) -> int:
    strict = os.environ.get("COCREA_REQUIRE_SERVICES") == "1"
    pg_url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    runs = [("sqlite", {"TEST_DATABASE_URL": ""})]
    problem = postgres_reachable(pg_url)
    if problem is None:
        runs.append(("postgresql", {"TEST_DATABASE_URL": pg_url}))
    elif strict:
        print(f"FAILED: PostgreSQL is required (COCREA_REQUIRE_SERVICES=1) but unreachable: {problem}")
        return 1
    else:
        banner = "!" * 78
        print(f"{banner}\nWARNING: PostgreSQL at {pg_url} is unreachable ({problem}).\n"
              f"WARNING: the PostgreSQL half of the suite is SKIPPED. CI does not allow this.\n{banner}")

    procs = []
    started = time.monotonic()
    for name, extra in runs:
        env = dict(os.environ, **extra, COCREA_TEST_BACKEND=name)
        log = tempfile.NamedTemporaryFile("w+", prefix=f"cocrea-{name}-", suffix=".log", delete=False)
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv]
        procs.append((name, subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), log))

    totals = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    worst = 0
    for name, proc, log in procs:
        code = proc.wait()
        log.seek(0)
        output = log.read()
        print(f"\n======== {name} ========")
        print(output, end="")
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        for count, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary):
            key = "errors" if word.startswith("error") else word
            totals[key] += int(count)
        if code not in (0,):
            worst = code or 1
    elapsed = time.monotonic() - started
    print(f"\nBackends: {', '.join(n for n, _, _ in procs)}; wall time {elapsed:.0f} s")
    print(
        f"{totals['passed']} passed, {totals['failed'] + totals['errors']} failed, "
        f"{totals['skipped']} skipped"
    )
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
