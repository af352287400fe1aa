"""Fixtures of the reminders tests."""
import pytest

from tests.reminders.factories import World


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)
