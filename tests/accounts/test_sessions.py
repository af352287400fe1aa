"""Session security: a new session at login, the absolute timeout, logging out of every other
session, logout that also forgets the remember-me cookie, and re-authentication."""

import pytest
import sqlalchemy as sa

from app.accounts import session_store
from app.accounts.models import UserSession
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.extensions import db
from tests.conftest import PASSWORD, login_through_form
from tests.factories import make_user
from tests.querycount import count_queries


@pytest.fixture
def short_absolute(monkeypatch, app):
    """A 20-minute absolute limit under the 30-minute idle one, so only the absolute one can act."""
    monkeypatch.setitem(app.config, "ABSOLUTE_SESSION_SECONDS", 20 * 60)
    monkeypatch.setitem(app.config, "REMEMBER_ABSOLUTE_SESSION_SECONDS", 60 * 60)


def is_logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def stay_active(client, clock, seconds: int, step: int = 5 * 60) -> None:
    """Use the site every few minutes, so the idle timeout never applies."""
    for _ in range(seconds // step):
        clock(step)
        client.get("/account/profile")


def test_default_limits_are_twelve_hours_and_thirty_days(app):
    from app.config import load_config

    cfg = load_config(app.instance_path, {"SECRET_KEY": "x" * 40})

    assert cfg["ABSOLUTE_SESSION_SECONDS"] == 12 * 3600
    assert cfg["REMEMBER_ABSOLUTE_SESSION_SECONDS"] == 30 * 24 * 3600
    assert cfg["TWO_FACTOR_REQUIRED_ROLES"] == ["admin", "moderator"]


def test_login_opens_a_server_side_session_in_a_new_cookie_session(client):
    user = make_user()
    client.get("/account/login")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "x"

    login_through_form(client, user.email)

    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        token = session["_user_id"]
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.token_hash == session_store.token_hash(token)
    assert token not in (str(user.id), row.token_hash)  # the cookie holds neither id nor hash
    assert abs((row.created_at - utcnow()).total_seconds()) < 60
    assert row.ended_at is None


def test_an_active_session_still_ends_at_the_absolute_limit(client, clock, short_absolute):
    user = make_user()
    login_through_form(client, user.email)

    stay_active(client, clock, 15 * 60)
    assert is_logged_in(client)
    stay_active(client, clock, 10 * 60)

    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    with client.session_transaction() as session:
        flashes = [message for _kind, message in session.get("_flashes", [])]
    assert any("maximum length" in m or "duración máxima" in m for m in flashes)


def test_remember_me_sessions_last_longer_but_not_forever(client, clock, short_absolute):
    user = make_user()
    login_through_form(client, user.email, remember=True)

    clock(25 * 60)
    assert is_logged_in(client)

    clock(40 * 60)
    assert not is_logged_in(client)
    assert not is_logged_in(client)  # the remember-me cookie does not bring it back


def test_the_absolute_limit_counts_from_the_login_not_the_password_change(client, clock, short_absolute):
    user = make_user()
    login_through_form(client, user.email)
    stay_active(client, clock, 15 * 60)

    client.submit("/account/password", {"current_password": PASSWORD,
                                        "password": "otra-frase-de-nopal-y-cantera-77",
                                        "password_confirm": "otra-frase-de-nopal-y-cantera-77"})
    stay_active(client, clock, 10 * 60)

    assert not is_logged_in(client)


def test_logout_also_forgets_the_remember_me_cookie(client):
    user = make_user()
    login_through_form(client, user.email, remember=True)

    client.submit("/account/logout", page="/account/profile")

    assert not is_logged_in(client)
    assert client.get_cookie("remember_token") is None


def test_log_out_of_every_other_session_keeps_this_one(client, other_client, app):
    user = make_user()
    third = type(client)(app.test_client())
    login_through_form(client, user.email)
    login_through_form(other_client, user.email)
    login_through_form(third, user.email, remember=True)

    page = client.get("/account/profile").get_data(as_text=True)
    response = client.submit("/account/sessions/end-others", page="/account/profile")

    assert 'action="/account/sessions/end-others"' in page
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_client)
    assert not is_logged_in(third)
    assert not is_logged_in(third)  # its remember-me cookie is void too
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.sessions_ended"))
    assert entry is not None and entry.target_id == user.id and not entry.public


def test_log_out_everywhere_keeps_a_remember_me_session_remembered(client):
    user = make_user()
    login_through_form(client, user.email, remember=True)

    client.submit("/account/sessions/end-others", page="/account/profile")
    client.delete_cookie("session")  # the browser closed

    assert is_logged_in(client)


@pytest.mark.csrf
def test_log_out_everywhere_needs_a_login_and_a_token(client):
    user = make_user()
    assert client.post("/account/sessions/end-others").status_code in (302, 400)
    login_through_form(client, user.email)

    assert client.post("/account/sessions/end-others").status_code == 400  # no CSRF token
    assert client.get("/account/sessions/end-others").status_code == 405


def test_password_change_asks_for_the_current_password(client, other_client):
    user = make_user()
    login_through_form(client, user.email)
    login_through_form(other_client, user.email)

    response = client.submit("/account/password", {"current_password": "not-my-password-at-all",
                                                    "password": "otra-frase-de-nopal-y-cantera-77",
                                                    "password_confirm": "otra-frase-de-nopal-y-cantera-77"})

    assert response.status_code == 400
    assert is_logged_in(other_client)


def test_the_session_guards_add_no_queries_as_data_grows(client):
    user = make_user()
    login_through_form(client, user.email)
    db.session.expire_all()  # the test shares the requests' session: start both counts cold
    with count_queries() as few:
        client.get("/account/profile")
    for _ in range(20):
        make_user()
    db.session.expire_all()
    with count_queries() as many:
        client.get("/account/profile")

    assert len(many) == len(few)


