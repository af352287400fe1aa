"""Security headers on every kind of response, cookie flags, CSRF, and no state change through GET."""
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests.conftest import login, login_through_form
from tests.conftest import test_config as base_config
from tests.factories import make_admin, make_user


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


@pytest.fixture
def responses(client):
    """One response of each kind: an HTML page, JSON, a static file, and error pages."""
    return {
        "html": client.get("/account/login"),
        "json": client.get("/healthz"),
        "static": client.get("/static/css/cocrea.css"),
        "not found": client.get("/no-such-page"),
        "method not allowed": client.get("/account/logout"),
        "csrf refused": client.post("/account/login", data={"email": "a@example.org"}),
        "problem json": client.get("/no-such-page", headers={"Accept": "application/json"}),
    }


def test_every_kind_of_response_gets_a_strict_content_security_policy(responses):
    for kind, response in responses.items():
        csp = csp_directives(response)
        assert csp.get("object-src") == ["'none'"], kind
        assert csp.get("base-uri") == ["'none'"], kind
        assert csp.get("frame-ancestors") == ["'none'"], kind
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts, kind
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, kind
        assert "*" not in scripts and "data:" not in scripts, kind


def test_every_kind_of_response_gets_nosniff_and_a_referrer_policy(responses):
    for kind, response in responses.items():
        assert response.headers.get("X-Content-Type-Options") == "nosniff", kind
        assert response.headers.get("Referrer-Policy") in (
            "strict-origin-when-cross-origin", "same-origin", "no-referrer", "strict-origin",
        ), kind


def test_error_responses_keep_their_status(responses):
    assert responses["not found"].status_code == 404
    assert responses["method not allowed"].status_code == 405
    assert responses["csrf refused"].status_code == 400
    assert responses["problem json"].mimetype == "application/problem+json"


def test_pages_carry_no_inline_script_or_style_that_the_policy_would_block(client, demo):
    admin = make_admin()
    pages = ["/", "/open-government", "/committees/municipio-durango", "/account/login",
             "/account/register", "/account/register/citizen", "/account/register/organisation",
             "/account/forgot-password"]
    logged_in = ["/account/profile", "/account/email", "/account/password", "/account/delete",
                 "/admin/", "/admin/organisations", "/admin/moderators"]
    for url in pages:
        _assert_no_inline_code(url, client.get(url))
    login(client, admin.email)
    for url in logged_in:
        _assert_no_inline_code(url, client.get(url))


class _InlineCodeFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts, handlers, styles."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"{name}= on <{tag}>" for name in names if name.startswith("on") or name == "style"]
        self.found += [
            f"javascript: URL on <{tag}>" for name, value in attrs
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:")
        ]


def _assert_no_inline_code(url, response):
    assert response.status_code == 200, url
    finder = _InlineCodeFinder()
    finder.feed(response.get_data(as_text=True))
    assert finder.found == [], url


# --- Cookies -----------------------------------------------------------------------------------


@pytest.mark.csrf
def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.get("/account/login")  # the CSRF token starts a session

    [cookie] = set_cookie_headers(response, "session")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_remember_cookie_is_httponly_and_samesite_lax(client):
    user = make_user()

    response = login_through_form(client, user.email, remember=True)

    [cookie] = set_cookie_headers(response, "remember_token")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def production_app(tmp_path):
    overrides = base_config("postgresql://postgres@127.0.0.1:9/unused", tmp_path)
    overrides.update(COCREA_ENV="production", TESTING=False)
    return create_app(overrides)


