"""Login and logout: one message for every failure, lockout, remember me, session renewal,
idle timeout and rate limits."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.conftest import PASSWORD, login_through_form
from tests.factories import make_user

# The login form as a browser posts it: with the token from the page.
pytestmark = pytest.mark.csrf

FAILURE = "The email or password is not correct, or the account is temporarily locked"


def in_english(client) -> None:
    assert client.submit("/language", {"lang": "en"}, page="/").status_code == 302


def is_logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def page_without_tokens(response) -> str:
    """The page with CSRF tokens and echoed input blanked, so two answers can be compared."""
    return re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True))


def lock(client, app, email) -> None:
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        assert login_through_form(client, email, "not-the-password-at-all").status_code == 400


# --- Success and failure -----------------------------------------------------------------------


def test_right_password_logs_in_and_redirects_home(client):
    user = make_user()

    response = login_through_form(client, user.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)


def test_email_is_matched_whatever_its_case(client):
    make_user(email="lucia@example.org")

    assert login_through_form(client, "  LUCIA@Example.org ").status_code == 302


def test_welcome_message_escapes_a_hostile_name(client):
    user = make_user()

    login_through_form(client, user.email)
    html = client.get("/").get_data(as_text=True)

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_wrong_password_unknown_email_and_locked_account_answer_alike(client, app):
    user = make_user(email="real@example.org")
    locked = make_user(email="locked@example.org")
    lock(client, app, locked.email)
    in_english(client)

    wrong = login_through_form(client, "real@example.org", "not-the-password-at-all")
    unknown = login_through_form(client, "ghost@example.org", PASSWORD)
    locked_right = login_through_form(client, "locked@example.org", PASSWORD)

    assert wrong.status_code == unknown.status_code == locked_right.status_code == 400
    assert FAILURE in wrong.get_data(as_text=True)
    assert page_without_tokens(wrong) == page_without_tokens(unknown) == page_without_tokens(locked_right)
    assert not is_logged_in(client)
    db.session.refresh(user)
    assert user.failed_logins == 1


def test_next_page_is_followed_only_when_it_is_local(client):
    user = make_user()
    local = client.submit("/account/login?next=/account/profile",
                          {"email": user.email, "password": PASSWORD})
    assert local.headers["Location"] == "/account/profile"

    client.post("/account/logout", data={"csrf_token": client.csrf_token("/")})
    for target in ("//evil.example.org/", "https://evil.example.org/", "/\\evil.example.org",
                   "/%09/evil.example.org", "javascript:alert(1)"):
        response = client.submit(f"/account/login?next={target}",
                                 {"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == "/", target
        client.post("/account/logout", data={"csrf_token": client.csrf_token("/")})


def test_logout_ends_the_session(client):
    user = make_user()
    login_through_form(client, user.email)

    response = client.submit("/account/logout", page="/")

    assert response.status_code == 302
    assert not is_logged_in(client)


def test_logout_refuses_get(client):
    user = make_user()
    login_through_form(client, user.email)

    assert client.get("/account/logout").status_code == 405
    assert is_logged_in(client)


# --- Lockout -----------------------------------------------------------------------------------


def test_account_locks_after_the_threshold_even_for_the_right_password(client, app):
    user = make_user()
    lock(client, app, user.email)

    assert login_through_form(client, user.email, PASSWORD).status_code == 400
    assert not is_logged_in(client)
    db.session.refresh(user)
    assert user.locked_until > utcnow() + timedelta(seconds=app.config["LOCKOUT_SECONDS"] - 60)
    subjects = db.session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.recipient == user.email)
    ).all()
    assert len(subjects) == 1 and "/account/forgot-password" in subjects[0]


def test_failures_below_the_threshold_do_not_lock(client, app):
    user = make_user()
    for _ in range(app.config["LOCKOUT_THRESHOLD"] - 1):
        login_through_form(client, user.email, "not-the-password-at-all")

    assert login_through_form(client, user.email, PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_account_unlocks_after_the_lockout_period(client, app, monkeypatch):
    user = make_user()
    lock(client, app, user.email)
    later = utcnow() + timedelta(seconds=app.config["LOCKOUT_SECONDS"] + 1)
    monkeypatch.setattr(services, "utcnow", lambda: later)

    assert login_through_form(client, user.email, PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.locked_until is None


def test_lockout_counts_failures_not_clients(client, other_client, app):
    """An attacker cannot avoid the lockout by spreading guesses over several sessions."""
    user = make_user()
    for n in range(app.config["LOCKOUT_THRESHOLD"]):
        login_through_form(client if n % 2 else other_client, user.email, "not-the-password-at-all")

    assert login_through_form(client, user.email, PASSWORD).status_code == 400


# --- Remember me and session renewal -----------------------------------------------------------


def test_remember_me_sets_a_lasting_cookie(client):
    user = make_user()
    login_through_form(client, user.email, remember=True)

    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.expires is not None


def test_without_remember_me_no_lasting_cookie_is_set(client):
    user = make_user()
    login_through_form(client, user.email)

    assert client.get_cookie("remember_token") is None


def test_remember_cookie_restores_the_login_after_the_browser_closes(client):
    user = make_user()
    login_through_form(client, user.email, remember=True)
    client.delete_cookie("session")

    assert is_logged_in(client)


def test_login_starts_a_new_session(client):
    user = make_user()
    client.get("/account/login")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "x"
    before = client.get_cookie("session").value

    login_through_form(client, user.email)

    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
    assert client.get_cookie("session").value != before


def test_login_keeps_the_chosen_language(client):
    user = make_user()
    user.locale = None
    db.session.commit()
    in_english(client)

    login_through_form(client, user.email)

    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


# --- Idle timeout ------------------------------------------------------------------------------


@pytest.fixture
def short_idle_timeout(monkeypatch, app):
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_SECONDS", 300)
    return 300


def test_idle_session_is_logged_out(client, clock, short_idle_timeout):
    user = make_user()
    login_through_form(client, user.email)
    assert is_logged_in(client)

    clock(short_idle_timeout + 5)

    assert not is_logged_in(client)
    assert not is_logged_in(client)


def test_idle_timeout_applies_even_with_no_request_after_login(client, clock, short_idle_timeout):
    user = make_user()
    login_through_form(client, user.email)

    clock(short_idle_timeout + 5)

    assert not is_logged_in(client)


def test_idle_logout_keeps_the_language_of_the_user(client, clock, short_idle_timeout):
    user = make_user()
    user.locale = "en"
    db.session.commit()
    login_through_form(client, user.email)

    clock(short_idle_timeout + 5)
    response = client.get("/account/profile", follow_redirects=True)

    assert response.request.path == "/account/login"
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Your session ended after a period of inactivity" in html


def test_activity_keeps_the_session_alive(client, clock, short_idle_timeout):
    user = make_user()
    login_through_form(client, user.email)
    for _ in range(3):
        clock(short_idle_timeout - 100)
        assert is_logged_in(client)


def test_remembered_session_is_not_cut_by_the_idle_timeout(client, clock, short_idle_timeout):
    user = make_user()
    login_through_form(client, user.email, remember=True)

    clock(short_idle_timeout + 5)

    assert is_logged_in(client)


# --- Rate limits -------------------------------------------------------------------------------


def test_login_attempts_are_rate_limited_with_a_clear_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")
    in_english(client)
    for _ in range(3):
        assert login_through_form(client, "ghost@example.org", "whatever-password").status_code == 400

    response = login_through_form(client, "ghost@example.org", "whatever-password")

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers
    assert response.mimetype == "text/html"
    # Reading the form is not limited; only attempts are.
    assert client.get("/account/login").status_code == 200


@pytest.mark.parametrize(
    "setting, url, data",
    [
        ("RATELIMIT_REGISTER", "/account/register/citizen", {"email": "x"}),
        ("RATELIMIT_RESET", "/account/forgot-password", {"email": "nadie@example.org"}),
        ("RATELIMIT_RESET", "/account/confirm", {"email": "nadie@example.org"}),
    ],
)
def test_registration_and_reset_are_rate_limited(client, app, monkeypatch, setting, url, data):
    monkeypatch.setitem(app.config, setting, "2 per hour")
    for _ in range(2):
        assert client.submit(url, data).status_code in (302, 400)

    assert client.submit(url, data).status_code == 429
