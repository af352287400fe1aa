"""Browser harness: Debian's Chromium through Playwright, the app on a loopback port, and axe-core."""

import os
import shutil
import warnings
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, require_service

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # One renderer process per site within a browser context, as Chromium did before strict site
    # isolation: the pages are all the live server's, and a new process for each navigation cost
    # Chromium's start-up work each time (598 renderer processes for tests/browser, 222 with
    # these two; about 6% less of Chromium's CPU and 8-15% less wall for the folder). Contexts
    # still never share a process, so cookies and storage stay apart as before.
    "--disable-site-isolation-trials",
    "--process-per-site",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# Full-page screenshots, for a human to look at, are taken only when COCREA_SHOTS_DIR names a folder
# (`make shots`): each costs Chromium about a second of CPU, some 50 of them a minute of the suite's
# two cores, and no test looks at them.
SHOTS_DIR = os.environ.get("COCREA_SHOTS_DIR", "")
SHOTS = Path(SHOTS_DIR) if SHOTS_DIR else None

# Console errors and refused requests per page: a CSP violation or a missing asset shows up here.
_problems: dict = {}
# The live server's address per browser context (`sign_in` gives its cookies to that address).
_base_urls: dict = {}


# Debian's Chromium, in the form that costs least: its headless shell (package
# chromium-headless-shell: the same Chromium, built without the desktop browser's windows, in the
# "old" headless mode that Playwright itself uses for headless runs) when installed, or the
# desktop browser (package chromium) in its new headless mode. Same version, same Blink; the
# shell took 218 busy core-seconds for tests/browser against 310 for the desktop browser (-n 2,
# SQLite, the 2-core machine, the same hour, every test passing with each): per navigation its
# browser process did less than half the desktop browser's work, its renderer about two thirds
# (tests/README.md, the ninth session's measurements).
CHROMIUM_NAMES = ("chromium-headless-shell", "chromium", "chromium-browser")


def find_chromium() -> str | None:
    """COCREA_CHROMIUM if set (a path), else the first of CHROMIUM_NAMES installed."""
    chosen = os.environ.get("COCREA_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        require_service(
            "Chromium is not installed, so the browser and accessibility tests cannot run "
            "(Debian: apt-get install -y chromium-headless-shell, or chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Never let Playwright download a browser: always the system's Chromium.
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


# The map tiles' server is outside (config MAP_TILE_URL): these machines reach no network, so
# every page gets a transparent tile instead (tests/browser/test_maps.py plays offline itself).
TILE_REQUESTS = "https://tile.openstreetmap.org/**"


def _empty_tile() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (256, 256)).save(buffer, "PNG")
    return buffer.getvalue()


EMPTY_TILE = _empty_tile()


def new_context(browser, live_server, **options):
    """A browser context in Mexican Spanish on the live server (close it with `close_context`)."""
    context = browser.new_context(base_url=live_server, locale="es-MX", **options)
    _base_urls[context] = live_server
    return context


def close_context(context) -> None:
    _base_urls.pop(context, None)
    context.close()


def _new_page(browser, live_server, viewport):
    context = new_context(browser, live_server, viewport=viewport)
    context.set_default_timeout(10_000)
    context.route(TILE_REQUESTS, lambda route: route.fulfill(status=200, content_type="image/png",
                                                             body=EMPTY_TILE))
    page = context.new_page()
    problems = _problems[page] = []

    def on_console(msg):
        # A page answered with 400 or 404 on purpose is logged as "Failed to load resource";
        # failing assets are caught by on_response instead.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console error: {msg.text}")

    def on_response(response):
        # Pages answer 400 or 404 on purpose; a server error or a missing asset never is.
        if response.status >= 500 or (
            response.status >= 400 and response.request.resource_type != "document"
        ):
            problems.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    def on_request_failed(request):
        # Requests cut short by the next navigation are aborted; that is not a fault of the page.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"request failed ({request.failure}): {request.url}")

    page.on("requestfailed", on_request_failed)
    return context, page


class _ReusedPage:
    """One context and page of a module's tests (marker `shared_context`), reset before each test:
    a blank document, no cookies, no recorded problems, the fixture's viewport."""

    def __init__(self, browser, live_server, viewport):
        self.viewport = viewport
        self.context, self.page = _new_page(browser, live_server, viewport)

    def reset(self):
        self.page.goto("about:blank")  # what the last test's page still does ends here
        self.context.clear_cookies()
        self.page.set_viewport_size(self.viewport)
        _problems[self.page].clear()
        return self.page

    def close(self):
        _problems.pop(self.page, None)
        close_context(self.context)


