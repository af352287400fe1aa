"""Registration and profiles offer the current plan's municipalities: every test here has one."""
import pytest

from tests.factories import make_plan


@pytest.fixture(autouse=True)
def current_plan_with_places():
    return make_plan()  # its catalogue: tests.factories.PLACES
