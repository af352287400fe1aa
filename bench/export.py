"""Benchmark of the open-data export: 100,000 proposals as CSV and JSON, time and peak memory.

Run by `make bench` (bench/run.py) on SQLite and, when TEST_DATABASE_URL or BENCH_DATABASE_URL
points at PostgreSQL, on PostgreSQL. Memory is Python's own allocations during the download
(tracemalloc peak), measured at two sizes: a flat figure means the export streams.
"""
import os
import random
import tempfile
import time
import tracemalloc

import sqlalchemy as sa

SIZES = (10_000, 100_000)
WORDS = ("bache", "alumbrado", "agua", "drenaje", "parque", "seguridad", "transparencia", "camión", "ñandú",
         "banqueta", "árbol", "basura", "escuela", "clínica", "colonia")


def _fill(n: int, seed: int = 2026) -> None:
    """Proposals inserted in bulk with Core statements (the service is far too slow for 100,000)."""
    from app.accounts.models import Role, User
    from app.core.db import utcnow
    from app.extensions import db
    from app.plans.models import ActionPlan, Committee, Theme
    from app.proposals.models import Proposal, ProposalState

    rng = random.Random(seed)
    plan = ActionPlan(slug="bench", name="Plan de prueba", period="2026–2027", is_current=True)
    committee = Committee(plan=plan, slug="municipio", name="Municipio de Durango", scope="Municipio")
    theme = Theme(plan=plan, slug="servicios", name="Servicios públicos")
    author = User(email="autora@example.org", name="Autora Pérez", role=Role.citizen)
    db.session.add_all([plan, committee, theme, author])
    db.session.commit()
    states = list(ProposalState)
    now = utcnow()
    batch = []
    for i in range(1, n + 1):
        words = " ".join(rng.choice(WORDS) for _ in range(6))
        title = f"Propuesta {i}: {words}"[:150]
        body = f"Descripción de la problemática {i}. {words} " * 4
        batch.append({
            "plan_id": plan.id, "committee_id": committee.id, "theme_id": theme.id, "author_id": author.id,
            "reference": f"DGO-2026-{i:06d}", "year": 2026, "sequence": i, "title": title, "body": body,
            "municipality": "Durango", "state": rng.choice(states), "search_text": title.lower(),
            "created_at": now, "updated_at": now, "support_count": rng.randint(0, 300),
            "comment_count": rng.randint(0, 40), "open_reports": 0,
        })
        if len(batch) == 5000:
            db.session.execute(sa.insert(Proposal), batch)
            batch.clear()
    if batch:
        db.session.execute(sa.insert(Proposal), batch)
    db.session.commit()


def _measure(client, path: str) -> dict:
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    size = 0
    for chunk in response.response:
        size += len(chunk)
    seconds = time.perf_counter() - started
    response.close()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200, response.status_code
    return {"seconds": round(seconds, 2), "peak_mib": round(peak / 2**20, 1), "bytes": size}


def run_on(database_url: str, label: str) -> list[dict]:
    from app import create_app
    from app.extensions import db

    results = []
    for n in SIZES:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                          "PAGE_CACHE_REDIS_URL": None,
                          "SECRET_KEY": "bench-secret-key-long-enough-0123456789", "MAIL_BACKEND": "null"})
        with app.app_context():
            db.drop_all()
            db.create_all()
            _fill(n)
            client = app.test_client()
            for fmt in ("csv", "json"):
                figures = _measure(client, f"/open-data/proposals.{fmt}")
                results.append({"database": label, "rows": n, "format": fmt, **figures})
                print(f"  {label:10} {n:>7} rows  {fmt:4}  {figures['seconds']:6.2f} s  "
                      f"peak {figures['peak_mib']:5.1f} MiB  {figures['bytes'] / 2**20:6.1f} MiB written", flush=True)
                # The streamed download's transaction must end before the tables can be dropped.
                db.session.remove()
            db.drop_all()
            db.session.remove()
            db.engine.dispose()
    return results


def main() -> list[dict]:
    print("Open-data export of proposals (streamed):")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += run_on(f"sqlite:///{tmp}/bench.sqlite3", "sqlite")
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        from tests.conftest import create_pg_database, drop_pg_database

        url = create_pg_database(pg)
        try:
            results += run_on(url, "postgresql")
        finally:
            drop_pg_database(pg, url)
    else:
        print("  (PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
    return results


if __name__ == "__main__":
    main()
