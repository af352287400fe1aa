"""make test's runner (tests/run_suites.py): the one collection that warms a cold cache."""
import os
import sys

import pytest

from tests import run_suites

# The runner's own logic, no database: once (tests/README.md).
pytestmark = pytest.mark.single_backend


def _compiled_conftest(prefix) -> str:
    tests = os.path.dirname(os.path.abspath(run_suites.__file__))
    name = f"conftest.{sys.implementation.cache_tag}-pytest-{pytest.__version__}.pyc"
    return os.path.join(str(prefix) + tests, name)


def test_a_cache_without_the_rewritten_conftest_is_cold(tmp_path):
    env = {"PYTHONPYCACHEPREFIX": str(tmp_path)}
    assert run_suites.compiled_tests_missing(env)
    path = _compiled_conftest(tmp_path)
    os.makedirs(os.path.dirname(path))
    open(path, "wb").close()
    assert not run_suites.compiled_tests_missing(env)


class _Started:
    """A collection process as warm_compiled starts it: what it was given, whether it was waited for."""

    def __init__(self, command, **kwargs):
        self.command, self.env, self.waited = command, kwargs["env"], False

    def wait(self):
        self.waited = True


@pytest.fixture
def collections(monkeypatch):
    started = []
    monkeypatch.setattr(run_suites.subprocess, "Popen",
                        lambda command, **kwargs: started.append(_Started(command, **kwargs)) or started[-1])
    return started


def test_a_cold_whole_run_is_collected_once_first_by_two_processes(tmp_path, collections):
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path)}, ["-x"])
    assert len(collections) == 2 and all(process.waited for process in collections)
    parts = []
    for process in collections:
        assert process.command[1:7] == ["-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"]
        assert process.env["PYTHONPYCACHEPREFIX"] == str(tmp_path)
        parts += process.command[7:]
    # Between them, every test folder and top-level test file of the suite, each once.
    tests = os.path.dirname(os.path.abspath(run_suites.__file__))
    expected = {os.path.join(tests, name) for name in os.listdir(tests)
                if name.startswith("test_") and name.endswith(".py")}
    for folder, _dirs, files in os.walk(tests):
        if folder != tests and any(f.startswith("test_") and f.endswith(".py") for f in files):
            expected.add(os.path.join(tests, os.path.relpath(folder, tests).split(os.sep)[0]))
    assert len(parts) == len(set(parts))
    assert expected <= set(parts)


def test_a_warm_cache_or_a_chosen_part_is_not_collected_first(tmp_path, collections):
    path = _compiled_conftest(tmp_path)
    os.makedirs(os.path.dirname(path))
    open(path, "wb").close()
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path)}, [])
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path / "cold")}, ["tests/plans"])
    assert collections == []
