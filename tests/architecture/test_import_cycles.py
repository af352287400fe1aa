"""No two area packages of `app` import each other, directly or through others.

Read from the source with `ast`, imports inside functions included (an import moved into a
function to dodge a cycle is still a dependency). An area is a package directly under `app/`
(`app.proposals`, `app.elections`, …); `app.core`, `app.extensions`, `app.config` are the ground
floor and `app` itself (the app factory) and `app.cli` the roof: they are left out of the graph.
"""
import ast
from pathlib import Path

import pytest

# Reads the source of app/ only, no database: the same on both; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

APP = Path(__file__).resolve().parents[2] / "app"
OUTSIDE_THE_GRAPH = {"app", "app.cli", "app.core", "app.extensions", "app.config", "app.translations"}


def area_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app":
        return None
    area = ".".join(parts[:2]) if len(parts) > 1 else "app"
    return None if area in OUTSIDE_THE_GRAPH else area


def module_name(path: Path, root: Path = APP) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = APP) -> list[tuple[str, int]]:
    """(module, line) for every import in the file, at any depth, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # `from app import proposals` imports the package app.proposals
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def area_graph(root: Path = APP) -> dict[str, dict[str, list[str]]]:
    """{area: {imported area: ["file:line", ...]}}"""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        source_area = area_of(module_name(path, root))
        if source_area is None:
            continue
        graph.setdefault(source_area, {})
        for module, line in imported_modules(path, root):
            target = area_of(module)
            if target and target != source_area and (root / Path(*target.split(".")[1:])).exists():
                places = graph[source_area].setdefault(target, [])
                place = f"{path.relative_to(root.parent)}:{line}"
                if place not in places:
                    places.append(place)
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every strongly connected group of more than one area (Tarjan), as sorted lists."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def describe(graph, group: list[str]) -> str:
    lines = [" ↔ ".join(group)]
    for source in group:
        for target, places in sorted(graph[source].items()):
            if target in group:
                lines.append(f"    {source} → {target}: {', '.join(places[:4])}"
                             + (f" (+{len(places) - 4})" if len(places) > 4 else ""))
    return "\n".join(lines)


def test_no_two_areas_import_each_other():
    graph = area_graph()
    found = cycles(graph)
    assert not found, "import cycles between areas:\n" + "\n".join(describe(graph, g) for g in found)


def test_the_check_finds_a_cycle_through_an_import_inside_a_function(tmp_path):
    root = tmp_path / "app"
    for area in ("alpha", "beta", "gamma"):
        (root / area).mkdir(parents=True)
        (root / area / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "alpha" / "services.py").write_text("from app.beta import models\n")
    (root / "beta" / "models.py").write_text("from app.gamma.queries import x\n")
    (root / "gamma" / "queries.py").write_text("def f():\n    from app.alpha import services\n")
    (root / "gamma" / "other.py").write_text("from app.core import db\n")

    graph = area_graph(root)

    assert cycles(graph) == [["app.alpha", "app.beta", "app.gamma"]]
    assert "app/gamma/queries.py:2" in describe(graph, ["app.alpha", "app.beta", "app.gamma"])
