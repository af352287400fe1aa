"""The empty installation, in a real browser: from a database holding only the guarantor body's
admin account (made by `flask users create-admin`), a plan that is not Durango's is set
up through the pages alone — plan, phases, committees, territory, theme, facilitator, publication
—, a call is published, an organisation registers, applies and is approved, an election is run to
a published result, and a citizen of one of the plan's municipalities proposes a problem.

The test writes no row itself (the first admin is made by the command); it only reads the mail outbox for the
confirmation links and the database to check what the pages did. The clock of the app (the live
server runs in this process) is moved forward once, from the nomination window to the voting one.
"""
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.calls.models import ApplicationStatus, CallApplication
from app.core import clock
from app.core.mail import OutboxMessage
from app.elections.models import Election, ElectionState
from app.extensions import db
from app.proposals.models import Proposal
from tests.browser.conftest import (
    PHONE,
    _new_page,
    _problems,
    assert_no_sideways_scroll,
    check_axe,
    log_in,
    screenshot,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "organo.garante@izai.example.mx"
FACILITATOR = ("Lucía Robles Ávila", "lucia.robles@example.org")
CITIZEN = ("Tomás Herrera Villa", "tomas.herrera@example.org")
ORGANISATION = ("Colectivo Ciudadano de Fresnillo A.C.", "Marta Ibarra Solís", "contacto@colectivo.example.org")
PLAN_NAME = "Primer Plan de Acción Local de Zacatecas"
# municipality,locality,committee (slug): the territory the guarantor body imports.
TERRITORY = "municipality,locality,committee\nZacatecas,,capital\nGuadalupe,,capital\nFresnillo,,fresnillo\n"


@pytest.fixture
def moved_clock():
    """The app's clock, moved forward by `move(timedelta)` for the server thread too."""
    shift = [timedelta(0)]
    with clock.use(lambda: datetime.now(UTC) + shift[0]):
        yield lambda delta: shift.__setitem__(0, shift[0] + delta)


@pytest.fixture
def open_page(browser, live_server):
    """Other people's browsers: separate contexts, with their own cookies."""
    opened = []

    def opener(viewport=None):
        context, page = _new_page(browser, live_server, viewport or {"width": 1280, "height": 900})
        opened.append((context, page))
        return page

    yield opener
    for context, page in opened:
        _problems.pop(page, None)
        context.close()


# ---------------------------------------------------------------- small steps

def _submit(page, selector: str = "main form button[type=submit]") -> None:
    """Click the button and wait for the page it leads to, which must not be a refusal."""
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    status = navigation.value.status if navigation.value else None
    assert status == 200 and page.locator(".error-summary").count() == 0, (
        f"{page.url} answered {status}:\n{page.locator('main').inner_text()}")


def _local(moment: datetime) -> str:
    return clock.utc_to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _day(offset_days: int) -> str:
    return (clock.today() + timedelta(days=offset_days)).isoformat()


def _flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def _mail_link(recipient: str, path: str) -> str:
    """The link of `path` in the last message queued for `recipient` (reading the outbox)."""
    db.session.rollback()  # see what the server committed
    body = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.recipient == recipient)
                              .order_by(OutboxMessage.id.desc())).first()
    match = re.search(rf"https?://[^/\s]+({path}\S+)", body or "")
    assert match, f"no {path} link in the mail to {recipient}:\n{body}"
    return match.group(1)


def _checklist(page) -> dict[str, bool]:
    steps = page.locator(".setup-checklist .setup-step")
    return {steps.nth(i).locator("a").inner_text(): "setup-done" in steps.nth(i).get_attribute("class")
            for i in range(steps.count())}


PUBLIC_PAGES = ("/", "/proposals/", "/calls/", "/documents/", "/elections/", "/commitments/",
                "/news/", "/declaratoria", "/open-data/", "/plans/", "/privacy")


def walk_public_pages(page, extra: tuple[str, ...] = ()) -> None:
    """Every page of the main menu and the footer answers, and the footer names no one else's body."""
    for path in PUBLIC_PAGES + extra:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        assert "Durango" not in page.locator("body").inner_text(), path


