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


calls_waited: list = []  # the fake processes started, to see that each was waited for


class _Started:
    def __init__(self, calls, command, kwargs):
        calls.append((command, kwargs))
        self.waited = False
        calls_waited.append(self)

    def wait(self):
        self.waited = True


@pytest.fixture
def collections(monkeypatch):
    calls = []
    calls_waited.clear()
    monkeypatch.setattr(run_suites.subprocess, "Popen",
                        lambda command, **kwargs: _Started(calls, command, kwargs))
    return calls


def test_a_cold_whole_run_is_collected_once_first_by_two_processes(tmp_path, collections):
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path)}, ["-x"])
    assert len(collections) == 2 and all(started.waited for started in calls_waited)
    parts = []
    for command, kwargs in collections:
        assert command[1:7] == ["-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"]
        assert kwargs["env"]["PYTHONPYCACHEPREFIX"] == str(tmp_path)
        parts += command[7:]
    # Between them, every test folder and top-level test file of the suite, each once.
    tests = os.path.dirname(os.path.abspath(run_suites.__file__))
    expected = {os.path.join(tests, name) for name in os.listdir(tests)
                if name.startswith("test_") and name.endswith(".py")}
    for folder, _dirs, files in os.walk(tests):
        if folder != tests and any(f.startswith("test_") and f.endswith(".py") for f in files):
            expected.add(os.path.join(tests, os.path.relpath(folder, tests).split(os.sep)[0]))
    assert len(parts) == len(set(parts))
    assert expected <= set(parts)
    assert os.path.join(tests, "browser") in parts and os.path.join(tests, "test_demo.py") in parts


def test_a_warm_cache_or_a_chosen_part_is_not_collected_first(tmp_path, collections):
    path = _compiled_conftest(tmp_path)
    os.makedirs(os.path.dirname(path))
    open(path, "wb").close()
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path)}, [])
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path / "cold")}, ["tests/plans"])
    assert collections == []
