"""Fixtures of the commitments tests."""
import pytest

from tests.commitments.factories import World


@pytest.fixture
def world(app):
    return World()