def create_the_plan(page) -> str:
    page.goto("/admin/")
    check_axe(page)
    steps = _checklist(page)
    assert len(steps) == 8 and not any(steps.values()), steps  # nothing done yet
    screenshot(page, "empty-admin-before-desktop")
    with page.expect_navigation():
        page.locator("main a[href='/admin/plans/new']").first.click()
    check_axe(page)
    for field, value in (("name", PLAN_NAME), ("jurisdiction", "Zacatecas"), ("period", "2027–2029"),
                         ("reference_prefix", "ZAC"), ("slug", "zacatecas-2027"),
                         ("description", "El plan de la Alianza para el Gobierno Abierto en Zacatecas."),
                         ("guarantor_name", "Instituto Zacatecano de Transparencia"),
                         ("guarantor_email", "gobierno.abierto@izai.example.mx"),
                         ("guarantor_address", "Av. Universidad 113, Zacatecas, Zac.")):
        page.locator(f"#{field}").fill(value)
    _submit(page)
    assert re.search(r"/admin/plans/\d+/$", page.url), page.url
    return page.url


def add_phase(page, kind: str, starts: int, ends: int, proposals: bool) -> None:
    page.locator("#phases summary").click()
    page.locator("#phase-kind").select_option(kind)
    page.locator("#phase-starts_on").fill(_day(starts))
    page.locator("#phase-ends_on").fill(_day(ends))
    if proposals:
        page.locator("#phase-accepts_proposals").check()
    _submit(page, "#phases form.form button[type=submit]")


def add_committee(page, setup_url: str, name: str, slug: str, scope: str) -> str:
    page.goto(setup_url)
    page.locator("#committees summary").click()
    page.locator("#committee-name").fill(name)
    page.locator("#committee-scope").fill(scope)
    page.locator("#committee-slug").fill(slug)
    _submit(page, "#committees form.form button[type=submit]")
    assert "/admin/plans/committees/" in page.url  # on to its members and facilitators
    return page.url


def import_territory(page, setup_url: str) -> str:
    page.goto(setup_url)
    with page.expect_navigation():
        page.locator(".section-tabs a[href$='/places/']").click()
    with page.expect_navigation():
        page.locator("main a[href$='/places/import']").click()
    check_axe(page)
    page.locator("#text").fill(TERRITORY)
    _submit(page, "main form[enctype] button[type=submit]")
    assert "3" in _flash(page)
    return page.url


def add_theme(page, setup_url: str) -> None:
    page.goto(setup_url)
    page.locator("#themes summary").click()
    page.locator("#theme-name").fill("Agua y saneamiento")
    page.locator("#theme-description").fill("Abasto, calidad del agua y drenaje.")
    _submit(page, "#themes form.form button[type=submit]")


def publish_the_plan(page, setup_url: str) -> None:
    page.goto(setup_url)
    _submit(page, "#publish form[action$='/publish'] button")
    assert page.locator("h1 .badge-current").count() == 1


def register_citizen(page, name: str, email: str, municipality: str) -> None:
    page.goto("/account/register/citizen")
    options = page.locator("#municipality option").all_inner_texts()
    assert municipality in options and "Durango" not in options, options
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#municipality").select_option(municipality)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#accept_terms").check()
    _submit(page)
    assert page.url.endswith("/account/check-email")
    page.goto(_mail_link(email, "/account/confirm/"))
    assert "/account/login" in page.url


def register_organisation(page) -> None:
    legal_name, contact, email = ORGANISATION
    page.goto("/account/register/organisation")
    page.locator("#legal_name").fill(legal_name)
    page.locator("#sector").select_option(index=1)
    page.locator("#municipality").select_option("Fresnillo")
    page.locator("#contact_person").fill(contact)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#accept_terms").check()
    _submit(page)
    page.goto(_mail_link(email, "/account/confirm/"))
    assert "/account/login" in page.url


def make_facilitator(page, committee_url: str, email: str) -> None:
    page.goto(committee_url)
    page.locator("#facilitators #email").fill(email)
    _submit(page, "#facilitators form.form button[type=submit]")
    assert email in page.locator("#facilitators").inner_text()


def publish_call(page, committee_name: str) -> str:
    page.goto("/admin/")  # the checklist's missing step leads to the form
    with page.expect_navigation():
        page.locator(".setup-checklist .setup-missing a").click()
    check_axe(page)
    page.locator("#title").fill("Convocatoria para integrar el Comité de Fresnillo")
    page.locator("#body").fill("Bases de la convocatoria.\n\n- Tener domicilio en el municipio.")
    page.locator("#declarations").fill("No tenemos conflicto de interés")
    page.get_by_label(committee_name, exact=True).check()
    now = clock.now()
    page.locator("#opens_at").fill(_local(now - timedelta(minutes=5)))
    page.locator("#closes_at").fill(_local(now + timedelta(days=10)))
    _submit(page)
    check_axe(page)  # the review step
    _submit(page, 'button[name="publish"]')
    assert re.search(r"/calls/\d+$", page.url), page.url
    return page.url


