"""Signed links: email confirmation (expiring, bound to the address) and single-use password reset."""
import re
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.accounts import tokens
from app.accounts.services import find_by_email
from app.core.mail import OutboxMessage
from app.core.permissions import can
from app.extensions import db
from tests.conftest import PASSWORD, login
from tests.factories import make_user

NEW_PASSWORD = "ocotillo-granizo-bisonte-77"


def link_in_mail(recipient: str, path: str) -> str:
    bodies = db.session.scalars(
        sa.select(OutboxMessage.body)
        .where(OutboxMessage.recipient == recipient)
        .order_by(OutboxMessage.id.desc())
    ).all()
    for body in bodies:
        match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no {path} link mailed to {recipient}")


def mail_count(recipient: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.recipient == recipient)
    )


@contextmanager
def signed_in_the_past(seconds: int):
    """Tokens made inside carry a timestamp `seconds` ago."""
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) - seconds
    try:
        yield
    finally:
        TimestampSigner.get_timestamp = original


def in_english(client) -> None:
    assert client.submit("/language", {"lang": "en"}, page="/").status_code == 302


def is_logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


# --- Email confirmation ------------------------------------------------------------------------


def register(client, email="nueva@example.org"):
    response = client.submit(
        "/account/register/citizen",
        {"name": "Nueva Persona", "email": email, "municipality": "Durango",
         "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "y"},
    )
    assert response.status_code == 302
    return find_by_email(email)


def test_mailed_confirmation_link_confirms_the_account(client):
    user = register(client)
    assert not can(user, "participate")

    response = client.get(link_in_mail(user.email, "/account/confirm/"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/login")
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert can(user, "participate")


def test_following_the_confirmation_link_twice_is_harmless(client):
    user = register(client)
    link = link_in_mail(user.email, "/account/confirm/")
    client.get(link)
    db.session.refresh(user)
    first = user.email_confirmed_at

    assert client.get(link).headers["Location"].endswith("/account/login")
    db.session.refresh(user)
    assert user.email_confirmed_at == first


def _confirmation_fails(client, user, path):
    in_english(client)
    response = client.get(path, follow_redirects=True)
    db.session.refresh(user)
    assert user.email_confirmed_at is None
    assert response.request.path == "/account/confirm"
    assert "The confirmation link is not valid or has expired" in response.get_data(as_text=True)


def test_forged_confirmation_token_is_refused(client):
    user = make_user(confirmed=False)
    forged = URLSafeTimedSerializer("not-the-secret-key", salt="cocrea.confirm").dumps(
        {"uid": user.id, "email": user.email}
    )

    _confirmation_fails(client, user, f"/account/confirm/{forged}")


def test_tampered_confirmation_token_is_refused(client):
    user = register(client)
    link = link_in_mail(user.email, "/account/confirm/")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    _confirmation_fails(client, user, tampered)


def test_token_made_for_another_purpose_does_not_confirm(client):
    user = make_user(confirmed=False)
    token = tokens.make_token("reset", {"uid": user.id, "email": user.email})

    _confirmation_fails(client, user, f"/account/confirm/{token}")


def test_expired_confirmation_token_is_refused(client, app):
    user = make_user(confirmed=False)
    with signed_in_the_past(app.config["CONFIRM_TOKEN_MAX_AGE"] + 60):
        token = tokens.make_token("confirm", {"uid": user.id, "email": user.email})

    _confirmation_fails(client, user, f"/account/confirm/{token}")


def test_confirmation_token_for_a_previous_email_is_refused(client):
    user = make_user(confirmed=False, email="antes@example.org")
    token = tokens.make_token("confirm", {"uid": user.id, "email": "antes@example.org"})
    user.email = "despues@example.org"
    db.session.commit()

    _confirmation_fails(client, user, f"/account/confirm/{token}")


@pytest.mark.csrf  # this form family through a real CSRF token
def test_resend_confirmation_answers_the_same_for_any_address(client):
    unconfirmed = make_user(confirmed=False)
    confirmed = make_user()

    answers = [
        client.submit("/account/confirm", {"email": email})
        for email in (unconfirmed.email, confirmed.email, "nadie@example.org")
    ]

    assert {(r.status_code, r.headers["Location"]) for r in answers} == {
        (302, "/account/check-email")
    }
    assert mail_count(unconfirmed.email) == 1
    assert mail_count(confirmed.email) == 0
    assert mail_count("nadie@example.org") == 0


# --- Password reset ----------------------------------------------------------------------------


def ask_reset(client, email):
    return client.submit("/account/forgot-password", {"email": email}, follow_redirects=True)


def choose_password(client, link, password=NEW_PASSWORD):
    return client.submit(link, {"password": password, "password_confirm": password})


def test_reset_request_does_not_reveal_whether_the_email_is_registered(client, other_client):
    user = make_user()
    known = ask_reset(client, user.email)
    unknown = ask_reset(other_client, "nadie@example.org")

    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/account/login"
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert mail_count(user.email) == 1
    assert mail_count("nadie@example.org") == 0


def test_reset_link_sets_a_new_password(client):
    user = make_user()
    ask_reset(client, user.email)

    response = choose_password(client, link_in_mail(user.email, "/account/reset-password/"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/login")
    assert login(client, user.email, PASSWORD).status_code == 400
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_reset_link_works_only_once(client):
    user = make_user()
    ask_reset(client, user.email)
    link = link_in_mail(user.email, "/account/reset-password/")
    assert choose_password(client, link).status_code == 302

    in_english(client)
    second = client.get(link, follow_redirects=True)
    assert second.request.path == "/account/forgot-password"
    assert "was already used or has expired" in second.get_data(as_text=True)
    # Nor can the used token be posted to directly.
    token = client.csrf_token("/account/login")
    again = client.post(link, data={"csrf_token": token, "password": "otra-clave-larga-y-rara-31",
                                    "password_confirm": "otra-clave-larga-y-rara-31"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/account/forgot-password")
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(client, app):
    user = make_user()
    with signed_in_the_past(app.config["RESET_TOKEN_MAX_AGE"] + 60):
        ask_reset(client, user.email)
    link = link_in_mail(user.email, "/account/reset-password/")

    response = client.get(link)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/forgot-password")
    assert login(client, user.email, PASSWORD).status_code == 302


def test_reset_ends_every_other_session(client, other_client):
    user = make_user()
    login(other_client, user.email)
    assert is_logged_in(other_client)

    ask_reset(client, user.email)
    choose_password(client, link_in_mail(user.email, "/account/reset-password/"))

    assert not is_logged_in(other_client)


def test_weak_new_password_is_refused_and_the_link_still_works(client):
    user = make_user(name="Ramiro Villalobos")
    ask_reset(client, user.email)
    link = link_in_mail(user.email, "/account/reset-password/")
    in_english(client)

    weak = choose_password(client, link, "villalobos-ramiro-2026")
    assert weak.status_code == 400
    assert "name or email" in weak.get_data(as_text=True)

    assert choose_password(client, link).status_code == 302


def test_reset_unlocks_a_locked_account_and_confirms_the_address(client, app):
    user = make_user(confirmed=False)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        login(client, user.email, "wrong-password-000")
    db.session.refresh(user)
    assert user.locked_until is not None

    ask_reset(client, user.email)
    choose_password(client, link_in_mail(user.email, "/account/reset-password/"))

    db.session.refresh(user)
    assert user.locked_until is None
    assert user.email_confirmed_at is not None
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_reset_link_sent_to_a_previous_address_stops_working(client):
    """Whoever still reads the old mailbox cannot take the account back."""
    user = make_user(email="antes@example.org")
    ask_reset(client, user.email)
    link = link_in_mail("antes@example.org", "/account/reset-password/")
    user.email = "despues@example.org"
    db.session.commit()

    response = client.get(link)

    assert response.headers["Location"].endswith("/account/forgot-password")
    assert login(client, "despues@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_malformed_reset_token_is_refused(client, token):
    response = client.get(f"/account/reset-password/{token}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/forgot-password")
