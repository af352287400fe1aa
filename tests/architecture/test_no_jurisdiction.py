"""Nothing jurisdiction-specific in code: no municipality, state, guarantor body or reference
prefix of the demo's plan in `app/` (outside the demo data and the translations) or `templates/`.

A plan's territory, prefix and guarantor body are data (each plan's catalogue of places and its
settings); the demo brings Durango's. The municipality names are read from the demo's catalogue
(app/demo/places.py), so the list is not copied here.
"""
import ast
import re
from pathlib import Path

import pytest

# Reads the source and the templates only, no database: the same on both; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

ROOT = Path(__file__).resolve().parents[2]
APP, TEMPLATES = ROOT / "app", ROOT / "templates"
LEFT_OUT = (APP / "demo", APP / "translations")
WORDS = ("Durango", "Duranguense", "IDAIP")
PREFIX = "DGO"


def demo_municipalities() -> list[str]:
    """DURANGO_MUNICIPALITIES of app/demo/places.py, read without importing the app."""
    tree = ast.parse((APP / "demo" / "places.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) == "DURANGO_MUNICIPALITIES" for target in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("app/demo/places.py has no DURANGO_MUNICIPALITIES")


def pattern(names: list[str]) -> re.Pattern:
    words = sorted({*WORDS, *names}, key=len, reverse=True)
    alternatives = [re.escape(word) for word in words] + [re.escape(PREFIX)]
    # Whole words only: "Lerdo" is a municipality, "Ocampo" too, but "Hidalgo" must not match
    # "Hidalgos" and the prefix must not match "DGOX".
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def scanned_files(app: Path = APP, templates: Path = TEMPLATES, left_out=LEFT_OUT) -> list[Path]:
    files = [p for p in sorted(app.rglob("*.py"))
             if not any(p.is_relative_to(folder) for folder in left_out)]
    return files + sorted(p for p in templates.rglob("*") if p.is_file())


def findings(files: list[Path], found: re.Pattern, root: Path = ROOT) -> list[str]:
    lines = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in found.finditer(line):
                lines.append(f"{path.relative_to(root)}:{number}: {match.group(0)}")
    return lines


def test_the_demo_catalogue_is_read():
    names = demo_municipalities()
    assert len(names) == 39 and "Gómez Palacio" in names


def test_no_jurisdiction_string_in_code_or_templates():
    found = findings(scanned_files(), pattern(demo_municipalities()))
    assert not found, "jurisdiction-specific strings (put them in a plan's data or the demo):\n" + \
        "\n".join(found)


def test_the_check_finds_names_prefixes_and_skips_the_demo(tmp_path):
    app, templates = tmp_path / "app", tmp_path / "templates"
    for folder in (app / "demo", app / "translations", app / "area", templates / "area"):
        folder.mkdir(parents=True)
    (app / "area" / "views.py").write_text('HINT = "Hora de Durango"\nREF = "DGO-2026-0042"\n')
    (app / "area" / "ok.py").write_text('HINT = "Hidalgos DGOX ABC-2026-0042 Lerdos"\n')
    (app / "demo" / "data.py").write_text('PLAN = "Durango"\n')
    (templates / "area" / "page.html").write_text("<p>\n{{ _('Gómez Palacio') }}</p>\n")

    found = findings(scanned_files(app, templates, (app / "demo", app / "translations")),
                     pattern(["Gómez Palacio", "Hidalgo", "Lerdo"]), tmp_path)

    assert found == ["app/area/views.py:1: Durango", "app/area/views.py:2: DGO",
                     "templates/area/page.html:2: Gómez Palacio"]
