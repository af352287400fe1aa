"""Registration of citizens and organisations: accounts created, input refused, no enumeration."""
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.accounts.models import Organisation, Role, User, Verification
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.conftest import PASSWORD
from tests.factories import HOSTILE, make_user

CITIZEN_URL = "/account/register/citizen"
ORGANISATION_URL = "/account/register/organisation"


def citizen_data(**changes) -> dict:
    data = {
        "name": "María Guadalupe Soto",
        "email": "maria.soto@example.org",
        "municipality": "Gómez Palacio",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def organisation_data(**changes) -> dict:
    data = {
        "legal_name": "Colectivo Agua Limpia, A.C.",
        "sector": "civil_society",
        "municipality": "Durango",
        "contact_person": "Rosa Elena Quiñones",
        "email": "contacto@agualimpia.example.org",
        "website": "https://agualimpia.example.org",
        "description": "Vigilancia ciudadana del agua.",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def in_english(client) -> None:
    """Messages are asserted in English, so the tests hold whatever the Spanish catalogue says."""
    response = client.submit("/language", {"lang": "en"}, page="/")
    assert response.status_code == 302


def users_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def mail_to(recipient: str) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ).all()


def field_error(html: str, field_id: str) -> str:
    """The text of a field's error message, as the form macro renders it; '' when there is none."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""


# --- Good input --------------------------------------------------------------------------------


@pytest.mark.csrf  # this form family through a real CSRF token
def test_citizen_registration_creates_an_unconfirmed_account_and_queues_the_confirmation(client):
    response = client.submit(CITIZEN_URL, citizen_data())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-email")
    user = db.session.scalar(sa.select(User).where(User.email == "maria.soto@example.org"))
    assert user is not None
    assert user.role == Role.citizen
    assert user.municipality == "Gómez Palacio"
    assert user.email_confirmed_at is None
    assert user.password_hash and PASSWORD not in user.password_hash
    [message] = mail_to("maria.soto@example.org")
    assert "/account/confirm/" in message.body
    assert message.sent_at is None
    assert registrations() == [(user.id, {"kind": "citizen"})]


def test_organisation_registration_starts_pending_verification(client):
    response = client.submit(ORGANISATION_URL, organisation_data())

    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "contacto@agualimpia.example.org"))
    assert user.role == Role.organisation
    assert user.email_confirmed_at is None
    org = db.session.get(Organisation, user.id)
    assert org.verification == Verification.pending
    assert org.legal_name == "Colectivo Agua Limpia, A.C."
    assert org.contact_person == "Rosa Elena Quiñones"
    assert org.website == "https://agualimpia.example.org"
    assert not user.is_verified_organisation
    [message] = mail_to("contacto@agualimpia.example.org")
    assert "/account/confirm/" in message.body
    assert registrations() == [(user.id, {"kind": "organisation"})]


def registrations() -> list[tuple]:
    """The audit log's registrations: (the account, what the entry says)."""
    return [(e.target_id, e.data) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "account.registered").order_by(AuditEntry.id))]


def test_email_is_stored_lower_case_and_trimmed(client):
    client.submit(CITIZEN_URL, citizen_data(email="  Maria.Soto@Example.ORG "))

    assert db.session.scalar(sa.select(User.email)) == "maria.soto@example.org"


def test_registration_page_is_spanish_by_default(client):
    html = client.get(CITIZEN_URL).get_data(as_text=True)

    assert '<html lang="es-MX">' in html


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"password": "corta-29", "password_confirm": "corta-29"}, "password", "at least 12"),
        ({"password": "password1234", "password_confirm": "password1234"}, "password",
         "too easy to guess"),
        ({"password": "soto-guadalupe-mezquite-7", "password_confirm": "soto-guadalupe-mezquite-7"},
         "password", "name or email"),
        ({"password": "maria.soto-tejocote-81", "password_confirm": "maria.soto-tejocote-81"},
         "password", "name or email"),
        ({"password": "x" * 60 + "Ñ9-" * 30, "password_confirm": "x" * 60 + "Ñ9-" * 30}, "password",
         "at most 128"),
        ({"password_confirm": PASSWORD + "x"}, "password_confirm", "do not match"),
        ({"email": "maria-at-example.org"}, "email", "valid email"),
        ({"email": "a" * 250 + "@example.org"}, "email", "254"),
        ({"municipality": ""}, "municipality", "Choose a municipality"),
        ({"municipality": "Gotham"}, "municipality", "Choose your municipality from the list."),
        ({"name": "M"}, "name", "between 2 and 200"),
        ({"name": "M" * 201}, "name", "between 2 and 200"),
        ({"accept_terms": None}, "accept_terms", "privacy notice"),
    ],
)
def test_bad_citizen_input_is_refused_with_the_reason(client, changes, field, message):
    in_english(client)
    response = client.submit(CITIZEN_URL, citizen_data(**changes))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    error = field_error(html, field)
    assert error, f"no error shown for {field}"
    assert message in error
    assert 'class="error-summary"' in html
    assert users_count() == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_refused_form_keeps_what_the_user_typed_but_never_the_password(client):
    response = client.submit(
        CITIZEN_URL, citizen_data(password="corta-29", password_confirm="corta-29")
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="María Guadalupe Soto"' in html
    assert 'value="maria.soto@example.org"' in html
    assert re.search(r'<option selected value="Gómez Palacio">|<option value="Gómez Palacio" selected',
                     html)
    assert "corta-29" not in html


def test_field_errors_are_marked_for_assistive_technology_in_the_default_language(client):
    response = client.submit(CITIZEN_URL, citizen_data(email="not-an-email"))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<html lang="es-MX">' in html
    assert re.search(r'<input[^>]*aria-describedby="email-error"[^>]*aria-invalid="true"', html)
    assert field_error(html, "email")


def test_the_form_says_why_in_spanish_by_default(client, app):
    english = "Do not include your name or email address in the password."
    with app.test_request_context("/"), force_locale("es_MX"):
        spanish = gettext(english)
    assert spanish != english, "the Spanish catalogue lacks this message"

    response = client.submit(
        CITIZEN_URL, citizen_data(password="soto-guadalupe-mezquite-7",
                                  password_confirm="soto-guadalupe-mezquite-7")
    )

    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "password") == spanish


