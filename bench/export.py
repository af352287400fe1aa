"""Benchmark of the open-data files: 100,000 proposals built as CSV and JSON, then downloaded.

Run by `make bench` (bench/run.py) on SQLite and, when TEST_DATABASE_URL or BENCH_DATABASE_URL
points at PostgreSQL, on PostgreSQL. For each size: the build (app/opendata/files.py: both files
in one pass; rows per second and peak memory, Python's own allocations by tracemalloc, measured
at two sizes: a flat figure means the build streams), then each pre-built file's download (time
to the first byte and to the last).
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
    plan = ActionPlan(slug="bench", name="Plan de prueba", period="2026–2027", is_current=True, reference_prefix="DGO")
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


def _build(slug: str) -> dict:
    from app.core.uow import commit
    from app.opendata import dataset_by_slug, files

    tracemalloc.start()
    started = time.perf_counter()
    figures = files.build(dataset_by_slug(slug))
    commit()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(seconds, 2), "rows_per_second": round(figures["rows"] / seconds),
            "peak_mib": round(peak / 2**20, 1)}


def _measure(client, path: str) -> dict:
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    first_byte = None
    size = 0
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
    seconds = time.perf_counter() - started
    response.close()
    assert response.status_code == 200, response.status_code
    return {"seconds": round(seconds, 3), "first_byte_ms": round((first_byte or seconds) * 1000, 1), "bytes": size}


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
            built = _build("proposals")
            results.append({"database": label, "rows": n, "format": "build (csv+json)", **built})
            print(f"  {label:10} {n:>7} rows  build {built['seconds']:6.2f} s  {built['rows_per_second']:>7} rows/s  "
                  f"peak {built['peak_mib']:5.1f} MiB", flush=True)
            db.session.remove()
            for fmt in ("csv", "json"):
                figures = _measure(client, f"/open-data/proposals.{fmt}")
                results.append({"database": label, "rows": n, "format": fmt, **figures})
                print(f"  {label:10} {n:>7} rows  {fmt:4}  first byte {figures['first_byte_ms']:6.1f} ms  "
                      f"all {figures['seconds']:6.3f} s  {figures['bytes'] / 2**20:6.1f} MiB", flush=True)
                db.session.remove()
            db.drop_all()
            db.session.remove()
            db.engine.dispose()
    return results


def main() -> list[dict]:
    print("Open-data files of proposals (built, then downloaded):")
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
