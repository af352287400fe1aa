"""What one page costs the app, in process: CPU ms and SQL statements per request, or a profile.

    python -m bench.pagecost --generate 1 NAME            # a benchmark plan in database NAME (1× or 10×)
    python -m bench.pagecost NAME /proposals/ /search/?q=agua     # anonymous and signed in
    python -m bench.pagecost NAME /proposals/ --profile [--signed] [--sort cumulative]

The pages run through the app with production settings and the page cache off (as `make bench`'s
second server), without gunicorn, wrk or the network: what is left is the app's own work, so a
change's effect shows here before `make bench` (whose throughputs move with the machine's other
work). CPU time is the process's (time.process_time); the profile counts CPU time too, not wall
time, so waiting for PostgreSQL is not counted as work. The database is PostgreSQL's NAME on the
local server (PAGECOST_SERVER, default postgresql://postgres@127.0.0.1:5432); --generate drops
and fills it with bench/generate.py (1×: about 3 minutes on the 2-core machine; 10×: 10 more).
"""
import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time

SERVER = os.environ.get("PAGECOST_SERVER", "postgresql://postgres@127.0.0.1:5432")
# bench/generate.py's people: every citizen has this password.
READER = "ciudadana7@example.org"


def _settings(name: str) -> None:
    os.environ.update({
        "DATABASE_URL": f"{SERVER}/{name}", "COCREA_ENV": "production",
        "COCREA_ALLOW_UNSAFE_PRODUCTION": "1", "SECRET_KEY": "pagecost-" + "k" * 40,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "PAGE_CACHE_PREFIX": "pagecost", "PAGE_CACHE_REDIS_URL": "", "SESSION_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING", "MAIL_BACKEND": "null", "COCREA_BENCH_FLOOR": "1",
        "RATELIMIT_API": "1000000 per minute", "RATELIMIT_LOGIN": "1000000 per minute",
    })


def generate(name: str, scale: float) -> None:
    import psycopg

    from app import create_app
    from app.extensions import db
    from bench.generate import PASSWORD, extend, generate, scaled

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"{SERVER}/{name}", "SECRET_KEY": "pagecost-" + "k" * 40,
                      "MAIL_BACKEND": "null", "PAGE_CACHE_REDIS_URL": None})
    with app.app_context():
        db.create_all()
        info = generate(sizes=scaled(1), log=print)
        if scale > 1:
            extend(info, scaled(scale), log=print)
    print(f"{name}: ready; sign in as {READER} / {PASSWORD}")


def _client(app, signed: bool):
    from bench.generate import PASSWORD

    client = app.test_client()
    if signed:
        page = client.get("/account/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        answer = client.post("/account/login", data={"csrf_token": token, "email": READER, "password": PASSWORD})
        if answer.status_code not in (302, 303):
            sys.exit(f"signing in as {READER} failed ({answer.status_code})")
    return client


def measure(name: str, paths: list[str], requests: int) -> None:
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db

    app = create_app()
    sent = [0]
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: sent.__setitem__(0, sent[0] + 1))
    clients = {False: _client(app, False), True: _client(app, True)}
    for path in paths:
        figures = []
        for signed, client in clients.items():
            for _ in range(10):  # warm: fragments, facts and kept statements
                status = client.get(path).status_code
            sent[0] = 0
            started = time.process_time()
            for _ in range(requests):
                client.get(path)
            cpu = 1000 * (time.process_time() - started) / requests
            figures.append(f"{'signed in' if signed else 'anonymous'} {cpu:6.2f} ms, "
                           f"{sent[0] / requests:4.1f} statements (HTTP {status})")
        print(f"{path[:60]:60s} | " + " | ".join(figures), flush=True)


def profile(name: str, path: str, requests: int, signed: bool, sort: str, lines: int) -> None:
    from app import create_app

    client = _client(create_app(), signed)
    for _ in range(10):
        client.get(path)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(lines)
    print(out.getvalue())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pagecost", description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--generate", type=float, metavar="SCALE", help="fill the database first (1 or 10)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="profile the first path (CPU time)")
    parser.add_argument("--signed", action="store_true", help="profile signed in")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime", "ncalls"))
    parser.add_argument("--lines", type=int, default=60)
    args = parser.parse_intermixed_args(argv)
    if args.generate:
        generate(args.database, args.generate)
    if not args.paths:
        return
    _settings(args.database)
    if args.profile:
        profile(args.database, args.paths[0], args.requests, args.signed, args.sort, args.lines)
    else:
        measure(args.database, args.paths, args.requests)


if __name__ == "__main__":
    main(sys.argv[1:])
