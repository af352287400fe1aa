"""Every module-level object in app/ that could hold state between requests says why it is safe.

Requests run in threads (gunicorn's gthread workers), so an object created when a module is
imported is shared by every request of the process. This test reads the source of app/ with
`ast` and finds two kinds of such objects:

- module-level names bound to a call that builds an object (a parser, a sanitiser, a client, an
  extension, a cache), unless the call is on the short list of constructors of immutable or
  documented thread-safe values below;
- module-level names that a function changes (`NAME[k] = v`, `NAME.append(...)`, `global NAME`).

Each must carry a comment with the words "thread-safe", "per thread" or "lock" (case ignored) on
its line or in a comment heading its paragraph, saying which of the three it is.
"""
import ast
import re
from pathlib import Path

import pytest

# Reads the source of app/ only, no database: the same on both; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

APP = Path(__file__).resolve().parents[2] / "app"

# Calls whose result is immutable, or documented safe to share between threads.
SAFE_CONSTRUCTORS = {
    "logging.getLogger",  # the logging module is thread-safe (its documentation)
    "re.compile",  # compiled patterns are immutable and safe to share (the re documentation)
    "timedelta", "frozenset", "tuple", "namedtuple", "TypeVar", "ZoneInfo",
    "_l", "lazy_gettext",  # lazy strings resolve per call, in the request's own locale
    "Column",  # opendata column descriptions (frozen dataclasses)
    "Dataset",  # opendata dataset descriptions (frozen dataclasses)
    "datetime", "date", "join",  # dates and strings are immutable
}
MUTATING_METHODS = {"append", "extend", "insert", "add", "update", "setdefault", "pop",
                    "popitem", "clear", "remove", "discard", "__setitem__", "move_to_end"}
STATED = re.compile(r"thread-safe|per thread|lock", re.IGNORECASE)


def _call_name(node: ast.expr) -> str:
    func = node.func if isinstance(node, ast.Call) else node
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        return _call_name(func)  # decorator factories: lru_cache(maxsize=...)(f)
    return ".".join(reversed(parts))


def _is_blueprint(call: ast.Call) -> bool:
    # Blueprints are configured while modules are imported and only read afterwards.
    return _call_name(call).split(".")[-1].endswith("Blueprint")


def _statement_is_stated(lines: list[str], lineno: int, end_lineno: int) -> bool:
    if any(STATED.search(line) for line in lines[lineno - 1:end_lineno]):
        return True
    # The comment may head the paragraph (lines without a blank between) the statement is in.
    index = lineno - 2
    while index >= 0 and lines[index].strip():
        if lines[index].lstrip().startswith("#") and STATED.search(lines[index]):
            return True
        index -= 1
    return False


def _module_level_objects(tree: ast.Module):
    """(name, statement) for module-level assignments to a call that builds an object."""
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(statement.value, ast.Call):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            call = statement.value
            if not names or _call_name(call) in SAFE_CONSTRUCTORS or _is_blueprint(call):
                continue
            yield names[0], statement


def _mutated_module_names(tree: ast.Module) -> dict[str, int]:
    """Module-level names changed from inside a function, with the line of the first change."""
    module_names = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            module_names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            module_names.add(statement.target.id)
    found: dict[str, int] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        local = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            name = None
            if isinstance(node, ast.Global):
                for declared in node.names:
                    found.setdefault(declared, node.lineno)
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        name = target.value.id
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in MUTATING_METHODS and isinstance(node.func.value, ast.Name)):
                name = node.func.value.id
            if name and name in module_names and name not in local:
                found.setdefault(name, node.lineno)
    return found


def _definition_line(tree: ast.Module, name: str) -> ast.stmt | None:
    for statement in tree.body:
        targets = (statement.targets if isinstance(statement, ast.Assign)
                   else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return statement
    return None


def audit() -> list[str]:
    problems = []
    for path in sorted(APP.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        where = path.relative_to(APP.parent)
        for name, statement in _module_level_objects(tree):
            if not _statement_is_stated(lines, statement.lineno, statement.end_lineno):
                problems.append(f"{where}:{statement.lineno}: module-level object {name!r} "
                                "does not say why it is safe under threads")
        for name, line in _mutated_module_names(tree).items():
            statement = _definition_line(tree, name)
            if statement is None or not _statement_is_stated(lines, statement.lineno, statement.end_lineno):
                problems.append(f"{where}:{line}: module-level {name!r} is changed by a function and "
                                "does not say why it is safe under threads")
    return problems


def test_every_shared_object_says_why_it_is_safe_under_threads():
    problems = audit()
    assert not problems, "\n".join(problems)


def test_the_audit_finds_an_unstated_shared_sanitiser_and_a_mutated_cache(tmp_path, monkeypatch):
    """The audit itself can fail: a bleach Cleaner and a dict filled by a function are found."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "bad.py").write_text(
        "import bleach\n_cleaner = bleach.sanitizer.Cleaner()\n_seen = {}\n"
        "def remember(k, v):\n    _seen[k] = v\n", encoding="utf-8")
    (package / "good.py").write_text(
        "import bleach\n# One per thread: see _pipeline().\n_cleaner = bleach.sanitizer.Cleaner()\n",
        encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["APP"]), "APP", package)
    problems = audit()
    assert len(problems) == 2, problems
    assert "bad.py:2" in problems[0] and "_cleaner" in problems[0]
    assert "'_seen' is changed by a function" in problems[1]
