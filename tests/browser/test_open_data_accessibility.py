"""axe-core and phone width on the open-data, transparency, profile, privacy and call pages."""
import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.calls.models import Call
from app.extensions import db
from app.plans.models import Committee
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, screenshot

pytestmark = pytest.mark.browser


def _pages() -> list[str]:
    call_id = db.session.scalar(sa.select(Call.id).order_by(Call.id))
    committee = db.session.scalar(sa.select(Committee.slug).order_by(Committee.id))
    organisation = db.session.scalar(sa.select(User.id).where(User.role == Role.organisation).order_by(User.id))
    return [
        "/open-data/", "/open-data/proposals/", "/open-data/ballots/", "/transparency/",
        f"/transparency/committees/{committee}", f"/people/{organisation}", "/privacy",
        "/calls/", f"/calls/{call_id}", f"/calls/{call_id}/registry",
    ]


def test_open_government_pages_are_accessible_on_desktop_and_phone(page, phone_page, demo):
    for path in _pages():
        for viewer, label in ((page, "desktop"), (phone_page, "phone")):
            response = viewer.goto(path)
            assert response.status == 200, path
            check_axe(viewer)
            if label == "phone":
                assert_no_sideways_scroll(viewer)
        screenshot(page, "open-gov" + path.replace("/", "_").rstrip("_"))
