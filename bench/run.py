"""`make bench`: the load test at 1× and 10× of the plan, and the export benchmark.

Writes bench/results.json, bench/results.md (the readable tables) and the measured part of
docs/performance.md. PostgreSQL is used when BENCH_DATABASE_URL or TEST_DATABASE_URL points at a
server (a fresh database is made and dropped): the plan is generated at 1×, measured, grown in
place to 10× and measured again. SQLite runs the first size only, with a shorter list.

Knobs for a quicker look:
- BENCH_SCALES="1,10" (default): the sizes measured on PostgreSQL, as multiples of the plan;
- BENCH_SCALE=0.05: multiplies every size (a twentieth of the plan, for development);
- BENCH_ONLY=sqlite or postgresql: one database; BENCH_SKIP_EXPORT=1: no export benchmark;
- BENCH_SECONDS (5), BENCH_CONNECTIONS (16), BENCH_PORT, BENCH_REDIS_URL: see bench/load.py.
"""
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import capacity, export, load

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# The targets of issue 15.
READ_RATIO, READ_P99_MS = 0.15, 150
LATENCY_P99_MS = 100  # issue 14: a search at the benchmark's size answers in under 100 ms at p99
WRITE_P99_MS = 250
FLAT = 0.75
FIRST_BYTE_MS = 100
ROWS_PER_SECOND = 50_000
WORKER_MB = 300


def scales() -> list[float]:
    return [float(s) for s in os.environ.get("BENCH_SCALES", "1,10").split(",") if s.strip()]


def machine() -> dict:
    """What the figures were measured on."""
    def first(path: str, pattern: str) -> str | None:
        try:
            found = re.search(pattern, Path(path).read_text(), re.M)
        except OSError:
            return None
        return found.group(1).strip() if found else None

    memory = first("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    found = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
             "cpu": first("/proc/cpuinfo", r"^model name\s*:\s*(.+)$"),
             "memory_gib": round(int(memory) / 2**20, 1) if memory else None}
    for name, command in (("postgresql", ["psql", "--version"]), ("redis", ["redis-server", "--version"]),
                          ("wrk", ["wrk", "--version"])):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
            found[name] = (done.stdout or done.stderr).splitlines()[0].strip()
        except (OSError, IndexError, subprocess.TimeoutExpired):
            found[name] = None
    return found


# ------------------------------------------------------------------ the tables


def _ms(value) -> str:
    return load.shown_ms(value)


def _cpu(row: dict) -> str:
    if "cpu_ms" not in row:
        return "—"
    return f"{row['cpu_ms']}" + (f" + {row['db_cpu_ms']}" if "db_cpu_ms" in row else "")


