"""No stored-XSS payload in any text field of issue 3 runs in the browser; each shows as text.

Each payload goes into every free text (proposal title, description and place, its answers,
withdrawal reason and merge answer, comments and report details, table title, objective, place
and cancellation reason, minutes summary, agreements, outcomes and correction reason, hide and
block reasons, names of people and organisations), and every page that shows them is visited. The pages are opened with the Content-Security-Policy *bypassed*: the policy
would stop inline script anyway, and this test is about escaping, which must hold without it.
The policy header itself is checked on every page.
"""

import pytest

from tests.browser.conftest import DESKTOP, close_context, new_context, sign_in
from tests.browser.participation_data import (
    FACILITATOR_EMAIL,
    SUPPORTER_EMAIL,
    TROLL_EMAIL,
    build_world,
)

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    '<a href="javascript:window.__xss=1">x</a>',
    '<iframe src="javascript:window.__xss=1">',
    "<javascript:window.__xss=1>",
    "'><details open ontoggle=window.__xss=1>",
]

# Elements and attributes that can run script. The pages' own are only scripts loaded from the
# app's files (static/js, the Leaflet assets); nothing inline.
FIND_INJECTED = """() => {
  const found = [];
  const own = /^\\/(static\\/js|assets\\/leaflet)\\/[\\w.\\/-]+\\.js$/;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' && own.test(el.getAttribute('src') || '') && !el.textContent.trim()) {
      continue;
    }
    if (['script', 'iframe', 'frame', 'object', 'embed'].includes(tag)) {
      found.push(el.outerHTML.slice(0, 120));
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on') || value.startsWith('javascript:')) {
        found.push(`<${tag} ${attr.name}="${attr.value}">`);
      }
    }
  }
  return found;
}"""


class Visitor:
    """A browser with the CSP bypassed and every dialog and page error recorded. One serves the
    whole module (a context costs about half a second): `become` clears its cookies and the
    records before each person's visits."""

    def __init__(self, browser, live_server):
        self.context = new_context(browser, live_server, viewport=DESKTOP, bypass_csp=True)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog):
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def become(self, email: str | None = None) -> "Visitor":
        """An anonymous visitor (no cookies), or signed in as `email`."""
        self.page.goto("about:blank")
        self.context.clear_cookies()
        self.dialogs.clear()
        self.errors.clear()
        if email is not None:
            sign_in(self.page, email)
        return self

    def visit(self, path: str):
        """Open a page and check that nothing ran and nothing was injected."""
        response = self.page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "object-src 'none'" in csp, f"{path}: CSP {csp!r}"
        self.page.wait_for_load_state("load")
        assert self.page.evaluate("window.__xss") is None, f"a payload ran on {path}"
        assert not self.dialogs, f"a dialog opened on {path}: {self.dialogs}"
        assert not self.errors, f"page errors on {path}: {self.errors}"
        injected = self.page.evaluate(FIND_INJECTED)
        assert not injected, f"{path} holds injected markup: {injected}"
        return self.page

    def close(self):
        close_context(self.context)


@pytest.fixture(scope="module")
def visitor(browser, live_server):
    made = Visitor(browser, live_server)
    yield made
    made.close()


def shows(page, selector: str, text: str) -> None:
    """`text` is read, as text, inside the first element that `selector` finds."""
    shown = page.locator(selector).first.inner_text()
    assert text in shown, f"{text!r} is not shown as text in {selector} of {page.url}:\n{shown}"


