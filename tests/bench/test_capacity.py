"""The capacity model reads the benchmark's measured costs and writes its section of the document."""
from bench import capacity


def _record(app_ms: float, db_ms: float) -> dict:
    def row(name, kind="read", **extra):
        return {"scenario": name, "page": name, "kind": kind, "cpu_ms": app_ms, "db_cpu_ms": db_ms, **extra}

    scenarios = [row(name) for name in capacity.PAGE_MIX]
    scenarios += [row("support", "write"), row("comment", "write"), row("ballot at 4 connections", "write")]
    return {"date": "2026-12-06", "machine": {"cpus": 2},
            "load": [{"database": "postgresql", "scale": 10, "scenarios": scenarios}]}


def test_cores_needed_follow_the_measured_cost():
    cheap = "\n".join(capacity.model(_record(2.0, 0.5)))
    dear = "\n".join(capacity.model(_record(20.0, 5.0)))
    assert "| proposal list | 2.00 | 0.50 | 500 | 2,000 |" in cheap
    assert "| proposal list | 20.00 | 5.00 | 50 | 200 |" in dear

    def app_cores(text):
        line = next(line for line in text.splitlines() if line.startswith("| ordinary day"))
        return float(line.split("|")[3])

    assert 9 < app_cores(dear) / app_cores(cheap) < 11  # ten times the cost, ten times the cores (rounded)


def test_the_section_between_the_markers_is_replaced_and_the_rest_kept(tmp_path):
    doc = tmp_path / "capacity.md"
    doc.write_text(f"intro\n{capacity.START}\nold\n{capacity.END}\noutro\n", encoding="utf-8")
    assert capacity.write_doc(_record(4.0, 1.0), doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old" not in text
    assert "| support | 4.00 | 1.00 |" in text
    doc.write_text("no markers", encoding="utf-8")
    assert not capacity.write_doc(_record(4.0, 1.0), doc)


def test_without_a_postgresql_run_the_model_says_so():
    assert "No PostgreSQL run" in capacity.model({"date": "x", "machine": {}, "load": []})[0]
