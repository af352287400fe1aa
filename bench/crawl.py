"""Crawl the pages in-process on a big database and time each URL pattern (issue 15).

    .venv/bin/python bench/crawl.py postgresql://postgres@127.0.0.1:5432/bench10 out.json

Every request runs on one connection inside a transaction rolled back at the end (the sign-ins'
session rows, a facilitator made for the crawl): the database is left as it was. Follows links
from the home page and from every GET page without arguments, to depth 2, at most PER_RULE URLs
per URL rule and reader; for each, one warm-up request, then one timed: CPU ms (process_time),
wall ms and SQL statements.
"""
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402
from werkzeug.exceptions import HTTPException  # noqa: E402
from werkzeug.routing import RequestRedirect  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

PER_RULE = 3
HREF = re.compile(r'href="(/[^"#]*)')
SKIP = re.compile(r"^/(static|account/logout|healthz)|\.(csv|zip|json|geojson|xlsx|ods|pdf|png|jpg)(\?|$)|/download")


def main(url: str, out: str, only: str | None = None) -> None:
    from tests.conftest import QUIET, _bind_sessions_to, _quiet_outer_savepoints, login_as

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 48,
                      "PAGE_CACHE_REDIS_URL": None, "MAIL_BACKEND": "null",
                      "TWO_FACTOR_REQUIRED_ROLES": "", "RATELIMIT_ENABLED": False})
    statements: list[str] = []
    results = []
    with app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        _quiet_outer_savepoints(conn.dialect)
        conn.info[QUIET] = set()
        _bind_sessions_to(app, conn)
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: statements.append(a[2]))
        from app.accounts.models import Role, User
        admin = db.session.scalar(sa.select(User).where(User.role == Role.admin))
        moderator = User(email="facilitadora.crawl@example.org", name="Facilitadora", role=Role.moderator,
                         password_hash=admin.password_hash, email_confirmed_at=admin.email_confirmed_at)
        db.session.add(moderator)
        db.session.commit()
        readers = {
            "anon": None,
            "citizen": db.session.scalar(sa.select(User).where(User.email == "ciudadana0@example.org")),
            "org": db.session.scalar(sa.select(User).where(User.email == "organizacion0@example.org")),
            "moderator": moderator,
            "admin": admin,
        }
        adapter = app.url_map.bind("localhost")
        seeds = ["/"] + sorted(r.rule for r in app.url_map.iter_rules()
                               if "GET" in r.methods and not r.arguments and not SKIP.search(r.rule))
        for who, user in readers.items():
            if only and who not in only.split(","):
                continue
            client = app.test_client()
            if user is not None:
                login_as(client, user)
            depth = 2 if who == "anon" else 1
            per_rule: dict[str, int] = defaultdict(int)
            seen = set()
            frontier = [(s, 0) for s in seeds]
            while frontier:
                path, level = frontier.pop(0)
                if path in seen or SKIP.search(path):
                    continue
                seen.add(path)
                try:
                    rule, _args = adapter.match(path.split("?")[0], method="GET", return_rule=True)
                except RequestRedirect:
                    continue
                except HTTPException:
                    continue
                if per_rule[rule.rule] >= PER_RULE:
                    continue
                per_rule[rule.rule] += 1
                start = time.perf_counter()
                first = client.get(path)
                first_ms = (time.perf_counter() - start) * 1000
                body = first.get_data(as_text=True) if first.mimetype == "text/html" else ""
                statements.clear()
                cpu, wall = time.process_time(), time.perf_counter()
                response = client.get(path)
                response.get_data()
                cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
                row = {"who": who, "rule": rule.rule, "endpoint": rule.endpoint, "path": path,
                       "status": response.status_code, "first_ms": round(first_ms, 1),
                       "cpu_ms": round(cpu, 1), "wall_ms": round(wall, 1), "statements": len(statements)}
                results.append(row)
                print(json.dumps(row), flush=True)
                if level < depth and response.status_code == 200:
                    for link in HREF.findall(body):
                        link = link.replace("&amp;", "&")
                        if link not in seen:
                            frontier.append((link, level + 1))
        _bind_sessions_to(app, None)
        db.session.remove()
        outer.rollback()
        conn.close()
    Path(out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
