"""The guarantor body's administration: who may enter, verifying organisations, facilitators."""
import pytest
import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Organisation, Role, User, Verification
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.conftest import login
from tests.factories import (
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_user,
)
from tests.querycount import count_queries

ADMIN_PAGES = ["/admin/", "/admin/organisations", "/admin/moderators"]


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def mails_to(recipient: str) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    ).all()


def as_admin(client) -> User:
    admin = make_admin()
    login(client, admin.email)
    return admin


# --- Who may enter -----------------------------------------------------------------------------


def make_non_admin(kind: str) -> User:
    if kind == "citizen":
        return make_user()
    if kind == "organisation":
        return make_organisation()
    if kind == "facilitator":
        return make_moderator(make_committee())
    if kind == "unconfirmed admin":
        return make_admin(confirmed=False)
    raise ValueError(kind)


NON_ADMINS = ["citizen", "organisation", "facilitator", "unconfirmed admin"]


@pytest.mark.parametrize("kind", NON_ADMINS)
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_forbidden_to_other_roles(client, kind, url):
    login(client, make_non_admin(kind).email)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_open_to_the_guarantor_body(client, url):
    as_admin(client)

    assert client.get(url).status_code == 200


def test_admin_link_is_shown_only_to_admins(client, other_client):
    login(client, make_user().email)
    as_admin(other_client)

    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in other_client.get("/").get_data(as_text=True)


@pytest.fixture
def targets():
    """An organisation awaiting verification, a citizen, a committee and an existing scope."""
    committee = make_committee()
    return {
        "organisation": make_organisation(verified=False),
        "citizen": make_user(),
        "committee": committee,
        "scope": db.session.scalar(
            sa.select(ModeratorScope).where(ModeratorScope.user_id == make_moderator(committee).id)
        ),
    }


def admin_posts(targets) -> list[tuple[str, dict]]:
    return [
        (f"/admin/organisations/{targets['organisation'].id}", {"decision": "verify"}),
        ("/admin/moderators",
         {"email": targets["citizen"].email, "committee_id": str(targets["committee"].id)}),
        (f"/admin/moderators/{targets['scope'].id}/revoke", {}),
    ]


@pytest.mark.parametrize("kind", NON_ADMINS)
def test_admin_actions_posted_directly_by_other_roles_are_forbidden(client, targets, kind):
    login(client, make_non_admin(kind).email)

    for url, data in admin_posts(targets):
        assert client.submit(url, data, page="/").status_code == 403, url

    db.session.expire_all()
    assert targets["organisation"].organisation.verification == Verification.pending
    assert targets["citizen"].role == Role.citizen
    assert db.session.get(ModeratorScope, targets["scope"].id) is not None
    assert audit("organisation.verified") == audit("moderator.granted") == []


@pytest.mark.csrf  # this form family through a real CSRF token
def test_admin_actions_posted_anonymously_are_refused(client, targets):
    for url, data in admin_posts(targets):
        response = client.submit(url, data, page="/")
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/account/login")

    db.session.expire_all()
    assert targets["organisation"].organisation.verification == Verification.pending
    assert db.session.get(ModeratorScope, targets["scope"].id) is not None


# --- Verifying organisations -------------------------------------------------------------------


def decide(client, organisation: User, decision: str | None, reason: str = ""):
    data = {"reason": reason}
    if decision:
        data["decision"] = decision
    return client.submit(f"/admin/organisations/{organisation.id}", data, page="/admin/organisations")


def test_admin_verifies_an_organisation(client):
    admin = as_admin(client)
    org = make_organisation(verified=False)

    response = decide(client, org, "verify")

    assert response.status_code == 302
    record = db.session.get(Organisation, org.id)
    assert record.verification == Verification.verified
    assert record.verified_by_id == admin.id and record.verified_at is not None
    [entry] = audit("organisation.verified")
    assert (entry.actor_id, entry.target_id, entry.public) == (admin.id, org.id, True)
    [mail] = mails_to(org.email)
    assert "/account/profile" in mail.body


def test_rejecting_needs_a_reason(client):
    as_admin(client)
    org = make_organisation(verified=False)

    response = decide(client, org, "reject", reason="   ")

    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert db.session.get(Organisation, org.id).verification == Verification.pending
    assert audit("organisation.rejected") == [] and mails_to(org.email) == []


