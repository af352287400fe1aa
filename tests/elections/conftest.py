"""Fixtures of the election tests."""
import pytest

from tests.elections.factories import World


@pytest.fixture
def world(app):
    return World()
