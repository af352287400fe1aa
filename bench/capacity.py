"""The capacity model of docs/capacity.md, computed from a benchmark's measured CPU per request.

`make bench` records, for every scenario, the CPU milliseconds one request costs the app (the
gunicorn workers) and the database (the PostgreSQL backends): bench/results.json. From those and
a stated load (people, pages, writes, ballots), this works out the cores each tier needs; run.py
writes the result between the `capacity:` markers of docs/capacity.md. Nothing here is measured
again: change an assumption below, run `python -m bench.capacity`, and the document follows.
"""
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "capacity.md"
START, END = "<!-- capacity:start -->", "<!-- capacity:end -->"

# Share of a core a tier may use at the peak before queues grow (the rest is headroom).
UTILISATION = 0.6

# The ordinary day's peak hour, nationally: 32 plans, 2,000,000 registered people.
PEOPLE = 2_000_000
ACTIVE_IN_PEAK_HOUR = 0.03  # of registered people, in the busiest hour
PAGES_PER_VISIT = 12
WRITES_PER_VISIT = 1.0  # a support or a comment
# What those pages are, as the benchmark's pages (a mix of the measured read scenarios).
PAGE_MIX = {"proposal list": 0.30, "proposal list, filtered": 0.10, "proposal page, 200 comments": 0.25,
            "commitment page": 0.10, "dashboard": 0.05, "election result": 0.05, "site search": 0.10,
            "API list": 0.05}
WRITE_MIX = {"support": 0.7, "comment": 0.3}

# Election day: 20,000 organisations vote within 4 hours; the busiest quarter hour carries three
# times the average. Each voter signs in (one password check, costed as a ballot's), reads a few
# pages and casts one ballot (a second password check).
VOTERS, VOTING_HOURS, PEAK_FACTOR, PAGES_PER_VOTER = 20_000, 4, 3.0, 6


def _costs(run: dict) -> dict:
    """{scenario: (app ms, db ms)}, reads taking the worse of signed in and cache off."""
    costs = {}
    for row in run["scenarios"]:
        if "cpu_ms" not in row:
            continue
        name = row.get("page") or row["scenario"]
        app, db = row["cpu_ms"], row.get("db_cpu_ms", 0.0)
        if row["kind"] == "write" and name.startswith("ballot"):
            name = "ballot"
        if name in costs:
            app, db = max(app, costs[name][0]), max(db, costs[name][1])
        costs[name] = (app, db)
    return costs


def _mix_cost(costs: dict, mix: dict) -> tuple[float, float]:
    known = {name: share for name, share in mix.items() if name in costs}
    total = sum(known.values()) or 1
    app = sum(costs[name][0] * share for name, share in known.items()) / total
    db = sum(costs[name][1] * share for name, share in known.items()) / total
    return app, db


def _cores(rate: float, ms: float) -> float:
    return rate * ms / 1000 / UTILISATION


