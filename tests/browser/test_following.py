"""Following in a browser: a citizen follows a proposal from its page with JavaScript off, finds it
on the Following page (accessible at desktop and phone widths), and a reminder reaches them once
however many times the hourly command runs."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import clock
from app.core.mail import OutboxMessage
from app.core.uow import unit_of_work
from app.extensions import db
from app.follows import services as follows
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, log_in, screenshot
from tests.commitments.factories import make_proposal
from tests.factories import make_organisation, make_user
from tests.progress.factories import World, add_milestone, make_commitment

pytestmark = pytest.mark.browser


def test_a_citizen_follows_a_proposal_and_is_reminded_once(app, browser, live_server, page, phone_page):
    world = World()
    proposal = make_proposal(world.committee, make_organisation(), title="Bancas y sombra en la Plaza de Armas")
    citizen = make_user(email="sigue@example.org", name="Rosa Díaz")

    # JavaScript off: the button is a plain form that posts and comes back to the page.
    context = browser.new_context(base_url=live_server, locale="es-MX", java_script_enabled=False)
    plain = context.new_page()
    log_in(plain, citizen.email)
    plain.goto(f"/proposals/{proposal.reference}")
    assert plain.locator("#follow [data-followers]").get_attribute("data-followers") == "0"
    with plain.expect_navigation():
        plain.locator("#follow button[type=submit]").click()
    assert plain.url.endswith(f"/proposals/{proposal.reference}#follow")
    assert plain.locator("#follow [data-followers]").get_attribute("data-followers") == "1"
    assert plain.locator("#follow").get_attribute("data-following") == "true"
    context.close()

    # A followed commitment with a milestone overdue since two days: one reminder, however many runs.
    commitment = make_commitment(world, milestones=0, title="Parque lineal del Río Tunal")
    today = clock.today()
    add_milestone(commitment, starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=2))
    follows.follow(citizen, "commitment", commitment.id)
    db.session.commit()
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["reminders", "send"])
        assert result.exit_code == 0, result.output
    with unit_of_work():
        to_citizen = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == citizen.email)).all()
    assert len(to_citizen) == 1 and "Parque lineal del Río Tunal" in to_citizen[0].subject

    for p, width in ((page, "desktop"), (phone_page, "phone")):
        log_in(p, citizen.email)
        p.goto("/following/")
        assert p.locator("h1").count() == 1
        assert proposal.title in p.locator('[data-kind="proposal"]').inner_text()
        assert "Parque lineal" in p.locator('[data-kind="commitment"]').inner_text()
        screenshot(p, f"following-{width}")
        check_axe(p)
        assert_no_sideways_scroll(p)