# --- sessions that end on the server -----------------------------------------------------------


def copy_cookies(source, target, *names) -> None:
    """What an attacker who read the cookies would do: set the same values in another browser."""
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        target.set_cookie(name, cookie.value)


def test_a_copied_session_cookie_stops_working_at_logout(client, other_client):
    user = make_user()
    login_through_form(client, user.email)
    copy_cookies(client, other_client, "session")
    assert is_logged_in(other_client)  # the copy works while the session is open

    client.submit("/account/logout", page="/account/profile")

    assert not is_logged_in(other_client)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_at is not None and row.end_reason == "logout"


def test_a_copied_remember_me_cookie_stops_working_at_logout(client, other_client):
    user = make_user()
    login_through_form(client, user.email, remember=True)
    copy_cookies(client, other_client, "remember_token")
    assert is_logged_in(other_client)  # restored from the copied cookie alone

    client.submit("/account/logout", page="/account/profile")

    assert not is_logged_in(other_client)
    assert not is_logged_in(other_client)


def test_the_remember_me_cookie_never_outlives_the_absolute_limit(app, client):
    from app.config import load_config

    assert app.config["REMEMBER_COOKIE_DURATION"] <= app.config["REMEMBER_ABSOLUTE_SESSION_SECONDS"]
    cfg = load_config(app.instance_path, {"SECRET_KEY": "x" * 40, "REMEMBER_COOKIE_DURATION": 90 * 86400,
                                          "REMEMBER_ABSOLUTE_SESSION_SECONDS": 7 * 86400})
    assert cfg["REMEMBER_COOKIE_DURATION"] == 7 * 86400

    user = make_user()
    response = login_through_form(client, user.email, remember=True)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.remember
    lifetime = (row.expires_at - row.created_at).total_seconds()
    assert lifetime == app.config["REMEMBER_ABSOLUTE_SESSION_SECONDS"]
    assert "Expires=" in cookie


def test_a_restored_remember_me_session_keeps_its_first_deadline(client, clock, short_absolute):
    """Coming back with the remember-me cookie does not start the 60 minutes again."""
    user = make_user()
    login_through_form(client, user.email, remember=True)
    for _ in range(3):
        clock(19 * 60)
        client.delete_cookie("session")  # the browser closed; the remember-me cookie restores it
        assert is_logged_in(client)
    clock(5 * 60)  # 62 minutes after the login
    client.delete_cookie("session")

    assert not is_logged_in(client)


def test_the_sessions_page_lists_each_open_session_and_marks_this_one(client, other_client):
    user = make_user()
    other = make_user()
    login_through_form(client, user.email, remember=True)
    login_through_form(other_client, user.email)
    third = type(client)(client._client.application.test_client())
    login_through_form(third, other.email)  # someone else's session is never listed

    html = client.get("/account/sessions", headers={"User-Agent": "x"}).get_data(as_text=True)

    assert html.count('class="card session') == 2
    assert html.count("session-current") == 1
    assert "127.0.0.0/24" in html  # the network, never the address
    assert "127.0.0.1" not in html


def test_ending_another_session_from_the_list_logs_that_browser_out(client, other_client):
    user = make_user()
    login_through_form(client, user.email)
    login_through_form(other_client, user.email, remember=True)
    rows = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id)).all()

    response = client.submit(f"/account/sessions/{rows[1].id}/end", page="/account/sessions")

    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_client)


def test_nobody_ends_someone_elses_session(client, other_client):
    user, victim = make_user(), make_user()
    login_through_form(client, user.email)
    login_through_form(other_client, victim.email)
    victim_row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == victim.id))

    client.submit(f"/account/sessions/{victim_row.id}/end", page="/account/sessions")

    assert is_logged_in(other_client)


def test_ending_this_session_from_the_list_is_a_logout(client):
    user = make_user()
    login_through_form(client, user.email)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))

    response = client.submit(f"/account/sessions/{row.id}/end", page="/account/sessions")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not is_logged_in(client)


def test_a_password_reset_ends_every_session(client, other_client):
    from app.accounts import services

    user = make_user()
    login_through_form(client, user.email, remember=True)
    from app.accounts import tokens

    token = tokens.make_token("reset", {"uid": user.id, "fp": services._reset_fingerprint(user)})
    assert services.reset_password(token, "otra-frase-de-nopal-y-cantera-77") is not None

    assert not is_logged_in(client)


def test_the_device_and_network_are_described_without_the_address():
    assert session_store.describe_device(
        "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36") == ("Chrome", "Android")
    assert session_store.describe_device(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1") == ("Safari", "iOS")
    assert session_store.describe_device(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0") == ("Edge", "Windows")
    assert session_store.describe_device(None) == (None, None)
    assert session_store.network_of("189.203.44.17") == "189.203.44.0/24"
    assert session_store.network_of("2806:10a6:4:1::25") == "2806:10a6:4::/48"
    assert session_store.network_of("not an address") is None


def test_the_signed_in_statement_is_built_once_per_process(client, other_client):
    """Building it and SQLAlchemy's cache key for it cost more than running it: built once, each
    request binds its own token."""
    from tests.conftest import login_as
    from tests.factories import make_plan

    make_plan()
    first, second = make_user(), make_user()
    login_as(client, first)
    login_as(other_client, second)
    client.get("/privacy")
    statement = session_store._session_statement()[1]
    assert other_client.get("/privacy").status_code == 200
    assert session_store._session_statement()[1] is statement
