"""Who may reach what: every route of `app.url_map` × GET/POST × the seven roles, compared with
the table below. A new route without a rule fails here until someone says who may use it."""
import fnmatch
import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import FormClient, login
from tests.security.world import (
    ROLES,
    World,
    build_url,
    minimal_forms,
    query_strings,
    routes,
    url_values,
)

# HTTP only: the same on both databases; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

# What a cell may answer. "ok": the permission let the request through (a 400 for an empty form
# or a 409 for the object's state is fine); "login": sent to sign in; "deny": 403 or 404.
OK, LOGIN, DENY, FORBIDDEN, NOT_FOUND = "ok", "login", "deny", "403", "404"

A, CI, OR, AU, FA, OF, AD = ROLES


def _table(default: str, **cells: str) -> dict[str, str]:
    return {role: cells.get(role, default) for role in ROLES}


PUBLIC = _table(OK)
SIGNED_IN = _table(OK, anonymous=LOGIN)
ADMIN_ONLY = _table(FORBIDDEN, anonymous=LOGIN, admin=OK)
# Facilitators of the object's committee, and admins; the facilitator of another committee is refused.
FACILITATORS = _table(FORBIDDEN, anonymous=LOGIN, facilitator=OK, admin=OK)
# Pages for any facilitator (the committee is chosen on the page).
ANY_FACILITATOR = _table(FORBIDDEN, anonymous=LOGIN, facilitator=OK, other_facilitator=OK, admin=OK)
AUTHOR_ONLY = _table(FORBIDDEN, anonymous=LOGIN, author=OK)
ORGANISATION_ONLY = _table(FORBIDDEN, anonymous=LOGIN, organisation=OK)
# A draft commitment does not exist for anyone but its committee's facilitators and admins.
DRAFT = _table(NOT_FOUND, facilitator=OK, admin=OK)

