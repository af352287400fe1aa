"""Session security: a new session at login, the absolute timeout, logging out of every other
session, logout that also forgets the remember-me cookie, and re-authentication."""
import time

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.extensions import db
from tests.conftest import PASSWORD, login
from tests.factories import make_user
from tests.querycount import count_queries


@pytest.fixture
def clock(monkeypatch):
    real = time.time
    offset = {"seconds": 0}
    monkeypatch.setattr(time, "time", lambda: real() + offset["seconds"])

    def advance(seconds: int) -> None:
        offset["seconds"] += seconds

    return advance


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


def test_login_stores_its_time_in_a_new_session(client):
    user = make_user()
    client.get("/account/login")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "x"

    login(client, user.email)

    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert abs(session["login_at"] - time.time()) < 60


def test_an_active_session_still_ends_at_the_absolute_limit(client, clock, short_absolute):
    user = make_user()
    login(client, user.email)

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
    login(client, user.email, remember=True)

    clock(25 * 60)
    assert is_logged_in(client)

    clock(40 * 60)
    assert not is_logged_in(client)
    assert not is_logged_in(client)  # the remember-me cookie does not bring it back


def test_the_absolute_limit_counts_from_the_login_not_the_password_change(client, clock, short_absolute):
    user = make_user()
    login(client, user.email)
    stay_active(client, clock, 15 * 60)

    client.submit("/account/password", {"current_password": PASSWORD,
                                        "password": "otra-frase-de-nopal-y-cantera-77",
                                        "password_confirm": "otra-frase-de-nopal-y-cantera-77"})
    stay_active(client, clock, 10 * 60)

    assert not is_logged_in(client)


def test_logout_also_forgets_the_remember_me_cookie(client):
    user = make_user()
    login(client, user.email, remember=True)

    client.submit("/account/logout", page="/account/profile")

    assert not is_logged_in(client)
    assert client.get_cookie("remember_token") is None


def test_log_out_of_every_other_session_keeps_this_one(client, other_client, app):
    user = make_user()
    third = type(client)(app.test_client())
    login(client, user.email)
    login(other_client, user.email)
    login(third, user.email, remember=True)

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
    login(client, user.email, remember=True)

    client.submit("/account/sessions/end-others", page="/account/profile")
    client.delete_cookie("session")  # the browser closed

    assert is_logged_in(client)


def test_log_out_everywhere_needs_a_login_and_a_token(client):
    user = make_user()
    assert client.post("/account/sessions/end-others").status_code in (302, 400)
    login(client, user.email)

    assert client.post("/account/sessions/end-others").status_code == 400  # no CSRF token
    assert client.get("/account/sessions/end-others").status_code == 405


def test_password_change_asks_for_the_current_password(client, other_client):
    user = make_user()
    login(client, user.email)
    login(other_client, user.email)

    response = client.submit("/account/password", {"current_password": "not-my-password-at-all",
                                                    "password": "otra-frase-de-nopal-y-cantera-77",
                                                    "password_confirm": "otra-frase-de-nopal-y-cantera-77"})

    assert response.status_code == 400
    assert is_logged_in(other_client)


def test_the_session_guards_add_no_queries_as_data_grows(client):
    user = make_user()
    login(client, user.email)
    db.session.expire_all()  # the test shares the requests' session: start both counts cold
    with count_queries() as few:
        client.get("/account/profile")
    for _ in range(20):
        make_user()
    db.session.expire_all()
    with count_queries() as many:
        client.get("/account/profile")

    assert len(many) == len(few)
