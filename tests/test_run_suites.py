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


@pytest.fixture
def collections(monkeypatch):
    calls = []
    monkeypatch.setattr(run_suites.subprocess, "run", lambda command, **kwargs: calls.append((command, kwargs)))
    return calls


def test_a_cold_whole_run_is_collected_once_first(tmp_path, collections):
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path)}, ["-x"])
    [(command, kwargs)] = collections
    assert command[1:] == ["-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"]
    assert kwargs["env"]["PYTHONPYCACHEPREFIX"] == str(tmp_path)


def test_a_warm_cache_or_a_chosen_part_is_not_collected_first(tmp_path, collections):
    path = _compiled_conftest(tmp_path)
    os.makedirs(os.path.dirname(path))
    open(path, "wb").close()
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path)}, [])
    run_suites.warm_compiled({"PYTHONPYCACHEPREFIX": str(tmp_path / "cold")}, ["tests/plans"])
    assert collections == []
