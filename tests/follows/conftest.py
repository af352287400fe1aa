"""Fixtures of the following tests: a world with one thing of each followable kind."""
import pytest

from tests.follows.factories import World


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)