def test_the_check_catches_a_payload_that_runs(visitor):
    """Guard for the test itself: with the CSP bypassed, injected markup does run and is seen."""
    visitor.become()
    visitor.page.set_content('<p>hola</p><img src=x onerror="window.__xss=1">')
    visitor.page.wait_for_function("window.__xss === 1")
    assert visitor.page.evaluate(FIND_INJECTED)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_stored_payload_runs_on_any_page_of_issue_3(visitor, payload):
    world = build_world(mark=payload)
    t = world.texts
    ref = world.proposal.reference
    proposal_path = f"/proposals/{ref}"
    table_path = f"/tables/{world.table.id}"
    p = payload

    anonymous = visitor.become()
    page = anonymous.visit("/proposals/")
    item = f"li[data-reference='{ref}']"
    shows(page, f"{item} h3", t["title"])
    shows(page, f"{item} .proposal-meta", t["author"])
    by_organisation = page.locator(f"li.proposal-item:has-text({_css_text(t['organisation'])})")
    assert by_organisation.count() == 2, "the organisation's own and the merged one"

    page = anonymous.visit(proposal_path)
    assert p in page.title()
    shows(page, "h1", t["title"])
    shows(page, "dl.facts", t["place"])
    shows(page, "dl.facts", t["author"])
    shows(page, ".proposal-body", p)
    shows(page, ".proposal-answers li[data-to-state=under_review]", t["answer"])
    shows(page, ".proposal-answers li[data-to-state=under_review]", t["facilitator"])
    shows(page, ".proposal-answers li[data-to-state=in_dialogue]", t["table_title"])
    shows(page, ".proposal-answers li[data-to-state=in_dialogue]", t["note"])
    shows(page, ".comment-thread", t["comment"])
    shows(page, ".comment-thread", t["supporter"])
    shows(page, ".comment-thread", t["organisation"])
    shows(page, f"#comment-{world.reply.id}", t["reply"])
    shows(page, f"#comment-{world.reply.id} .comment-author", t["author"])
    shows(page, f"#comment-{world.hidden_comment.id} .comment-placeholder", t["hide_reason"])
    assert t["hidden_comment"] not in page.locator("main").inner_text(), "hidden text stays out"
    shows(page, ".proposal-merged-from", t["duplicate_title"])

    page = anonymous.visit(f"/proposals/{world.merged.reference}")
    shows(page, ".proposal-merged-into", t["title"])
    shows(page, ".proposal-answers li[data-to-state=merged]", t["merge_answer"])

    page = anonymous.visit(f"/proposals/{world.withdrawn.reference}")
    shows(page, ".proposal-withdrawn", t["withdraw_reason"])

    page = anonymous.visit(f"{proposal_path}/versions")
    shows(page, "#version-1", t["title_v1"])
    shows(page, "#version-1", t["place"])
    shows(page, "#version-2 .prose", p)

    page = anonymous.visit(table_path)
    assert p in page.title()
    shows(page, "h1", t["table_title"])
    shows(page, ".table-place", t["table_place"])
    shows(page, "section[aria-labelledby=objective-title]", t["table_objective"])
    shows(page, ".agenda-list", t["title"])
    shows(page, ".minutes-summary", t["summary"])
    shows(page, ".minutes-agreements", p)
    shows(page, ".outcomes dd", t["outcome"])
    shows(page, ".minutes-versions", t["correction_reason"])
    shows(page, ".minutes-versions", t["facilitator"])

    page = anonymous.visit(f"/tables/{world.cancelled_table.id}")
    shows(page, ".cancellation-reason", t["cancel_reason"])

    page = anonymous.visit("/tables/")
    shows(page, "main", t["table_title"])
    shows(page, "main", t["upcoming_title"])
    shows(page, "main", t["cancelled_title"])

    page = anonymous.visit("/moderation/log")
    log = "table.audit-log"
    for key in ("hide_reason", "block_reason", "facilitator", "troll", "title", "answer",
                "merge_answer", "cancel_reason", "correction_reason"):
        shows(page, log, t[key])

    facilitator = visitor.become(FACILITATOR_EMAIL)
    page = facilitator.visit(f"/moderation/committee/{world.committee.id}")
    for key in ("reported", "report_details", "reporter", "troll_comment", "troll",
                "hidden_comment", "hide_reason"):
        shows(page, "main", t[key])
    page = facilitator.visit(table_path)
    for key in ("author", "supporter", "organisation"):
        shows(page, "section[aria-labelledby=registrations-title] table", t[key])
    page = facilitator.visit(f"{table_path}/agenda")
    shows(page, ".agenda-list", t["title"])
    page = facilitator.visit(proposal_path)
    assert page.locator(".facilitator-panel").count() == 1

    supporter = visitor.become(SUPPORTER_EMAIL)
    page = supporter.visit("/notifications/")
    notifications = page.locator(".notification-list").inner_text()
    for key in ("title", "author", "table_title"):
        assert t[key] in notifications, f"{key} is not shown in the notifications"
    page = supporter.visit(f"/comments/{world.reply.id}/reply")
    shows(page, ".breadcrumb", t["title"])
    shows(page, ".comment-quote", t["reply"])
    shows(page, ".comment-quote", t["author"])

    # The blocked account is told why on every page: the reason stays text there too.
    troll = visitor.become(TROLL_EMAIL)
    page = troll.visit(proposal_path)
    shows(page, ".banner-blocked", t["block_reason"])
    shows(page, "[data-blocked]", t["block_reason"])


def _css_text(text: str) -> str:
    """A quoted string for Playwright's :has-text(), with quotes and backslashes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