@pytest.fixture(scope="module")
def _module_pages(browser, live_server):
    made = {}
    yield lambda viewport: made.get(viewport["width"]) or made.setdefault(
        viewport["width"], _ReusedPage(browser, live_server, viewport))
    for reused in made.values():
        reused.close()


def _page_for(request, browser, live_server, viewport):
    if request.node.get_closest_marker("shared_context") is not None:
        # A module whose tests need no fresh context: a context costs 0.35-0.55 s to make.
        yield request.getfixturevalue("_module_pages")(viewport).reset()
        return
    context, page = _new_page(browser, live_server, viewport)
    yield page
    _problems.pop(page, None)
    close_context(context)


@pytest.fixture
def page(request, browser, live_server):
    """A fresh context (cookies, storage) per test, in Mexican Spanish, at desktop width; with the
    marker `shared_context`, one context per module, its cookies cleared before each test."""
    yield from _page_for(request, browser, live_server, DESKTOP)


@pytest.fixture
def phone_page(request, browser, live_server):
    """Like `page`, at a phone's width."""
    yield from _page_for(request, browser, live_server, PHONE)


def browser_problems(page) -> list[str]:
    return list(_problems.get(page, []))


def assert_no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at this width"


# axe-core as the axe-playwright-python package ships it (read once, when that module is imported).
# It is run here directly rather than through that package's `Axe().run`, which evaluated the
# whole 570 kB script again before every check, even in a document that already had it, and sent
# back every rule's result (passes and inapplicable rules included) only for violations to be read:
# the browser folder took about 4% less CPU (349-355 against 364-369 core-seconds).
_AXE_RUN = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map((n) => ({target: n.target, failureSummary: n.failureSummary}))}));
}"""


def check_axe(page) -> None:
    """Fail listing every axe-core violation of impact serious or critical on the current page.

    Also fails on console errors (a refused inline style or script, a missing asset), since those
    mean the page does not look or work as it does in the templates.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    serious = page.evaluate(_AXE_RUN, {"resultTypes": ["violations"]})
    lines = []
    for violation in serious:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
    problems = browser_problems(page)
    assert not serious and not problems, (
        f"Accessibility check of {page.url} failed.\n"
        + (
            f"{len(serious)} serious/critical axe violation(s):\n" + "\n".join(lines) + "\n"
            if serious
            else ""
        )
        + ("Browser problems:\n" + "\n".join(problems) if problems else "")
    )


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form, as a person would, and wait for the redirect."""
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    if page.url.endswith("/account/login/two-factor"):  # an account with two-factor authentication
        from tests.conftest import next_totp_code

        page.locator("#code").fill(next_totp_code(email))
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
    assert "/account/login" not in page.url, f"login as {email} failed: still on {page.url}"
    status = navigation.value.status if navigation.value else None
    assert status == 200, f"after logging in, {page.url} answered {status}"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in without the form, for tests about the pages behind it: the server-side session is
    opened as a successful form login opens it (tests.conftest.login_as: session row, login record,
    welcome message) and its cookies are given to the page's context. Costs no page load; a login
    through the form costs three (the form, its answer, the page it redirects to). When the form
    would refuse this email and password, the form is used, so that the refusal is the form's.
    The journeys and the tests of logging in keep `log_in`, the real form."""
    from flask import current_app

    from tests.conftest import _accepts_password, login_as

    user = _accepts_password(email, password)
    if user is None:
        log_in(page, email, password)
        return
    client = current_app.test_client()
    login_as(client, user)
    cookies = [{"name": cookie.key, "value": cookie.value, "url": _base_urls[page.context]}
               for cookie in client._cookies.values()]
    assert cookies, f"no session cookie for {email}"
    page.context.add_cookies(cookies)


def screenshot(page, name: str) -> Path | None:
    """A full-page screenshot in SHOTS, for a human to look at, when COCREA_SHOTS_DIR is set;
    returns its path (None when screenshots are off)."""
    if SHOTS is None:
        return None
    path = SHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as exc:
        # Chromium can refuse a full-page capture on a machine under heavy load ("Unable to capture
        # screenshot"). The picture is for a human; the page's checks are the test: say so, go on.
        warnings.warn(f"screenshot {name} not taken: {exc}", stacklevel=2)
    return path