def run_table(run: dict) -> list[str]:
    sizes = run["sizes"]
    lines = [f"### {run['database']} at {run['scale']:g}× ({sizes['proposals']:,} proposals, "
             f"{sizes['comments']:,} comments, {sizes['supports']:,} supports, {sizes['citizens']:,} citizens, "
             f"{sizes['commitments']:,} commitments; plan {'generated' if run.get('step', 0) == 0 else 'grown'} "
             f"in {run['generate_seconds']} s)", "",
             "| scenario | req/s | p50 ms | p99 ms | errors | floor req/s | ratio to floor | CPU ms/req (app + db) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in run["scenarios"]:
        floor = row.get("floor")
        name = row["scenario"] + (f" ({row['connections']} connections)" if row["kind"] == "write"
                                  and "connections" not in row["scenario"] else "")
        lines.append(f"| {name} | {row['rps']} | {_ms(row['p50_ms'])} | {_ms(row['p99_ms'])} | {row['errors']} | "
                     f"{floor['rps'] if floor else '—'} | {row['ratio'] if floor else '—'} | {_cpu(row)} |")
    notes = [row["note"] for row in run["scenarios"] if "repeats" in row.get("note", "")]
    logged = run.get("logged_errors", {})
    lines += ["", "Errors logged by the servers (exceptions in requests): "
              + ", ".join(f"{count} with the {name}" for name, count in logged.items()) + "."]
    lines += [f"Note: {note}." for note in notes]
    if run.get("memory"):
        lines += ["", "Workers' resident memory after the scenarios, MiB (VmRSS now / VmHWM peak): "
                  + ", ".join(f"{m.get('VmRSS')} / {m.get('VmHWM')}" for m in run["memory"]) + "."]
    for figures in run.get("open_data", []):
        lines.append(f"Open data `{figures['path']}`: first byte in {figures['first_byte_ms']} ms "
                     f"(status {figures['status']}).")
    regeneration = run.get("regeneration")
    if regeneration:
        lines.append(f"Open data regeneration (`flask opendata build --dataset {regeneration['dataset']}`): "
                     + (f"{regeneration['rows']:,} rows in {regeneration['seconds']} s, "
                        f"{regeneration['rows_per_second']:,} rows/s, peak {regeneration['peak_rss_mib']} MiB."
                        if "seconds" in regeneration else f"not measured: {regeneration['skipped']}."))
    return lines + [""]


def flat_rows(record: dict) -> list[dict]:
    """For each read scenario, its throughput at the first and the largest PostgreSQL size."""
    runs = [r for r in record["load"] if r["database"] == "postgresql"]
    if len(runs) < 2:
        return []
    small, large = runs[0], runs[-1]
    by_name = {row["scenario"]: row for row in large["scenarios"]}
    rows = []
    for row in small["scenarios"]:
        other = by_name.get(row["scenario"])
        if row["kind"] != "read" or other is None:
            continue
        rows.append({"scenario": row["scenario"], "small": row["rps"], "large": other["rps"],
                     "ratio": round(other["rps"] / row["rps"], 2) if row["rps"] else None,
                     "scales": (small["scale"], large["scale"])})
    return rows


def _mb(mib: float | None) -> float:
    return (mib or 0) * 2**20 / 1e6


def targets(record: dict) -> list[tuple[str, bool, str]]:
    """Issue 15's targets, checked on the PostgreSQL runs: (target, met, figures)."""
    runs = [r for r in record["load"] if r["database"] == "postgresql"]
    if not runs:
        return []
    checks = []
    every = [(run, row) for run in runs for row in run["scenarios"]]

    def where(run, row) -> str:
        return f"{row['scenario']} at {run['scale']:g}×"

    pages = list(dict.fromkeys(row["page"] for _run, row in every if row["kind"] == "read"))
    for page in pages:
        rows = [(run, row) for run, row in every if row.get("page") == page and row["kind"] == "read"]
        ratio_ok = all(row["ratio"] is not None and row["ratio"] >= READ_RATIO for _run, row in rows)
        p99_ok = not any(load_slow(row, READ_P99_MS) for _run, row in rows)
        checks.append((f"{page}: ≥ {READ_RATIO} × floor and p99 < {READ_P99_MS} ms", ratio_ok and p99_ok,
                       "; ".join(f"{row['variant']} {run['scale']:g}×: {row['ratio']} / {_ms(row['p99_ms'])} ms"
                                 for run, row in rows)))
    first = runs[0]
    for row in first["scenarios"]:
        if row["kind"] == "latency":
            checks.append((f"{row['page']} at {first['scale']:g}×, one connection: p99 < {LATENCY_P99_MS} ms (issue 14)",
                           not load_slow(row, LATENCY_P99_MS), f"p50 {_ms(row['p50_ms'])} ms, p99 {_ms(row['p99_ms'])} ms"))
    for name, connections in (("support", load.CONNECTIONS), ("comment", load.CONNECTIONS),
                              ("ballot at 4 connections", 4)):
        rows = [(run, row) for run, row in every if row["scenario"] == name]
        if rows:
            checks.append((f"{name}: p99 < {WRITE_P99_MS} ms ({connections} connections)",
                           not any(load_slow(row, WRITE_P99_MS) for _run, row in rows),
                           "; ".join(f"{run['scale']:g}×: {_ms(row['p99_ms'])} ms" for run, row in rows)))
    rows = [(run, row) for run, row in every if row["scenario"] == "ballot at 64 connections"]
    if rows:
        checks.append(("ballot at 64 connections: zero errors", all(row["errors"] == 0 for _run, row in rows),
                       "; ".join(f"{run['scale']:g}×: {row['errors']} errors in {row['requests']} requests"
                                 for run, row in rows)))
    flat = flat_rows(record)
    if flat:
        low = [row for row in flat if row["ratio"] is None or row["ratio"] < FLAT]
        checks.append((f"flat cost: every read at {flat[0]['scales'][1]:g}× ≥ {FLAT} × its {flat[0]['scales'][0]:g}× "
                       "throughput", not low,
                       ", ".join(f"{row['scenario']} {row['ratio']}" for row in low) or "all at or above"))
    large = runs[-1]
    for figures in large.get("open_data", []):
        checks.append((f"open data {figures['path']} first byte < {FIRST_BYTE_MS} ms at {large['scale']:g}×",
                       figures["status"] == 200 and figures["first_byte_ms"] < FIRST_BYTE_MS,
                       f"{figures['first_byte_ms']} ms (status {figures['status']})"))
    regenerations = [(run, run.get("regeneration")) for run in runs if run.get("regeneration")]
    measured = [(run, r) for run, r in regenerations if "seconds" in r]
    if measured:
        checks.append((f"open data regeneration ≥ {ROWS_PER_SECOND:,} rows/s",
                       all(r["rows_per_second"] >= ROWS_PER_SECOND for _run, r in measured),
                       "; ".join(f"{run['scale']:g}×: {r['rows_per_second']:,} rows/s" for run, r in measured)))
        if len(measured) >= 2:
            small, big = measured[0][1], measured[-1][1]
            checks.append(("open data regeneration in constant memory", big["peak_rss_mib"] <= small["peak_rss_mib"] * 1.5,
                           f"peak {small['peak_rss_mib']} MiB at {measured[0][0]['scale']:g}×, "
                           f"{big['peak_rss_mib']} MiB at {measured[-1][0]['scale']:g}×"))
    elif regenerations:
        checks.append((f"open data regeneration ≥ {ROWS_PER_SECOND:,} rows/s", False,
                       "not measured: " + regenerations[0][1]["skipped"]))
    if large.get("memory"):
        peak = max(_mb(m.get("VmHWM")) for m in large["memory"])
        checks.append((f"each worker's memory < {WORKER_MB} MB at {large['scale']:g}×", peak < WORKER_MB,
                       f"largest peak (VmHWM) {peak:.0f} MB"))
    errors = [f"{where(run, row)}: {row['errors']}" for run, row in every if row["errors"]]
    logged = [f"{count} logged at {run['scale']:g}× ({name})" for run in runs
              for name, count in run.get("logged_errors", {}).items() if count]
    checks.append(("zero errors (every scenario, both servers' logs)", not errors and not logged,
                   ", ".join(errors + logged) or "none"))
    return checks


def load_slow(row: dict, p99_ms: float) -> bool:
    """Whether a row's p99 is at or over the limit (None: no request ended within the run)."""
    return row["p99_ms"] is None or row["p99_ms"] >= p99_ms


def table(record: dict) -> str:
    m = record["machine"]
    base = f", every size × {record['base_scale']:g}" if record.get("base_scale", 1) != 1 else ""
    lines = [f"Benchmark of {record['date']} on {m.get('cpu') or m['platform']} ({m['cpus']} CPUs, "
             f"{m.get('memory_gib')} GiB), {m['platform']}, Python {m['python']}, {m.get('postgresql')}, "
             f"{m.get('redis')}{base}; {load.CONNECTIONS} connections unless said, {load.SECONDS} s per scenario, "
             f"gunicorn {load.WORKER_CLASS} {load.WORKERS} workers × {load.THREADS} threads "
             f"(deploy/cocrea.service.example). Load average at the start {record.get('load_before')}, "
             f"at the end {record.get('load_after')}.", ""]
    for run in record["load"]:
        lines += run_table(run)
    flat = flat_rows(record)
    if flat:
        small, large = flat[0]["scales"]
        lines += [f"### Flat cost: throughput at {large:g}× over {small:g}× (same run)", "",
                  f"| scenario | req/s at {small:g}× | req/s at {large:g}× | ratio |", "|---|---:|---:|---:|"]
        lines += [f"| {r['scenario']} | {r['small']} | {r['large']} | {r['ratio']} |" for r in flat] + [""]
    if record.get("export"):
        lines += ["### Open-data files (bench/export.py): build (both formats, one pass) and download of the "
                  "pre-built file", "",
                  "| database | rows | step | seconds | rows/s | peak MiB | first byte ms | MiB |",
                  "|---|---:|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['database']} | {r['rows']:,} | {r['format']} | {r['seconds']} | "
                  f"{r.get('rows_per_second', '')} | {r.get('peak_mib', '')} | {r.get('first_byte_ms', '')} | "
                  + (f"{r['bytes'] / 2**20:.1f}" if "bytes" in r else "") + " |" for r in record["export"]] + [""]
    for failure in record.get("failures", []):
        lines += [f"**The run did not finish:** {failure}. The figures above are those measured before it.", ""]
    checks = targets(record)
    if checks:
        lines += ["### Targets (issue 15, PostgreSQL)", "", "| target | met | figures |", "|---|---|---|"]
        lines += [f"| {name} | {'yes' if met else '**NOT**'} | {figures} |" for name, met, figures in checks]
    return "\n".join(lines) + "\n"


def write_doc(text: str, doc: Path = DOC) -> None:
    """The measured part of docs/performance.md (between its markers) replaced by `text`."""
    current = doc.read_text(encoding="utf-8")
    if START in current and END in current:
        head, rest = current.split(START, 1)
        tail = rest.split(END, 1)[1]
    else:
        head, tail = current.rstrip() + "\n\n## Latest run\n\n", "\n"
    doc.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")


def _guarded(record: dict, measure) -> None:
    """Run one database's measurements; a failure is recorded (and printed) with what was
    measured before it, instead of losing the whole run."""
    try:
        measure()
    except Exception as exc:  # noqa: BLE001 - the record says what failed, and the run goes on
        import traceback

        traceback.print_exc()
        record.setdefault("failures", []).append(f"{type(exc).__name__}: {exc}")


def main() -> int:
    base_scale = float(os.environ.get("BENCH_SCALE", "1"))
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_scale": base_scale, "scales": scales(), "machine": machine(),
        "load_before": [round(x, 2) for x in os.getloadavg()], "load": [],
    }
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    only = os.environ.get("BENCH_ONLY", "")
    print("Load test of a large plan:", flush=True)
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            _guarded(record, lambda: load.run_on(f"sqlite:///{tmp}/bench.sqlite3", "sqlite", scales()[:1],
                                                 base_scale, record["load"]))
    if pg and only in ("", "postgresql"):
        from tests.conftest import create_pg_database, drop_pg_database

        try:
            url = create_pg_database(pg)
        except Exception as exc:  # noqa: BLE001 - a laptop without PostgreSQL
            print(f"  (PostgreSQL skipped: {pg} is not reachable: {exc})")
        else:
            try:
                _guarded(record, lambda: load.run_on(url, "postgresql", scales(), base_scale, record["load"]))
            finally:
                drop_pg_database(pg, url)
    elif not pg:
        print("  (PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
    for step, run in enumerate(r for r in record["load"] if r["database"] == "postgresql"):
        run["step"] = step
    record["export"] = [] if os.environ.get("BENCH_SKIP_EXPORT") else export.main()
    record["load_after"] = [round(x, 2) for x in os.getloadavg()]
    text = table(record)
    (HERE / "results.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (HERE / "results.md").write_text(text, encoding="utf-8")
    write_doc(text)
    capacity.write_doc(record)  # docs/capacity.md's figures follow the measured costs
    print("\n" + text)
    print(f"written {HERE / 'results.json'}, {HERE / 'results.md'}, {DOC} and {capacity.DOC}")
    return 1 if record.get("failures") else 0


if __name__ == "__main__":
    sys.exit(main())