def test_admin_rejects_an_organisation_with_a_reason_sent_to_it(client):
    admin = as_admin(client)
    org = make_organisation(verified=False)

    response = decide(client, org, "reject", reason="El acta constitutiva no es legible.")

    assert response.status_code == 302
    record = db.session.get(Organisation, org.id)
    assert record.verification == Verification.rejected
    assert record.rejection_reason == "El acta constitutiva no es legible."
    [entry] = audit("organisation.rejected")
    assert entry.actor_id == admin.id and entry.reason == "El acta constitutiva no es legible."
    [mail] = mails_to(org.email)
    assert "El acta constitutiva no es legible." in mail.body


def test_a_decision_must_be_chosen(client):
    as_admin(client)
    org = make_organisation(verified=False)

    assert decide(client, org, None).status_code == 400
    assert decide(client, org, "approve-all").status_code == 400
    assert db.session.get(Organisation, org.id).verification == Verification.pending


def test_verifying_twice_is_refused(client):
    as_admin(client)
    org = make_organisation(verified=True)

    assert decide(client, org, "verify").status_code == 409
    assert audit("organisation.verified") == []


def test_deciding_on_an_unknown_organisation_is_404(client):
    as_admin(client)
    citizen = make_user()

    assert decide(client, citizen, "verify").status_code == 404


def test_organisations_page_escapes_hostile_details(client):
    as_admin(client)
    make_organisation(verified=False)

    html = client.get("/admin/organisations").get_data(as_text=True)

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# --- Facilitator scopes ------------------------------------------------------------------------


def grant(client, email: str, committee_id: int):
    return client.submit("/admin/moderators", {"email": email, "committee_id": str(committee_id)})


def scopes_of(user: User) -> list[ModeratorScope]:
    return db.session.scalars(sa.select(ModeratorScope).where(ModeratorScope.user_id == user.id)).all()


def test_admin_grants_a_facilitator_scope(client):
    admin = as_admin(client)
    citizen = make_user(email="facilita@example.org")
    committee = make_committee()

    response = grant(client, "Facilita@Example.org", committee.id)

    assert response.status_code == 302
    db.session.refresh(citizen)
    assert citizen.role == Role.moderator
    [scope] = scopes_of(citizen)
    assert scope.committee_id == committee.id and scope.granted_by_id == admin.id
    [entry] = audit("moderator.granted")
    assert (entry.actor_id, entry.target_id, entry.committee_id) == (admin.id, citizen.id, committee.id)


def test_a_facilitator_may_hold_scopes_over_several_committees(client):
    as_admin(client)
    citizen = make_user()
    first, second = make_committee(), make_committee()

    grant(client, citizen.email, first.id)
    grant(client, citizen.email, second.id)

    assert {s.committee_id for s in scopes_of(citizen)} == {first.id, second.id}


@pytest.mark.parametrize("kind", ["organisation", "admin", "unknown", "unconfirmed"])
def test_grant_is_refused_for_accounts_that_cannot_facilitate(client, kind):
    as_admin(client)
    committee = make_committee()
    email = {
        "organisation": lambda: make_organisation().email,
        "admin": lambda: make_admin().email,
        "unknown": lambda: "nadie@example.org",
        "unconfirmed": lambda: make_user(confirmed=False).email,
    }[kind]()

    response = grant(client, email, committee.id)

    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ModeratorScope.id))) == 0
    assert audit("moderator.granted") == []


def test_granting_the_same_scope_twice_is_refused(client):
    as_admin(client)
    citizen = make_user()
    committee = make_committee()
    grant(client, citizen.email, committee.id)

    response = grant(client, citizen.email, committee.id)

    assert response.status_code == 400
    assert 'id="committee_id-error"' in response.get_data(as_text=True)
    assert len(scopes_of(citizen)) == 1
    assert len(audit("moderator.granted")) == 1


def test_grant_needs_a_real_committee(client):
    as_admin(client)
    citizen = make_user()
    make_committee()

    assert grant(client, citizen.email, 0).status_code == 400
    assert grant(client, citizen.email, 999999).status_code == 400
    assert scopes_of(citizen) == []


