"""Password rules (length, zxcvbn, not the user's name or email), hashing, and changing one's password."""
import pytest
import sqlalchemy as sa

from app.accounts.passwords import (
    MAX_LENGTH,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.conftest import PASSWORD, login, login_through_form
from tests.factories import make_user

NEW_PASSWORD = "ocotillo-granizo-bisonte-77"


# --- The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "nopal mezquite lluvia tren", "x7#Kq!9vR2&mZ", "ñandú-cactus-órbita-fuego",
     "el río Nazas baja crecido en septiembre y los álamos del malecón de Lerdo se llenan de garzas "
     "blancas al caer la tarde"],
)
def test_strong_passwords_are_accepted(password):
    assert password_problems(password[:MAX_LENGTH], name="Lucía Pérez", email="lucia@example.org") == []


def test_a_password_of_exactly_the_maximum_length_is_accepted():
    password = ("ocotillo-granizo-" * 10)[:MAX_LENGTH - 2] + "7Q"
    assert len(password) == MAX_LENGTH
    assert password_problems(password) == []


@pytest.mark.parametrize(
    "password, reason",
    [
        ("corta-7Qx", "at least 12"),
        ("a" * (MAX_LENGTH + 1), "at most 128"),
        ("password1234", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("perez-mezquite-lluvia", "name or email"),  # the name, without its accent
        ("PÉREZ-mezquite-lluvia", "name or email"),
        ("mezquite-lucia-lluvia", "name or email"),
        ("lucia.sanchez22-tren", "name or email"),  # the email's local part
    ],
)
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    with app.test_request_context("/?lang=en"):
        problems = password_problems(password, name="Lucía Pérez", email="lucia.sanchez22@example.org")

    assert problems, password
    assert reason in " ".join(problems)


def test_reasons_are_given_outside_a_request_in_the_default_language(app):
    """As on the command line (flask users create-admin), where there is no request."""
    problems = password_problems("password1234")

    with app.test_request_context("/"):
        assert problems == password_problems("password1234")
    assert problems


def test_the_estimator_warning_is_given_in_our_words(app):
    with app.test_request_context("/?lang=en"):
        problems = password_problems("password1234")

    assert len(problems) == 2
    assert "commonly used" in problems[1]


def test_short_name_pieces_are_not_held_against_the_password():
    assert password_problems("ana-mezquite-lluvia-7", name="Ana Li", email="li@example.org") == []


# --- Hashing -----------------------------------------------------------------------------------


def test_password_is_hashed_with_argon2id_and_verified():
    stored = hash_password(PASSWORD)

    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)
    assert not verify_password("not-a-hash", PASSWORD)


def test_login_rehashes_a_password_stored_with_old_parameters(client, app, monkeypatch):
    user = make_user()
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    assert needs_rehash(user.password_hash)

    assert login_through_form(client, user.email).status_code == 302

    db.session.refresh(user)
    assert not needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, PASSWORD)


# --- Changing one's password -------------------------------------------------------------------


def is_logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.submit("/account/password", {
        "current_password": current, "password": new, "password_confirm": confirm or new,
    })


def test_password_change_needs_the_current_password(client):
    user = make_user()
    login(client, user.email)
    client.submit("/language", {"lang": "en"}, page="/")

    response = change_password(client, current="not-the-password")

    assert response.status_code == 400
    assert "The current password is not correct" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


@pytest.mark.parametrize(
    "new, confirm, field",
    [("corta-7Qx", None, "password"), (NEW_PASSWORD, NEW_PASSWORD + "x", "password_confirm")],
)
def test_password_change_refuses_a_bad_new_password(client, new, confirm, field):
    user = make_user()
    login(client, user.email)

    response = change_password(client, new=new, confirm=confirm)

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_password_change_refuses_the_user_name(client):
    user = make_user(name="Ramiro Villalobos")
    login(client, user.email)

    response = change_password(client, new="villalobos-nopal-lluvia")

    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)


def test_password_change_closes_other_sessions_but_keeps_this_one(client, other_client):
    user = make_user()
    login(client, user.email)
    login(other_client, user.email, remember=True)

    response = change_password(client)

    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_client)
    assert not is_logged_in(other_client)  # nor does its remember cookie bring it back
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    notices = db.session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.recipient == user.email)
    ).all()
    assert len(notices) == 1


def test_new_password_is_the_one_that_logs_in(client, other_client):
    user = make_user()
    login(client, user.email)
    change_password(client)

    assert login(other_client, user.email, PASSWORD).status_code == 400
    assert login(other_client, user.email, NEW_PASSWORD).status_code == 302
