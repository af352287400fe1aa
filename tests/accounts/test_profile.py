"""A user's own account: profile, email change, data export and deletion."""
import json
import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh as refresh_locale

from app.accounts.models import Role, User
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.conftest import PASSWORD, login
from tests.factories import make_committee, make_moderator, make_organisation, make_user


def in_english(client) -> None:
    assert client.submit("/language", {"lang": "en"}, page="/").status_code == 302


def is_logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def mails_to(recipient: str) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ).all()


def link_in(message: OutboxMessage, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", message.body)
    assert match, f"no {path} link in the message"
    return match.group(1)


def actions_on(user: User) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.target_id == user.id).order_by(AuditEntry.id)
    ).all()


@pytest.mark.parametrize(
    "url", ["/account/profile", "/account/email", "/account/password", "/account/my-data.json",
            "/account/delete"],
)
def test_account_pages_need_a_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


# --- Profile -----------------------------------------------------------------------------------


@pytest.mark.csrf  # this form family through a real CSRF token
def test_profile_edit_saves_name_municipality_and_language(client):
    user = make_user()
    login(client, user.email)

    response = client.submit(
        "/account/profile", {"name": "Lucía  Hernández ", "municipality": "Lerdo", "locale": "en"}
    )

    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.municipality, user.locale) == ("Lucía Hernández", "Lerdo", "en")
    assert "account.profile_updated" in actions_on(user)
    assert '<html lang="en">' in client.get("/account/profile").get_data(as_text=True)