def test_revoking_the_last_scope_makes_a_citizen_again(client):
    admin = as_admin(client)
    committee = make_committee()
    facilitator = make_moderator(committee)
    [scope] = scopes_of(facilitator)

    response = client.submit(f"/admin/moderators/{scope.id}/revoke", page="/admin/moderators")

    assert response.status_code == 302
    db.session.expire_all()
    assert scopes_of(facilitator) == []
    assert facilitator.role == Role.citizen
    [entry] = audit("moderator.revoked")
    assert (entry.actor_id, entry.target_id, entry.committee_id) == (admin.id, facilitator.id, committee.id)


def test_revoking_one_of_two_scopes_keeps_the_role(client):
    as_admin(client)
    first, second = make_committee(), make_committee()
    facilitator = make_moderator(first)
    grant(client, facilitator.email, second.id)
    scope = next(s for s in scopes_of(facilitator) if s.committee_id == first.id)

    client.submit(f"/admin/moderators/{scope.id}/revoke", page="/admin/moderators")

    db.session.expire_all()
    assert [s.committee_id for s in scopes_of(facilitator)] == [second.id]
    assert facilitator.role == Role.moderator


def test_revoking_an_unknown_scope_is_404(client):
    as_admin(client)

    assert client.submit("/admin/moderators/999999/revoke", page="/admin/moderators").status_code == 404


def test_revoke_refuses_get(client):
    as_admin(client)
    facilitator = make_moderator(make_committee())
    [scope] = scopes_of(facilitator)

    assert client.get(f"/admin/moderators/{scope.id}/revoke").status_code == 405
    assert len(scopes_of(facilitator)) == 1


# --- The first admin, from the command line ----------------------------------------------------

ADMIN_PASSWORD = "ocotillo-bisonte-granizo-83"


def create_admin(app, *args, env=None):
    return app.test_cli_runner().invoke(args=["users", "create-admin", *args], env=env)


def test_create_admin_command_creates_a_confirmed_admin(app, client):
    result = create_admin(app, "Garante@Example.org", "--password", ADMIN_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "garante@example.org" in result.output
    db.session.expire_all()
    admin = db.session.scalar(sa.select(User).where(User.email == "garante@example.org"))
    assert admin.role == Role.admin and admin.is_confirmed
    assert [e.target_id for e in audit("admin.created")] == [admin.id]
    assert login(client, "garante@example.org", ADMIN_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_admin_command_takes_the_password_from_the_environment(app):
    result = create_admin(app, "garante@example.org", env={"COCREA_ADMIN_PASSWORD": ADMIN_PASSWORD})

    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.role).where(User.email == "garante@example.org")) == Role.admin


def test_create_admin_command_refuses_a_weak_password(app):
    result = create_admin(app, "garante@example.org", "--password", "password1234")

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a clear message, not a traceback
    assert "Error" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_admin_command_refuses_a_password_with_the_email_in_it(app):
    result = create_admin(app, "garante@example.org", "--password", "garante-tejocote-mezquite")

    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_admin_command_refuses_an_invalid_email(app):
    result = create_admin(app, "not-an-email", "--password", ADMIN_PASSWORD)

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_admin_command_generates_a_working_password(app, client):
    result = create_admin(app, "garante@example.org", "--generate")

    assert result.exit_code == 0, result.output
    password = result.output.split("Password:")[1].strip()
    assert login(client, "garante@example.org", password).status_code == 302


def test_create_admin_command_promotes_an_existing_person_and_ends_their_sessions(app, client):
    citizen = make_user(email="persona@example.org")
    login(client, citizen.email)

    result = create_admin(app, "persona@example.org", "--password", ADMIN_PASSWORD)

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert citizen.role == Role.admin
    assert client.get("/account/profile").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_admin_command_refuses_an_organisation_account(app):
    org = make_organisation(email="org@example.org")

    result = create_admin(app, "org@example.org", "--password", ADMIN_PASSWORD)

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a clear message, not a traceback
    assert result.output.startswith("Error:")
    db.session.expire_all()
    assert org.role == Role.organisation


# --- Statement counts --------------------------------------------------------------------------


def _statements(client, url) -> int:
    db.session.expire_all()
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


@pytest.mark.parametrize("url", ["/admin/moderators", "/admin/organisations"])
def test_admin_lists_do_not_grow_in_statements_with_their_rows(client, url):
    from tests.factories import make_plan

    as_admin(client)
    make_moderator(make_committee())
    make_organisation(verified=False)
    few = _statements(client, url)
    for _ in range(8):
        make_moderator(make_committee(make_plan()))
        make_organisation(verified=False)
    assert _statements(client, url) == few