def test_hostile_name_is_escaped_when_the_form_is_shown_again(client):
    response = client.submit(CITIZEN_URL, citizen_data(name=HOSTILE, email="bad"))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"sector": "secret_society"}, "sector", ""),
        ({"sector": ""}, "sector", "sector"),
        ({"website": "agua limpia punto org"}, "website", "full web address"),
        ({"website": "javascript:alert(1)"}, "website", "full web address"),
        ({"website": "javascript://example.org/%0Aalert(1)"}, "website", "full web address"),
        ({"website": "ftp://agualimpia.example.org/"}, "website", "full web address"),
        ({"municipality": ""}, "municipality", "Choose a municipality"),
        ({"contact_person": ""}, "contact_person", "required"),
        ({"legal_name": "A" * 201}, "legal_name", "between 2 and 200"),
        ({"description": "d" * 2001}, "description", "at most 2000"),
        ({"website": "https://" + "a" * 300 + ".org"}, "website", ""),
        ({"email": "contacto@agualimpia"}, "email", "valid email"),
        ({"password": "Colectivo-Agua-Limpia", "password_confirm": "Colectivo-Agua-Limpia"},
         "password", "name or email"),
        ({"password": "quinones-tejocote-55", "password_confirm": "quinones-tejocote-55"},
         "password", "name or email"),
    ],
)
def test_bad_organisation_input_is_refused_with_the_reason(client, changes, field, message):
    in_english(client)
    response = client.submit(ORGANISATION_URL, organisation_data(**changes))

    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), field)
    assert error, f"no error shown for {field}"
    assert message in error
    assert users_count() == 0


def test_organisation_form_keeps_the_chosen_sector_and_website(client):
    response = client.submit(ORGANISATION_URL, organisation_data(password_confirm="different-one-xx"))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="https://agualimpia.example.org"' in html
    assert re.search(r'<option selected value="civil_society">|<option value="civil_society" selected',
                     html)
    assert "Vigilancia ciudadana del agua." in html


def test_organisation_website_is_optional(client):
    response = client.submit(ORGANISATION_URL, organisation_data(website="", description=""))

    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation))
    assert org.website is None and org.description is None


# --- No enumeration ----------------------------------------------------------------------------


@pytest.mark.parametrize("url, data", [(CITIZEN_URL, citizen_data), (ORGANISATION_URL, organisation_data)])
def test_registered_email_answers_like_a_new_one_and_warns_its_owner(client, other_client, url, data):
    owner = make_user(email="owner@example.org")
    fresh = client.submit(url, data(email="nobody@example.org"))
    taken = other_client.submit(url, data(email="OWNER@example.org"))

    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert users_count() == 2  # the owner and the fresh registration, nothing for the taken email
    db.session.refresh(owner)
    assert owner.role == Role.citizen and owner.organisation is None
    # One registration recorded, and no organisation row left over for the taken email.
    assert [kind["kind"] for _, kind in registrations()] == [url.rsplit("/", 1)[1]]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == \
        (1 if url == ORGANISATION_URL else 0)
    [warning] = mail_to("owner@example.org")
    assert "/account/login" in warning.body and "/account/forgot-password" in warning.body
    assert "/account/confirm/" not in warning.body


def test_check_email_page_does_not_say_whether_the_address_was_new(client, other_client):
    make_user(email="owner@example.org")
    client.submit(CITIZEN_URL, citizen_data(email="nobody@example.org"))
    other_client.submit(CITIZEN_URL, citizen_data(email="owner@example.org"))

    first = client.get("/account/check-email").get_data(as_text=True)
    second = other_client.get("/account/check-email").get_data(as_text=True)
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731 - CSRF tokens differ
    assert strip(first) == strip(second)
