"""No module of `app` outside the demo data over MAX_LINES lines (issue 12): a module that grows
past it holds more than one responsibility and is split by them, as the elections and the
dashboard were."""
from pathlib import Path

import pytest

# Reads the source of app/ only, no database: the same on both; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

APP = Path(__file__).resolve().parents[2] / "app"
MAX_LINES = 450
# The demo plan's data and its loader: long by nature (the Durango plan's text), not logic.
EXEMPT = ("demo",)


def oversized(root: Path = APP) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in EXEMPT:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found.append(f"app/{relative.as_posix()}: {lines} lines")
    return found


def test_no_module_of_app_outside_the_demo_is_over_the_limit():
    too_long = oversized()
    assert not too_long, f"over {MAX_LINES} lines, split by responsibility:\n" + "\n".join(too_long)


def test_the_check_counts_lines_and_skips_the_demo(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "area").mkdir()
    (tmp_path / "demo" / "data.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "area" / "services.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "area" / "views.py").write_text("x = 1\n" * MAX_LINES)
    assert oversized(tmp_path) == [f"app/area/services.py: {MAX_LINES + 1} lines"]
