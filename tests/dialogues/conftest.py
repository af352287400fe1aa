"""Fixtures of the dialogue tables tests."""
import pytest

from tests.dialogues.factories import World


@pytest.fixture
def world(app):
    return World()
