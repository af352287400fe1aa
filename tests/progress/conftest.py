"""Fixtures of the progress tests: a world of people, and an uploads directory per test."""
import pytest

from tests.progress.factories import World


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