def verify_organisation(page) -> None:
    page.goto("/admin/organisations")
    form = page.locator("form.org-decision").first
    form.locator("input[value=verify]").check()
    form.locator("textarea[name=reason]").fill("Acta constitutiva revisada.")
    _submit(page, "form.org-decision button[type=submit]")


def apply_to_call(page, call_url: str) -> None:
    page.goto(call_url + "/apply")
    for box in page.locator("input[name=committee_ids], input[name=declarations]").all():
        box.check()
    _submit(page)


def approve_application(page, call_url: str) -> None:
    page.goto(call_url)
    with page.expect_navigation():
        page.locator("main a[href$='/applications']").click()
    check_axe(page)
    form = page.locator("form.decision-form").first
    form.locator("input[value=approve]").check()
    _submit(page, "form.decision-form button[type=submit]")
    db.session.rollback()
    assert db.session.scalars(sa.select(CallApplication.status)).all() == [ApplicationStatus.approved]


def create_election(page, committee_id: str, call_id: str) -> str:
    page.goto("/elections/")
    with page.expect_navigation():
        page.locator("main a[href='/elections/new']").click()
    check_axe(page)
    page.locator("#committee_id").select_option(committee_id)
    page.locator("#call_id").select_option(call_id)
    page.locator("#seats").select_option("titular")
    now = clock.now()
    page.locator("#nominations_open_at").fill(_local(now - timedelta(minutes=5)))
    page.locator("#nominations_close_at").fill(_local(now + timedelta(minutes=10)))
    page.locator("#voting_opens_at").fill(_local(now + timedelta(minutes=10)))
    page.locator("#voting_closes_at").fill(_local(now + timedelta(days=2)))
    page.locator("#min_participants").fill("1")
    _submit(page)
    election_id = re.search(r"/elections/(\d+)", page.url).group(1)
    page.goto(f"/elections/{election_id}/manage")
    _submit(page, f"form[action='/elections/{election_id}/open-nominations'] button")
    return election_id


def nominate(page, election_id: str, name: str, email: str) -> None:
    page.goto(f"/elections/{election_id}/nominate")
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#bio").fill("Vecino de Fresnillo, promotor del comité de agua de su colonia.")
    page.locator("#statement").fill("Llevaré al comité las necesidades de agua de las colonias.")
    _submit(page)


def vote(page, election_id: str) -> None:
    page.goto(f"/elections/{election_id}")
    with page.expect_navigation():
        page.locator("[data-voter=can-vote] a").click()
    page.locator(".ballot-option input").first.check()
    _submit(page, ".ballot-form button[type=submit]")
    page.locator("#password").fill(PASSWORD)
    _submit(page)
    assert page.locator("[data-receipt]").count() == 1


def close_and_publish(page, election_id: str) -> None:
    page.goto(f"/elections/{election_id}/close")
    page.locator("#reason").fill("La única organización del padrón ya votó.")
    _submit(page)
    page.goto(f"/elections/{election_id}/publish")
    page.locator("#term_start").fill(_day(0))
    _submit(page)


def propose(page, committee_id: str) -> str:
    page.goto("/proposals/new")
    assert page.locator("#committee_id").input_value() == committee_id, "the citizen's committee is preselected"
    page.locator("#title").fill("Falta agua potable en la colonia Centro de Fresnillo")
    page.locator("#body").fill("Desde marzo el agua llega dos días a la semana.")
    page.locator("#theme_id").select_option(label="Agua y saneamiento")
    _submit(page)  # the preview (issue 14), then publishing
    with page.expect_navigation():
        page.locator("main form.preview-actions button[value=publish]").click()
    return _flash(page)


def shots(page, name: str, urls: dict[str, str]) -> None:
    for label, url in urls.items():
        page.goto(url)
        screenshot(page, f"empty-{label}-{name}")
        assert_no_sideways_scroll(page)


# ---------------------------------------------------------------- the journey