# Endpoint patterns (fnmatch, several separated by spaces) → per-method expectations; "*" applies
# to both methods. The first matching entry wins. Wildcards only cover areas where every route
# follows one rule (admin pages, public reads); elsewhere each endpoint is named, so that a new
# route fails here until someone writes down who may use it.
EXPECTED: list[tuple[str, dict]] = [
    # Accounts: the forms of an anonymous visitor are open to all; the account's own pages need it.
    ("accounts.confirm", {"*": PUBLIC}),
    ("accounts.confirm_email_change", {"*": SIGNED_IN}),
    ("accounts.reset_password", {"*": PUBLIC}),
    ("accounts.login", {"*": PUBLIC}),
    # The second step of a login: without a first step pending, back to the first.
    ("accounts.login_two_factor", {"*": SIGNED_IN}),
    ("accounts.logout", {"*": PUBLIC}),
    ("accounts.check_email", {"*": PUBLIC}),
    ("accounts.forgot_password", {"*": PUBLIC}),
    ("accounts.register*", {"*": PUBLIC}),
    ("accounts.resend_confirmation", {"*": PUBLIC}),
    ("accounts.change_email accounts.change_password accounts.delete_account accounts.export_data "
     "accounts.profile accounts.end_other_sessions accounts.signed_in_sessions accounts.end_one_session "
     "accounts.two_factor accounts.two_factor_enable "
     "accounts.two_factor_disable accounts.two_factor_recovery_codes", {"*": SIGNED_IN}),
    ("admin.*", {"*": ADMIN_ONLY}),
    ("places.*", {"*": ADMIN_ONLY}),
    ("api.show_item", {"*": PUBLIC}),
    ("api.*", {"*": PUBLIC}),
    # Maps: Leaflet's files, and the maps of proposals and commitments, are public reads.
    ("maps.*", {"*": PUBLIC}),
    ("proposals.map commitments.map", {"*": PUBLIC}),
    # Calls: the guarantor body publishes and decides; verified organisations apply.
    ("calls.apply", {"*": ORGANISATION_ONLY}),
    ("calls.mine", {"*": SIGNED_IN}),
    ("calls.index", {"*": PUBLIC}),
    ("calls.show", {"*": PUBLIC}),
    ("calls.registry*", {"*": PUBLIC}),
    ("calls.applications calls.document calls.edit calls.new calls.decide", {"*": ADMIN_ONLY}),
    # Comments on proposals: anyone signed in comments; only the author edits and deletes.
    ("comments.edit", {"*": AUTHOR_ONLY}),
    ("comments.delete", {"*": AUTHOR_ONLY}),
    ("comments.post_on_proposal comments.reply", {"*": SIGNED_IN}),
    # Commitments: the world's commitment is a draft (withdraw is tried on a published one).
    ("commitments.index", {"*": PUBLIC}),
    ("commitments.show", {"*": DRAFT}),
    ("commitments.versions", {"*": DRAFT}),
    ("commitments.diff", {"*": DRAFT}),
    ("commitments.new commitments.edit commitments.publish commitments.withdraw", {"*": FACILITATORS}),
    # Consultations: the consulted commitment's window is open.
    ("consultations.show", {"*": PUBLIC}),
    ("consultations.report", {"*": PUBLIC}),
    ("consultations.comment", {"*": SIGNED_IN}),
    ("consultations.reply", {"*": SIGNED_IN}),
    ("consultations.answer consultations.open_window consultations.close_window", {"*": FACILITATORS}),
    ("dashboard.*", {"*": PUBLIC}),
    # Dialogue tables: public pages; facilitators run them; anyone signed in registers.
    ("dialogues.index", {"*": PUBLIC}),
    ("dialogues.show", {"*": PUBLIC}),
    ("dialogues.calendar", {"*": PUBLIC}),
    ("dialogues.create", {"*": ANY_FACILITATOR}),
    ("dialogues.register", {"*": SIGNED_IN}),
    ("dialogues.unregister", {"*": SIGNED_IN}),
    ("dialogues.agenda dialogues.attendance dialogues.cancel dialogues.edit dialogues.minutes",
     {"*": FACILITATORS}),
    # Elections: the world's election takes nominations; the author is the nominated person.
    ("elections.index", {"*": PUBLIC}),
    ("elections.show", {"*": PUBLIC}),
    ("elections.box", {"*": PUBLIC}),
    ("elections.roll", {"*": PUBLIC}),
    ("elections.box_json", {"*": PUBLIC}),
    ("elections.box_check", {"*": PUBLIC}),
    ("elections.receipt", {"*": PUBLIC}),
    ("elections.verifier_source", {"*": PUBLIC}),
    # Nothing recorded yet: no agreement, no ballot receipt to download.
    ("elections.agreement_record", {"*": _table(NOT_FOUND)}),
    ("elections.receipt_file", {"*": _table(NOT_FOUND, anonymous=LOGIN)}),
    ("elections.my_nominations", {"*": SIGNED_IN}),
    ("elections.voted", {"*": SIGNED_IN}),
    ("elections.accept", {"*": AUTHOR_ONLY}),
    ("elections.decline", {"*": AUTHOR_ONLY}),
    ("elections.nominate", {"*": ORGANISATION_ONLY}),
    ("elections.vote", {"*": ORGANISATION_ONLY}),
    ("elections.confirm_vote", {"*": ORGANISATION_ONLY}),
    ("elections.create elections.edit elections.manage elections.open_nominations "
     "elections.validate_candidate elections.reject_candidate elections.open_voting elections.close "
     "elections.publish elections.agreement elections.publish_agreement", {"*": ADMIN_ONLY}),
    # Records: the world's document is minutes of the first committee; the Declaratoria exists.
    ("documents.index documents.show documents.download documents.declaration", {"*": PUBLIC}),
    ("documents.new", {"*": ANY_FACILITATOR}),
    ("documents.new_version documents.edit", {"*": FACILITATORS}),
    ("documents.record_declaration documents.add_signatory", {"*": ADMIN_ONLY}),
    ("announcements.index announcements.show", {"*": PUBLIC}),
    ("announcements.manage announcements.new announcements.edit announcements.publish "
     "announcements.unpublish", {"*": ADMIN_ONLY}),
    # Newsletters: the guarantor body writes and sends; anyone may open an unsubscribe link, and
    # the world's token is forged (a clear page, 400); each person chooses for themselves.
    ("newsletters.unsubscribe newsletters.unsubscribe_confirm", {"*": _table("400")}),
    ("newsletters.preference", {"*": SIGNED_IN}),
    ("newsletters.*", {"*": ADMIN_ONLY}),
    ("developers.*", {"*": PUBLIC}),
    ("feeds.*", {"*": PUBLIC}),
    ("health.*", {"*": PUBLIC}),
    ("legal.*", {"*": PUBLIC}),
    # Moderation: the log is public; queues and decisions belong to the committee's facilitators.
    ("moderation.log", {"*": PUBLIC}),
    ("moderation.index", {"*": ANY_FACILITATOR}),
    # Reporting: anyone signed in, about someone else's content.
    ("moderation.report", {"*": _table(OK, anonymous=LOGIN, author=FORBIDDEN)}),
    ("moderation.committee_queue moderation.hide moderation.restore moderation.dismiss "
     "moderation.block", {"*": FACILITATORS}),
    # Notifications: the world's notification is addressed to the author.
    ("notifications.read", {"*": _table(DENY, anonymous=LOGIN, author=OK)}),
    ("notifications.index notifications.preferences notifications.read_all", {"*": SIGNED_IN}),
    ("opendata.*", {"*": PUBLIC}),
    ("plans.panel", {"*": SIGNED_IN}),  # one's own panel
    ("plans.*", {"*": PUBLIC}),
    # Following: anyone signed in follows what they can read, and sees their own Following page.
    ("follows.*", {"*": SIGNED_IN}),
    # Reminders: the signed link stands for the person; a made-up one is refused to everyone.
    ("reminders.unsubscribe reminders.unsubscribe_confirm", {"*": _table(NOT_FOUND)}),
    ("reminders.unsubscribed", {"*": PUBLIC}),
    ("plans_admin.*", {"*": ADMIN_ONLY}),
    ("profiles.*", {"*": PUBLIC}),
    # Progress of the published commitment: its facilitators report, anyone signed in follows.
    ("progress.commitment", {"*": PUBLIC}),
    ("progress.evidence", {"*": PUBLIC}),
    ("progress.report progress.status", {"*": FACILITATORS}),
    # Who drafts and who checks (issue 16): the committee's facilitators name officials and
    # publish or return their reports (no role of the table is an official); the titular seat
    # (held by the organisation) confirms or disputes; a dispute is answered by the facilitators.
    ("progress.officials progress.end_official progress.waiting progress.publish_report "
     "progress.return_report progress.answer", {"*": FACILITATORS}),
    ("progress.review", {"*": ORGANISATION_ONLY}),
    # Revising a returned report: only its author, an official (no role of the table is one).
    ("progress.revise", {"*": _table(FORBIDDEN, anonymous=LOGIN)}),
    ("progress.mine", {"*": SIGNED_IN}),
    # Each published plan's public ledger and its download: anyone.
    ("ledger.*", {"*": PUBLIC}),
    ("standards.*", {"*": PUBLIC}),
    # The evaluation: anyone reads it and downloads the evidence pack; the titular seat (the
    # organisation) gives its opinion; the committee's facilitators record the self-assessment.
    ("evaluation.commitment evaluation.evidence_pack", {"*": PUBLIC}),
    ("evaluation.opinion", {"*": ORGANISATION_ONLY}),
    ("evaluation.assessment", {"*": FACILITATORS}),
    # The committees' sessions: public to read; recorded by the committee's facilitators.
    ("meetings.index meetings.show", {"*": PUBLIC}),
    ("meetings.new meetings.add_agreement meetings.complete meetings.minutes", {"*": FACILITATORS}),
    # Proposals: the author edits and withdraws, but may not support their own proposal.
    ("proposals.index", {"*": PUBLIC}),
    ("proposals.show", {"*": PUBLIC}),
    ("proposals.versions", {"*": PUBLIC}),
    ("proposals.attachment proposals.attachment_thumbnail", {"*": PUBLIC}),
    ("proposals.remove_attachment", {"*": AUTHOR_ONLY}),
    ("proposals.similar_list", {"*": SIGNED_IN}),
    ("proposals.new", {"*": SIGNED_IN}),
    ("proposals.support", {"*": _table(OK, anonymous=LOGIN, author=FORBIDDEN)}),
    ("proposals.unsupport", {"*": SIGNED_IN}),
    ("proposals.edit", {"*": AUTHOR_ONLY}),
    ("proposals.withdraw", {"*": AUTHOR_ONLY}),
    ("proposals.change_state proposals.merge", {"*": FACILITATORS}),
    # The site-wide search: public content only, for everyone alike.
    ("search.results", {"*": PUBLIC}),
    ("transparency.*", {"*": PUBLIC}),
]