def model(record: dict) -> list[str]:
    runs = [r for r in record["load"] if r["database"] == "postgresql"]
    if not runs:
        return ["No PostgreSQL run in bench/results.json: nothing to model."]
    run = runs[-1]  # the largest plan measured
    costs = _costs(run)
    lines = [f"Computed by `bench/capacity.py` from the PostgreSQL run at {run['scale']:g}× of "
             f"{record['date']} (bench/results.json). A tier may use {UTILISATION:.0%} of its cores at the "
             "peak; the rest is headroom.", "",
             "### Cost of one request, and what a core serves", "",
             "| request | app CPU ms | database CPU ms | per app core, req/s | per database core, req/s |",
             "|---|---:|---:|---:|---:|"]
    for name, (app, db) in costs.items():
        lines.append(f"| {name} | {app:.2f} | {db:.2f} | {1000 / app:,.0f} | "
                     f"{(1000 / db) if db else math.inf:,.0f} |")
    page_app, page_db = _mix_cost(costs, PAGE_MIX)
    write_app, write_db = _mix_cost(costs, WRITE_MIX)
    ballot_app, ballot_db = costs.get("ballot", (0.0, 0.0))
    cores = record["machine"].get("cpus") or 2
    one_server = cores * UTILISATION * 1000 / (page_app + page_db)  # app and database on one box
    lines += ["", "### One server", "",
              f"One {cores}-core server running the app, PostgreSQL and Redis together serves about "
              f"**{one_server:,.0f} pages/s** of the page mix below ({page_app:.1f} ms app + {page_db:.1f} ms "
              f"database a page), or **{cores * UTILISATION * 1000 / (write_app + write_db):,.0f} writes/s**, "
              f"or **{cores * UTILISATION * 1000 / (2 * (ballot_app + ballot_db)) if ballot_app else 0:,.0f} "
              "voters/s** (sign-in and ballot, two password checks)."]
    visits = PEOPLE * ACTIVE_IN_PEAK_HOUR / 3600
    pages, writes = visits * PAGES_PER_VISIT, visits * WRITES_PER_VISIT
    day_app = _cores(pages, page_app) + _cores(writes, write_app)
    day_db = _cores(pages, page_db) + _cores(writes, write_db)
    voters = VOTERS / (VOTING_HOURS * 3600) * PEAK_FACTOR
    vote_app = _cores(voters, 2 * ballot_app) + _cores(voters * PAGES_PER_VOTER, page_app)
    vote_db = _cores(voters, 2 * ballot_db) + _cores(voters * PAGES_PER_VOTER, page_db)
    lines += ["", "### National deployment (every state's plan on one installation)", "",
              f"Assumed: {PEOPLE:,} registered people, {ACTIVE_IN_PEAK_HOUR:.0%} of them active in the busiest "
              f"hour, {PAGES_PER_VISIT} pages and {WRITES_PER_VISIT:g} write each; pages in the proportions "
              + ", ".join(f"{name} {share:.0%}" for name, share in PAGE_MIX.items())
              + " (each at the worse of its signed-in and page-cache-off cost: anonymous readers served from "
              f"the page cache cost less). Election day: {VOTERS:,} organisations in {VOTING_HOURS} hours, the "
              f"busiest quarter hour at {PEAK_FACTOR:g}× the average, {PAGES_PER_VOTER} pages and two password "
              "checks a voter.", "",
              "| load | rate | app cores | database cores | app servers (2 cores) |", "|---|---:|---:|---:|---:|",
              f"| ordinary day, peak hour | {pages:,.0f} pages/s + {writes:,.0f} writes/s | {day_app:.1f} | "
              f"{day_db:.1f} | {math.ceil(day_app / 2)} |",
              f"| election day, busiest quarter hour | {voters:,.1f} voters/s | {vote_app:.1f} | {vote_db:.1f} | "
              f"{math.ceil(vote_app / 2)} |",
              f"| both at once | | {day_app + vote_app:.1f} | {day_db + vote_db:.1f} | "
              f"{math.ceil((day_app + vote_app) / 2)} |"]
    ratio = (page_app / page_db) if page_db else math.inf
    lines += ["", f"A page costs the app {ratio:.1f}× what it costs the database: app servers are the first "
              f"bottleneck, and one PostgreSQL primary carries about {ratio:.0f} app cores' worth of pages per "
              "core of its own."]
    return lines


def write_doc(record: dict, path: Path = DOC) -> bool:
    """Replace the part of docs/capacity.md between the markers; False when they are missing."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START not in text or END not in text:
        return False
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    path.write_text(before + START + "\n" + "\n".join(model(record)) + "\n" + END + after, encoding="utf-8")
    return True


def main() -> int:
    record = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
    print("\n".join(model(record)))
    if "--write" in sys.argv:
        print("written" if write_doc(record) else f"no {START} … {END} markers in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