def test_cookies_are_secure_in_production(tmp_path):
    app = production_app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]

    with app.app_context():
        response = app.test_client().get("/account/login", base_url="https://cocrea.example.org")

    [cookie] = set_cookie_headers(response, "session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.csrf
def test_cookies_are_not_marked_secure_in_development(client):
    [cookie] = set_cookie_headers(client.get("/account/login"), "session")

    assert "Secure" not in cookie


# --- CSRF --------------------------------------------------------------------------------------


@pytest.mark.csrf
@pytest.mark.parametrize(
    "url, data",
    [
        ("/account/login", {"email": "x@example.org", "password": "whatever-password"}),
        ("/account/register/citizen", {"email": "x@example.org"}),
        ("/account/forgot-password", {"email": "x@example.org"}),
    ],
)
def test_post_without_a_csrf_token_is_refused(client, url, data):
    client.get("/")  # a session exists, so only the token is missing

    assert client.post(url, data=data).status_code == 400
    assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400


@pytest.mark.csrf
def test_an_anonymous_language_choice_needs_no_token_but_a_signed_in_one_does(client):
    """Anonymous pages carry no token, so they can be cached whole; a forged language change of a
    visitor is harmless. A signed-in person's choice is stored on the account: protected."""
    assert client.post("/language", data={"lang": "en"}).status_code == 302
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    user = make_user()
    login(client, user.email)
    assert client.post("/language", data={"lang": "es_MX"}).status_code == 400
    assert client.post("/language", data={"lang": "es_MX", "csrf_token": "forged"}).status_code == 400
    assert client.submit("/language", {"lang": "es_MX"}, page="/").status_code == 302


@pytest.mark.csrf
def test_logged_in_posts_without_a_csrf_token_are_refused(client):
    user = make_user()
    login(client, user.email)

    assert client.post("/account/logout").status_code == 400
    assert client.post("/account/delete", data={"current_password": "x", "confirm": "y"}).status_code == 400
    assert client.get("/account/profile").status_code == 200  # still logged in, not deleted


@pytest.mark.csrf
def test_csrf_token_of_another_session_is_refused(client, other_client):
    user = make_user()
    login(client, user.email)
    foreign_token = other_client.csrf_token("/account/login")

    response = client.post("/account/logout", data={"csrf_token": foreign_token})

    assert response.status_code == 400
    assert client.get("/account/profile").status_code == 200


# --- No state change through GET ---------------------------------------------------------------

# Endpoints that change state: they must accept POST only.
STATE_CHANGING = {
    "accounts.logout",
    "plans.set_language",
    "admin.decide_organisation",
    "admin.revoke_moderator",
}
# Links sent by mail must work with GET; they are signed, single-purpose and idempotent.
MAILED_LINKS = {"accounts.confirm", "accounts.confirm_email_change"}


def test_state_changing_endpoints_accept_no_get(app):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}

    for endpoint in STATE_CHANGING:
        assert endpoint in rules, f"{endpoint} is gone; update this list"
        assert rules[endpoint].methods & {"GET", "HEAD"} == set(), endpoint
        assert "POST" in rules[endpoint].methods, endpoint


def _table_snapshot() -> dict:
    db.session.expire_all()
    snapshot = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            snapshot[table.name] = sorted(repr(tuple(row)) for row in rows)
    return snapshot


def _get_urls(app) -> list[str]:
    """Every GET route, with its arguments filled from the demo plan (or made up)."""
    from app.commitments.models import Commitment
    from app.plans.models import Committee

    values = {
        "slug": db.session.scalar(sa.select(Committee.slug).limit(1)),
        "commitment_id": db.session.scalar(sa.select(Commitment.id).limit(1)),
        "token": "not-a-real-token",
        "filename": "css/cocrea.css",
    }
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {name: values.get(name, 1) for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **args))
    return urls


@pytest.mark.real_commits  # reads every table through its own connection (db.engine)
def test_no_get_request_changes_the_database(client, other_client, app, demo):
    admin = make_admin()
    login(client, admin.email)
    urls = _get_urls(app)
    assert len(urls) > 10
    before = _table_snapshot()

    for url in urls:
        for visitor in (client, other_client):
            assert visitor.get(url).status_code < 500, url

    assert _table_snapshot() == before
