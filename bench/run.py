"""`make bench`: the large-plan load test and the export benchmark, on SQLite and PostgreSQL.

Writes bench/results.json and bench/results.md (the readable table). PostgreSQL is used when
BENCH_DATABASE_URL or TEST_DATABASE_URL points at a server (a fresh database is made and dropped).
BENCH_SCALE=0.1 runs a tenth of the plan, for a quick look; BENCH_ONLY=sqlite (or postgresql)
runs one database, BENCH_SKIP_EXPORT=1 leaves out the export benchmark.
"""
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import export, load

HERE = Path(__file__).parent


def _sizes() -> dict | None:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    if scale == 1:
        return None
    from bench.generate import SIZES

    return {k: (max(1, int(v * scale)) if k != "milestones_each" else v) for k, v in SIZES.items()}


def table(record: dict) -> str:
    scale = f" at {record['scale']:g} of the plan's size" if record.get("scale", 1) != 1 else ""
    lines = [f"Benchmark of {record['date']} on {record['machine']['platform']} "
             f"({record['machine']['cpus']} CPUs, Python {record['machine']['python']}){scale}; "
             f"{load.CONNECTIONS} connections, {load.SECONDS} s per scenario, gunicorn "
             f"{load.WORKER_CLASS} {load.WORKERS} workers × {load.THREADS} threads "
             "(deploy/cocrea.service.example).", ""]
    for run in record["load"]:
        lines += [f"### {run['database']} (plan generated in {run['generate_seconds']} s)", "",
                  "| scenario | req/s | p50 ms | p99 ms | errors | floor req/s | ratio to floor | note |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for row in run["scenarios"]:
            floor = row.get("floor")
            lines.append(f"| {row['scenario']} | {row['rps']} | {load.shown_ms(row['p50_ms'])} | "
                         f"{load.shown_ms(row['p99_ms'])} | {row['errors']} | "
                         f"{floor['rps'] if floor else '—'} | {row['ratio'] if floor else '—'} | "
                         f"{row.get('note', '')} |")
        logged = run.get("logged_errors", {})
        lines += ["", "Errors are responses other than 2xx/3xx and socket errors counted by wrk. Errors "
                  "logged by the servers (exceptions in requests): "
                  + ", ".join(f"{count} with the {name}" for name, count in logged.items()) + ". "
                  "The \"cache off\" rows come from a second gunicorn without the page cache: every "
                  "request renders its page, as a signed-in reader's always does; they count for the "
                  "zero-errors target only.", ""]
    if record["export"]:  # none with BENCH_SKIP_EXPORT
        lines += ["### Open-data files: build (both formats, one pass) and download of the pre-built file", "",
                  "| database | rows | step | seconds | rows/s | peak MiB | first byte ms | MiB |",
                  "|---|---:|---|---:|---:|---:|---:|---:|"]
    for row in record["export"]:
        mib = f"{row['bytes'] / 2**20:.1f}" if "bytes" in row else ""
        lines.append(f"| {row['database']} | {row['rows']:,} | {row['format']} | {row['seconds']} | "
                     f"{row.get('rows_per_second', '')} | {row.get('peak_mib', '')} | "
                     f"{row.get('first_byte_ms', '')} | {mib} |")
    checks = targets(record)
    if checks:
        lines += ["", "### Targets (PostgreSQL run)", "", "| target | met | figures |", "|---|---|---|"]
        lines += [f"| {name} | {'yes' if met else 'NO'} | {figures} |" for name, met, figures in checks]
    return "\n".join(lines) + "\n"


def slow(rows: list[dict], p99_ms: float) -> list[dict]:
    """The rows whose p99 is at or over the limit (None: no request ended within the run)."""
    return [r for r in rows if r["p99_ms"] is None or r["p99_ms"] >= p99_ms]


def targets(record: dict) -> list[tuple[str, bool, str]]:
    """The targets of docs/performance.md, checked on the PostgreSQL run: (target, met, figures)."""
    run = next((r for r in record["load"] if r["database"] == "postgresql"), None)
    if run is None:
        return []
    rows = run["scenarios"]
    # Reads as production serves them (page cache on), signed in or not; "cache off" rows measure
    # the rendering alone and count for errors only.
    reads = [r for r in rows if r["kind"] == "read"]
    anonymous = [r for r in reads if "signed in" not in r["scenario"]]
    writes = [r for r in rows if r["kind"] == "write"]
    listing = next(r for r in rows if r["scenario"] == "proposal list")
    logged = run.get("logged_errors", {})
    checks = [
        ("zero errors", all(r["errors"] == 0 for r in rows) and not any(logged.values()),
         ", ".join([f"{r['scenario']}: {r['errors']}" for r in rows if r["errors"]]
                   + [f"{count} logged with the {name}" for name, count in logged.items() if count])
         or "none"),
        ("read pages p99 < 150 ms", not slow(reads, 150),
         ", ".join(f"{r['scenario']} {load.shown_ms(r['p99_ms'])} ms" for r in slow(reads, 150)) or "all under"),
        ("proposal list ≥ 15% of the floor", listing["ratio"] >= 0.15, f"{listing['ratio']:.0%}"),
        ("anonymous pages ≥ 50% of the floor", all(r["ratio"] >= 0.5 for r in anonymous),
         ", ".join(f"{r['scenario']} {r['ratio']:.0%}" for r in anonymous if r["ratio"] < 0.5) or "all above"),
        ("writes p99 < 250 ms", not slow(writes, 250),
         ", ".join(f"{r['scenario']} {load.shown_ms(r['p99_ms'])} ms" for r in writes)),
    ]
    builds = [r for r in record.get("export", []) if r["database"] == "postgresql" and "rows_per_second" in r]
    if len(builds) >= 2:
        small, large = builds[0], builds[-1]
        checks.append(("open-data build in constant memory", large["peak_mib"] <= small["peak_mib"] * 1.5,
                       f"peak {small['peak_mib']} MiB at {small['rows']:,} rows, "
                       f"{large['peak_mib']} MiB at {large['rows']:,} rows"))
        checks.append(("open-data build >= 50,000 rows/s", large["rows_per_second"] >= 50_000,
                       f"{large['rows_per_second']:,} rows/s at {large['rows']:,} rows"))
    served = [r for r in record.get("export", []) if r["database"] == "postgresql" and "first_byte_ms" in r]
    if served:
        checks.append(("open-data file: first byte < 100 ms", all(r["first_byte_ms"] < 100 for r in served),
                       ", ".join(f"{r['format']} {r['first_byte_ms']} ms at {r['rows']:,} rows" for r in served)))
    return checks


def main() -> int:
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": float(os.environ.get("BENCH_SCALE", "1")),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "load": [],
    }
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    only = os.environ.get("BENCH_ONLY", "")
    print("Load test of a large plan:", flush=True)
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            record["load"].append(load.run_on(f"sqlite:///{tmp}/bench.sqlite3", "sqlite", _sizes()))
    if pg and only in ("", "postgresql"):
        from tests.conftest import create_pg_database, drop_pg_database

        try:
            url = create_pg_database(pg)
        except Exception as exc:  # noqa: BLE001 - a laptop without PostgreSQL
            print(f"  (PostgreSQL skipped: {pg} is not reachable: {exc})")
        else:
            try:
                record["load"].append(load.run_on(url, "postgresql", _sizes()))
            finally:
                drop_pg_database(pg, url)
    elif not pg:
        print("  (PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
    record["export"] = [] if os.environ.get("BENCH_SKIP_EXPORT") else export.main()
    (HERE / "results.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (HERE / "results.md").write_text(table(record), encoding="utf-8")
    print("\n" + table(record))
    print(f"written {HERE / 'results.json'} and {HERE / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