# POSTs that change the world for the requests after them run last, in this order.
LAST = ("comments.delete", "proposals.remove_attachment", "elections.decline", "accounts.end_one_session", "accounts.end_other_sessions",
        "accounts.logout")


def expected(endpoint: str, method: str, role: str) -> str | None:
    for patterns, by_method in EXPECTED:
        if any(fnmatch.fnmatchcase(endpoint, p) for p in patterns.split()):
            table = by_method.get(method) or by_method.get("*")
            return table[role] if table else None
    return None


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and \
        urlsplit(response.headers.get("Location", "")).path == "/account/login"


def matches(outcome: str, method: str, role: str, response) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if outcome == LOGIN:
        # A POST may also simply refuse an anonymous visitor.
        return is_login_redirect(response) or status == 401 or (method == "POST" and status == 403)
    if outcome == OK:
        return status not in (401, 403, 404) and not is_login_redirect(response)
    if outcome == DENY:
        return status in (403, 404)
    return str(status) == outcome


def _heading(body: str) -> str:
    """The error page's title, so that a mismatch says why without rerunning."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return match.group(1).strip()[:100] if match else ""


def ordered(app):
    """GETs first, then POSTs; those that delete, decline or sign out at the very end."""
    def key(item):
        rule, method = item
        last = LAST.index(rule.endpoint) if rule.endpoint in LAST and method == "POST" else -1
        return (method == "POST", last)

    return sorted(routes(app), key=key)


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once; each role's crawl is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, world, role):
    client = FormClient(app.test_client())
    world.attachment_files()
    user = world.user(role)
    if user is not None:
        assert login(client, user.email).status_code == 302
    token = client.csrf_token("/account/login" if user is None else "/account/profile")
    values, query, forms = url_values(world), query_strings(world), minimal_forms(world)
    mismatches, cells = [], 0
    for rule, method in ordered(app):
        url = build_url(app, rule, values, query)
        outcome = expected(rule.endpoint, method, role)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, **forms.get(rule.endpoint, {})})
        # Read as text only what is text (the evidence pack is a ZIP); the body only names a mismatch.
        body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
        response.close()
        cells += 1
        if outcome is None:
            mismatches.append(f"{method} {rule.endpoint} ({rule.rule}): new route without a rule "
                              f"in EXPECTED (answered {response.status_code})")
        elif not matches(outcome, method, role, response):
            where = response.headers.get("Location", "") or _heading(body)
            mismatches.append(f"{method} {url} [{rule.endpoint}]: expected {outcome}, got "
                              f"{response.status_code} {where}".rstrip())
    print(f"authorisation matrix, {role}: {cells} (route, method, role) cells checked")
    assert not mismatches, f"{role}: {len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)


def test_every_pattern_of_the_table_names_some_route(app):
    """A pattern left behind by a renamed route would silently stop protecting anything."""
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    stale = [p for entry, _ in EXPECTED for p in entry.split() if not fnmatch.filter(endpoints, p)]
    assert not stale, f"patterns matching no route: {stale}"


def test_a_route_missing_from_the_table_is_reported():
    assert expected("brand_new.area_page", "GET", "admin") is None
    assert expected("proposals.brand_new_action", "POST", "admin") is None
    assert expected("admin.index", "GET", "citizen") == FORBIDDEN
    assert expected("moderation.block", "POST", "other_facilitator") == FORBIDDEN