def test_profile_edit_refuses_bad_input_and_keeps_it(client):
    user = make_user()
    login(client, user.email)
    in_english(client)

    response = client.submit("/account/profile", {"name": "L", "municipality": "", "locale": "en"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name-error"' in html and 'id="municipality-error"' in html
    assert 'value="L"' in html
    db.session.refresh(user)
    assert user.name != "L"


def test_profile_page_escapes_the_user_own_hostile_name(client):
    user = make_user()
    login(client, user.email)

    html = client.get("/account/profile").get_data(as_text=True)

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_organisation_profile_edits_its_public_details(client):
    org = make_organisation()
    login(client, org.email)

    response = client.submit("/account/profile", {
        "name": "Red Ciudadana del Nazas", "municipality": "Lerdo", "locale": "es_MX",
        "contact_person": "Ofelia Ríos", "website": "https://nazas.example.org",
        "description": "Monitoreo de obra pública.",
    })

    assert response.status_code == 302
    db.session.refresh(org)
    assert org.organisation.legal_name == "Red Ciudadana del Nazas"
    assert org.organisation.contact_person == "Ofelia Ríos"
    assert org.organisation.website == "https://nazas.example.org"


def test_organisation_profile_refuses_a_website_that_is_not_a_url(client):
    org = make_organisation()
    login(client, org.email)

    response = client.submit("/account/profile", {
        "name": "Red Ciudadana del Nazas", "municipality": "Lerdo", "locale": "es_MX",
        "contact_person": "Ofelia Ríos", "website": "javascript:alert(1)",
    })

    assert response.status_code == 400
    assert 'id="website-error"' in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.organisation.website is None


# --- Email change ------------------------------------------------------------------------------


def change_email(client, new_email, password=PASSWORD):
    return client.submit("/account/email", {"new_email": new_email, "current_password": password})


def test_email_change_needs_the_current_password(client):
    user = make_user(email="actual@example.org")
    login(client, user.email)
    in_english(client)

    response = change_email(client, "nueva@example.org", "not-the-password")

    assert response.status_code == 400
    assert "The current password is not correct" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.pending_email is None
    assert mails_to("nueva@example.org") == []


def test_email_changes_only_when_the_new_address_is_confirmed(client):
    user = make_user(email="actual@example.org")
    login(client, user.email)

    assert change_email(client, "Nueva@Example.org").status_code == 302
    db.session.refresh(user)
    assert user.email == "actual@example.org"
    assert user.pending_email == "nueva@example.org"
    [notice] = mails_to("actual@example.org")
    assert "nueva@example.org" in notice.body
    [confirmation] = mails_to("nueva@example.org")

    client.get(link_in(confirmation, "/account/email/confirm/"))

    db.session.refresh(user)
    assert user.email == "nueva@example.org" and user.pending_email is None
    assert "account.email_changed" in actions_on(user)
    client.submit("/account/logout", page="/")
    assert login(client, "actual@example.org").status_code == 400
    assert login(client, "nueva@example.org").status_code == 302


def test_email_change_link_for_a_superseded_request_fails(client):
    user = make_user()
    login(client, user.email)
    change_email(client, "primera@example.org")
    change_email(client, "segunda@example.org")
    [first] = mails_to("primera@example.org")

    client.get(link_in(first, "/account/email/confirm/"))

    db.session.refresh(user)
    assert user.email not in ("primera@example.org", "segunda@example.org")
    assert user.pending_email == "segunda@example.org"


def test_email_change_to_a_taken_address_answers_the_same_but_sends_no_link(client):
    other = make_user(email="ocupada@example.org")
    user = make_user()
    login(client, user.email)

    response = change_email(client, "ocupada@example.org")

    assert response.status_code == 302
    assert mails_to("ocupada@example.org") == []
    db.session.refresh(other)
    assert other.email == "ocupada@example.org"


def test_email_change_to_the_same_address_is_refused(client):
    user = make_user()
    login(client, user.email)

    response = change_email(client, user.email.upper())

    assert response.status_code == 400
    assert 'id="new_email-error"' in response.get_data(as_text=True)


# --- Data export -------------------------------------------------------------------------------


def test_data_export_is_a_json_download_of_the_account(client):
    user = make_user(email="datos@example.org")
    login(client, user.email)

    response = client.get("/account/my-data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "datos@example.org"
    assert data["account"]["name"] == user.name
    assert data["account"]["role"] == "citizen"
    assert "account.login" in [entry["action"] for entry in data["activity"]]
    assert "password_hash" not in json.dumps(data)
    assert "token_hash" not in json.dumps(data)
    assert [row["network"] for row in data["sessions"]] == ["127.0.0.0/24"]
    assert "organisation" not in data


def test_data_export_of_an_organisation_and_a_facilitator(client):
    org = make_organisation()
    login(client, org.email)
    data = client.get("/account/my-data.json").get_json()
    assert data["organisation"]["sector"] == "civil_society"
    assert data["organisation"]["verification"] == "verified"

    client.submit("/account/logout", page="/")
    committee = make_committee()
    facilitator = make_moderator(committee)
    login(client, facilitator.email)
    data = client.get("/account/my-data.json").get_json()
    assert [scope["committee"] for scope in data["moderator_scopes"]] == [committee.name]


def test_data_export_holds_proposals_comments_supports_registrations_and_notifications(client):
    from app.dialogues.models import RegistrationStatus
    from app.moderation.models import Report, ReportReason, ReportTarget
    from app.notifications.models import Channel
    from app.proposals.models import Support
    from tests.comments.factories import make_comment, make_proposal
    from tests.dialogues.factories import make_registration, make_table
    from tests.notifications.factories import choose, make_notification

    user = make_user()
    other = make_user()
    committee = make_committee()
    mine = make_proposal(committee, author=user)
    theirs = make_proposal(committee, author=other)
    comment = make_comment(theirs, author=user, body="Mi comentario **propio**")
    db.session.add(Support(proposal_id=theirs.id, user_id=user.id))
    db.session.add(Report(reporter_id=user.id, target_type=ReportTarget.proposal,
                          target_id=theirs.id, reason=ReportReason.spam))
    table = make_table(committee)
    make_registration(table, user, RegistrationStatus.waiting)
    make_notification(user, url=f"/proposals/{theirs.reference}")
    make_notification(other)
    choose(user, "comment_reply", Channel.digest)
    db.session.commit()
    login(client, user.email)

    data = client.get("/account/my-data.json").get_json()

    assert [p["reference"] for p in data["proposals"]] == [mine.reference]
    assert data["proposals"][0]["title"] == mine.title
    assert [(c["id"], c["proposal"], c["body"]) for c in data["comments"]] == [
        (comment.id, theirs.reference, "Mi comentario **propio**")]
    assert [s["proposal"] for s in data["supports"]] == [theirs.reference]
    assert [(r["table_id"], r["status"]) for r in data["table_registrations"]] == [
        (table.id, "waiting")]
    assert [(r["target_id"], r["reason"]) for r in data["reports"]] == [(theirs.id, "spam")]
    assert [n["url"] for n in data["notifications"]] == [f"/proposals/{theirs.reference}"]
    assert data["notification_preferences"] == {"comment_reply": "digest"}


def test_data_export_of_a_new_account_has_empty_lists(client):
    user = make_user()
    login(client, user.email)
    data = client.get("/account/my-data.json").get_json()
    for key in ("proposals", "comments", "supports", "table_registrations", "reports",
                "notifications"):
        assert data[key] == []


# --- Deletion ----------------------------------------------------------------------------------


def delete(client, password=PASSWORD, confirm=True):
    data = {"current_password": password}
    if confirm:
        data["confirm"] = "y"
    return client.submit("/account/delete", data)


def test_deletion_needs_the_password_and_the_confirmation(client):
    user = make_user()
    login(client, user.email)

    assert delete(client, password="not-the-password").status_code == 400
    assert delete(client, confirm=False).status_code == 400
    db.session.refresh(user)
    assert user.deleted_at is None and is_logged_in(client)


def test_deletion_removes_personal_data_and_ends_the_session(client, other_client, app):
    user = make_user(email="borrar@example.org")
    login(client, user.email)
    login(other_client, user.email)

    response = delete(client)

    assert response.status_code == 302
    assert not is_logged_in(client)
    assert not is_logged_in(other_client)
    db.session.refresh(user)
    assert user.deleted_at is not None
    assert (user.email, user.password_hash, user.municipality, user.pending_email) == (None,) * 4
    assert "<script>" not in user.name
    for query, shown in (("", "cuenta eliminada"), ("?lang=en", "deleted account")):
        with app.test_request_context("/" + query):
            refresh_locale()
            assert user.display_name == shown
    assert login(client, "borrar@example.org").status_code == 400
    # The account's history stays; it just no longer points to a person.
    assert "account.deleted" in actions_on(user)


def test_public_contributions_stay_attributed_to_a_deleted_account(client, app):
    from tests.comments.factories import make_comment, make_proposal

    user = make_user(name="Rosa Elena Quiñones")
    committee = make_committee()
    proposal = make_proposal(committee, author=user, title="Falta alumbrado en la colonia")
    make_comment(proposal, author=user, body="Lo confirmo, vivo ahí")
    login(client, user.email)

    delete(client)

    html = client.get(f"/proposals/{proposal.reference}").get_data(as_text=True)
    assert "Falta alumbrado en la colonia" in html and "Lo confirmo, vivo ahí" in html
    assert "Rosa Elena" not in html
    assert html.count("cuenta eliminada") >= 2


def test_deletion_gives_up_seats_at_tables_to_come(client):
    from app.dialogues.models import RegistrationStatus, TableRegistration
    from tests.dialogues.factories import make_registration, make_table

    user, waiting = make_user(), make_user()
    table = make_table(make_committee(), capacity=1)
    make_registration(table, user)
    make_registration(table, waiting, RegistrationStatus.waiting)
    login(client, user.email)

    delete(client)

    db.session.expire_all()
    status = dict(db.session.execute(
        sa.select(TableRegistration.user_id, TableRegistration.status)).all())
    assert status == {user.id: RegistrationStatus.cancelled, waiting.id: RegistrationStatus.confirmed}


def test_deleted_email_can_register_again(client):
    user = make_user(email="borrar@example.org")
    login(client, user.email)
    delete(client)

    response = client.submit("/account/register/citizen", {
        "name": "Otra Persona", "email": "borrar@example.org", "municipality": "Durango",
        "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "y",
    })

    assert response.status_code == 302
    assert db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.email == "borrar@example.org")
    ) == 1


def test_deleted_facilitator_loses_the_role(client):
    facilitator = make_moderator(make_committee())
    login(client, facilitator.email)

    delete(client)

    db.session.refresh(facilitator)
    assert facilitator.role == Role.citizen
    assert facilitator.moderator_scopes == []


def test_deleted_organisation_keeps_its_public_name_but_no_contact(client):
    org = make_organisation()
    legal_name = org.organisation.legal_name
    login(client, org.email)

    delete(client)

    db.session.refresh(org)
    assert org.name == legal_name
    assert org.organisation.contact_person == "—"
    assert org.email is None