def test_a_plan_of_another_jurisdiction_is_set_up_and_run_through_the_pages(
        page, open_page, moved_clock):
    from flask import current_app

    # The installation's first account, made by the command the README gives.
    made = current_app.test_cli_runner().invoke(args=[
        "users", "create-admin", ADMIN, "--name", "Órgano Garante de Zacatecas", "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    anonymous = open_page()
    walk_public_pages(anonymous)

    # --- The guarantor body sets up the plan: data, phases, committees, territory, theme.
    log_in(page, ADMIN)
    setup_url = create_the_plan(page)
    check_axe(page)
    add_phase(page, "call", -3, 20, proposals=True)
    add_phase(page, "cocreation", 21, 90, proposals=False)
    capital_url = add_committee(page, setup_url, "Comité de la Zona Capital", "capital",
                                "Zacatecas y Guadalupe")
    fresnillo_url = add_committee(page, setup_url, "Comité de Fresnillo", "fresnillo", "Fresnillo")
    check_axe(page)
    places_url = import_territory(page, setup_url)
    check_axe(page)
    add_theme(page, setup_url)

    # --- A person registers (the draft plan's catalogue is offered: nothing is published yet)
    # and becomes both committees' facilitator; then the plan is published.
    people = open_page()
    register_citizen(people, *FACILITATOR, municipality="Zacatecas")
    for committee_url in (capital_url, fresnillo_url):
        make_facilitator(page, committee_url, FACILITATOR[1])
    publish_the_plan(page, setup_url)
    check_axe(page)
    page.goto("/admin/")
    steps = _checklist(page)
    missing = [label for label, done in steps.items() if not done]
    assert len(steps) == 8 and len(missing) == 1 and "onvocatoria" in missing[0], steps

    # --- The call, for the Fresnillo committee; an organisation applies and is approved.
    call_url = publish_call(page, "Comité de Fresnillo")
    page.goto("/admin/")
    assert all(_checklist(page).values()), _checklist(page)
    organisation = open_page()
    register_organisation(organisation)
    verify_organisation(page)
    log_in(organisation, ORGANISATION[2])
    apply_to_call(organisation, call_url)
    approve_application(page, call_url)

    # --- A citizen of Fresnillo registers: the nominee, and later the author of a proposal.
    citizen = open_page()
    register_citizen(citizen, *CITIZEN, municipality="Fresnillo")
    log_in(citizen, CITIZEN[1])

    # --- The election: nominations now, the voting window ten minutes later.
    fresnillo_id = re.search(r"/committees/(\d+)/", fresnillo_url).group(1)
    call_id = re.search(r"/calls/(\d+)$", call_url).group(1)
    election_id = create_election(page, fresnillo_id, call_id)
    nominate(organisation, election_id, *CITIZEN)
    citizen.goto("/elections/nominations")
    _submit(citizen, "form[action$='/accept'] button")
    page.goto(f"/elections/{election_id}/manage")
    _submit(page, "form[action$='/validate'] button")
    moved_clock(timedelta(minutes=11))
    page.goto(f"/elections/{election_id}/manage")
    _submit(page, f"form[action='/elections/{election_id}/open-voting'] button")
    vote(organisation, election_id)
    close_and_publish(page, election_id)
    page.goto("/committees/fresnillo")
    check_axe(page)
    assert CITIZEN[0] in page.locator("main").inner_text(), "the elected titular is on the committee's page"

    # --- The citizen proposes a problem: the plan's prefix, his committee preselected.
    message = propose(citizen, fresnillo_id)
    assert re.search(r"ZAC-\d{4}-\d{4}", message), message

    walk_public_pages(anonymous, ("/committees/fresnillo", f"/elections/{election_id}",
                                  "/plans/zacatecas-2027/"))
    db.session.rollback()
    assert db.session.scalars(sa.select(Election.state)).all() == [ElectionState.published]
    [proposal] = db.session.scalars(sa.select(Proposal)).all()
    assert proposal.reference.startswith("ZAC-") and str(proposal.committee_id) == fresnillo_id

    # --- The set-up pages at desktop and phone width (looked at by a person: /tmp/shots).
    admin_pages = {"admin": "/admin/", "setup": setup_url, "places": places_url}
    for url in admin_pages.values():
        page.goto(url)
        check_axe(page)
    shots(page, "desktop", admin_pages)
    phone = open_page(PHONE | {"width": 390, "height": 844})
    log_in(phone, ADMIN)
    shots(phone, "phone", admin_pages)
