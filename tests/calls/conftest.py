"""Fixtures of the calls tests: a world of actors around an open call, and an uploads directory."""
import pytest

from tests.calls.factories import World


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


@pytest.fixture(autouse=True)
def _own_uploads(uploads):
    """Every calls test stores its files in its own directory (tests/conftest.py: uploads)."""
    return uploads
