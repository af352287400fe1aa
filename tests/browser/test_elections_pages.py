"""In a real browser: an organisation votes (ballot, review, password, receipt), and axe-core
finds no serious or critical problem on the election pages in each state."""
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.elections import services
from app.elections.models import CandidateState, ElectionState
from app.extensions import db
from tests.browser.conftest import (
    assert_no_sideways_scroll,
    browser_problems,
    check_axe,
    screenshot,
    sign_in,
)
from tests.conftest import PASSWORD
from tests.elections.factories import (
    World,
    end_voting_window,
    make_candidate,
    make_election,
    voting_election,
)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.shared_context]


@pytest.fixture
def world(app):
    return World()


def shot(page, name: str) -> None:
    screenshot(page, f"elections/{name}")


def test_an_organisation_votes_and_keeps_its_receipt(page, world):
    election = voting_election(world, candidates=3)
    sign_in(page, world.organisation.email)
    page.goto(f"/elections/{election.id}")
    check_axe(page)
    # Each click below loads a new page: wait for it before looking, or the assertion can read
    # the page being left (seen once in CI under load).
    with page.expect_navigation():
        page.locator("[data-voter=can-vote] a").click()
    check_axe(page)
    shot(page, "ballot")
    page.locator(".ballot-option input").nth(1).check()
    with page.expect_navigation():
        page.locator(".ballot-form button[type=submit]").click()
    assert page.locator(".ballot-review").is_visible()
    check_axe(page)
    page.locator("#password").fill("incorrecta-del-todo-1")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.locator("#password-error").is_visible()
    check_axe(page)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    code = page.locator("[data-receipt]").get_attribute("data-receipt")
    assert code and len(code) == 23
    check_axe(page)
    shot(page, "receipt")
    page.reload()
    assert page.locator("[data-receipt]").count() == 0  # shown once
    page.goto(f"/elections/{election.id}/receipt?code={code}")
    assert page.locator("[data-found=yes]").is_visible()
    check_axe(page)
    assert not browser_problems(page)


def test_election_pages_are_accessible_in_every_state(page, phone_page, world):
    nominating = make_election(world.committee, state=ElectionState.nominating,
                               nominations_in=timedelta(days=-1))
    person = make_user()
    make_candidate(nominating, world.organisation, person, state=CandidateState.pending)
    make_candidate(nominating, world.organisations[1], state=CandidateState.accepted)
    voting = voting_election(world)
    done = voting_election(world)
    a, b = sorted(services.ballot_options(done))
    services.cast_ballot(world.organisations[0], done, a, PASSWORD)
    services.cast_ballot(world.organisations[1], done, b, PASSWORD)
    end_voting_window(done)
    services.close_election(world.admin, done)
    services.publish_result(world.admin, done)
    draft = make_election(world.committee, min_participants=10)
    assert voting.state == ElectionState.voting and utcnow()

    for url in ("/elections/", f"/elections/{nominating.id}", f"/elections/{voting.id}",
                f"/elections/{voting.id}/box", f"/elections/{done.id}",
                f"/elections/{done.id}/box", f"/elections/{done.id}/receipt?code=x",
                f"/elections/{voting.id}/roll", f"/elections/{done.id}/roll"):
        page.goto(url)
        check_axe(page)
    shot(page, "receipt-check")
    # The whole box checked in the page: the browser recomputes the chain (Web Crypto) and says
    # so in plain words, with a link to the same check done by the server.
    page.goto(f"/elections/{done.id}/box")
    page.get_by_role("button", name="Comprobar toda la urna").click()
    verdict = page.locator("[data-box-check-output][data-verifies]")
    verdict.wait_for()
    assert verdict.get_attribute("data-verifies") == "yes", verdict.inner_text()
    assert "2 boletas" in verdict.inner_text()
    shot(page, "box-checked-in-browser")
    with page.expect_navigation():
        verdict.get_by_role("link").click()
    assert page.locator("[data-verifies=yes]").is_visible()
    check_axe(page)
    phone_page.goto(f"/elections/{done.id}")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)
    shot(phone_page, "result-phone")
    phone_page.goto(f"/elections/{done.id}/box")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)
    shot(phone_page, "box-phone")
    phone_page.goto(f"/elections/{done.id}/roll")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)

    sign_in(page, person.email)
    page.goto("/elections/nominations")
    check_axe(page)
    page.goto("/")
    page.context.clear_cookies()
    sign_in(page, world.organisations[2].email)
    page.goto(f"/elections/{nominating.id}/nominate")
    check_axe(page)
    page.context.clear_cookies()
    sign_in(page, world.admin.email)
    for url in ("/elections/new", f"/elections/{nominating.id}/manage",
                f"/elections/{nominating.id}/edit", f"/elections/{voting.id}/manage",
                f"/elections/{voting.id}/close", f"/elections/{draft.id}/agreement"):
        page.goto(url)
        check_axe(page)
    shot(page, "agreement")
    db.session.rollback()
    assert not browser_problems(page)
