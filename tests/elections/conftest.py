"""Fixtures of the election tests."""
import pytest

# The browser harness's fixtures, for tests/elections/test_browser.py.
from tests.browser.conftest import browser, live_server, page, phone_page  # noqa: F401
from tests.elections.factories import World


@pytest.fixture
def world(app):
    return World()
