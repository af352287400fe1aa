"""The guarantor body's acts on accounts (app/admin/users.py): who may, the self and last-admin
rules, the audit rows, sessions ended on a block and a blocked account refused at login."""
import pytest
import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Role, User, UserSession
from app.admin import users
from app.core.audit import AuditEntry
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.core.mail import OutboxMessage
from app.core.permissions import can
from app.extensions import db
from tests.conftest import login, login_through_form
from tests.factories import make_admin, make_committee, make_moderator, make_organisation, make_user

REASON = "Suplantación de identidad <b>comprobada</b>"


def entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def open_sessions(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(UserSession.id)).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)))


# --- Permissions -------------------------------------------------------------------------------

ACTORS = {
    "anonymous": lambda: None,
    "citizen": make_user,
    "organisation": make_organisation,
    "facilitator": lambda: make_moderator(make_committee()),
    "unconfirmed admin": lambda: make_admin(confirmed=False),
}


@pytest.mark.parametrize("kind", ACTORS)
def test_only_the_guarantor_body_manages_accounts(kind):
    actor = ACTORS[kind]()
    target = make_user()

    assert not can(actor, "admin.users.manage", target)
    for act in (
        lambda: users.change_role(actor, target, {"role": "admin", "reason": REASON}),
        lambda: users.block_user(actor, target, {"reason": REASON}),
        lambda: users.unblock_user(actor, target, {"reason": REASON}),
        lambda: users.resend_confirmation_for(actor, target),
    ):
        with pytest.raises(PermissionDenied):
            act()
    db.session.expire_all()
    assert target.role == Role.citizen and target.access_blocked_at is None


def test_an_admin_manages_accounts():
    assert can(make_admin(), "admin.users.manage", make_user())


# --- Roles -------------------------------------------------------------------------------------


def test_change_role_records_who_why_and_from_what():
    admin, citizen = make_admin(), make_user()

    users.change_role(admin, citizen, {"role": "admin", "reason": REASON})

    assert citizen.role == Role.admin
    [entry] = entries("user.role_changed")
    assert (entry.actor_id, entry.target_id, entry.reason, entry.public) == (admin.id, citizen.id, REASON, True)
    assert entry.data == {"previous": "citizen", "role": "admin"}


def test_leaving_the_facilitator_role_ends_the_scopes_each_recorded():
    admin = make_admin()
    first, second = make_committee(), make_committee()
    facilitator = make_moderator(first)
    db.session.add(ModeratorScope(user_id=facilitator.id, committee_id=second.id))
    db.session.commit()

    users.change_role(admin, facilitator, {"role": "citizen", "reason": REASON})

    assert facilitator.role == Role.citizen
    assert db.session.scalars(sa.select(ModeratorScope).where(
        ModeratorScope.user_id == facilitator.id)).all() == []
    assert sorted(e.committee_id for e in entries("moderator.revoked")) == sorted([first.id, second.id])


@pytest.mark.parametrize("data, field", [
    ({"role": "citizen", "reason": REASON}, "role"),       # already its role
    ({"role": "emperor", "reason": REASON}, "role"),       # not a role
    ({"role": "organisation", "reason": REASON}, "role"),  # no organisation record
    ({"role": "moderator", "reason": "   "}, "reason"),
    ({"role": "moderator", "reason": "x" * 2001}, "reason"),
])
def test_change_role_refuses_bad_input(data, field):
    citizen = make_user()

    with pytest.raises(ValidationError) as refused:
        users.change_role(make_admin(), citizen, data)

    assert refused.value.field == field
    assert citizen.role == Role.citizen and entries("user.role_changed") == []


def test_an_organisation_keeps_its_role():
    organisation = make_organisation()

    with pytest.raises(ValidationError):
        users.change_role(make_admin(), organisation, {"role": "admin", "reason": REASON})

    assert organisation.role == Role.organisation
    assert users.role_choices(organisation) == [Role.organisation]


def test_an_admin_cannot_demote_themselves():
    admin = make_admin()
    make_admin()  # another admin: the refusal is the self rule, not the last-admin one

    with pytest.raises(ValidationError, match="propio rol"):
        users.change_role(admin, admin, {"role": "citizen", "reason": REASON})

    assert admin.role == Role.admin


def demoted_meanwhile(admin: User) -> User:
    """`admin` as a request that checked its permission still holds it, while another request has
    since demoted the account (the race the last-admin rule closes: two admins demoting each other
    at once; the rows are locked, so the later one reads the earlier one's change)."""
    db.session.execute(sa.update(User).where(User.id == admin.id).values(role=Role.citizen)
                       .execution_options(synchronize_session=False))
    return admin


@pytest.mark.parametrize("act", [
    lambda actor, target: users.change_role(actor, target, {"role": "citizen", "reason": REASON}),
    lambda actor, target: users.block_user(actor, target, {"reason": REASON}),
])
def test_the_last_active_admin_cannot_be_demoted_or_blocked(act):
    actor, last = make_admin(), make_admin()
    make_admin(confirmed=False)  # an admin who never confirmed the address does not count
    blocked = make_admin()
    blocked.access_blocked_at = blocked.created_at  # nor does a blocked one
    db.session.commit()
    demoted_meanwhile(actor)

    with pytest.raises(ValidationError, match="última cuenta administradora") as refused:
        act(actor, last)

    assert refused.value.field in ("role", "reason")
    assert last.role == Role.admin and not last.is_access_blocked


def test_demoting_one_of_two_admins_is_allowed():
    first, second = make_admin(), make_admin()

    users.change_role(first, second, {"role": "citizen", "reason": REASON})

    assert second.role == Role.citizen


def test_a_deleted_account_cannot_change():
    citizen = make_user()
    citizen.deleted_at = citizen.created_at

    with pytest.raises(InvalidTransition):
        users.change_role(make_admin(), citizen, {"role": "admin", "reason": REASON})


# --- Blocking ----------------------------------------------------------------------------------


def test_blocking_records_the_reason_and_ends_every_session(client, other_client):
    admin, citizen = make_admin(), make_user()
    login(client, citizen.email)
    login(other_client, citizen.email, remember=True)
    assert open_sessions(citizen) == 2

    users.block_user(admin, citizen, {"reason": REASON})
    db.session.commit()

    assert citizen.is_access_blocked and citizen.access_blocked_reason == REASON
    assert open_sessions(citizen) == 0
    [entry] = entries("user.access_blocked")
    assert (entry.actor_id, entry.target_id, entry.reason, entry.data) == (
        admin.id, citizen.id, REASON, {"sessions": 2})
    for browser in (client, other_client):
        response = browser.get("/account/profile")
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_a_session_row_left_open_opens_nothing_for_a_blocked_account(client):
    citizen = make_user()
    login(client, citizen.email)
    citizen.access_blocked_at = citizen.created_at  # blocked without the service: defence in depth
    db.session.commit()

    assert client.get("/account/profile").status_code == 302


@pytest.mark.parametrize("password", ["the right one", "a wrong one"])
def test_a_blocked_account_is_refused_at_login_with_one_message(client, password):
    from tests.conftest import PASSWORD

    citizen = make_user()
    users.block_user(make_admin(), citizen, {"reason": REASON})
    db.session.commit()

    response = login_through_form(client, citizen.email, PASSWORD if password == "the right one" else "nope-" * 3)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "bloqueada por el Órgano Garante" in html
    assert REASON not in html and "Suplantación" not in html  # the reason stays with the admins
    assert citizen.email in html  # the form keeps what was typed
    assert open_sessions(citizen) == 0
    db.session.refresh(citizen)
    assert citizen.failed_logins == 0  # no attempt counted: no lockout mail for a blocked account


def test_a_blocked_account_logs_in_again_once_unblocked(client):
    admin, citizen = make_admin(), make_user()
    users.block_user(admin, citizen, {"reason": REASON})
    users.unblock_user(admin, citizen, {"reason": "Identidad aclarada"})
    db.session.commit()

    assert login_through_form(client, citizen.email).status_code == 302
    assert citizen.access_blocked_at is None and citizen.access_blocked_reason is None
    [entry] = entries("user.access_unblocked")
    assert (entry.actor_id, entry.reason) == (admin.id, "Identidad aclarada")


def test_block_needs_a_reason_and_happens_once():
    admin, citizen = make_admin(), make_user()

    with pytest.raises(ValidationError) as refused:
        users.block_user(admin, citizen, {"reason": " \n "})
    assert refused.value.field == "reason" and not citizen.is_access_blocked

    users.block_user(admin, citizen, {"reason": REASON})
    with pytest.raises(InvalidTransition):
        users.block_user(admin, citizen, {"reason": REASON})
    assert len(entries("user.access_blocked")) == 1


def test_unblocking_an_account_that_is_not_blocked_is_refused():
    with pytest.raises(InvalidTransition):
        users.unblock_user(make_admin(), make_user(), {"reason": REASON})


def test_an_admin_cannot_block_themselves():
    admin = make_admin()
    make_admin()

    with pytest.raises(ValidationError, match="No puedes bloquear"):
        users.block_user(admin, admin, {"reason": REASON})

    assert not admin.is_access_blocked


def test_blocking_one_of_two_admins_is_allowed():
    first, second = make_admin(), make_admin()

    users.block_user(first, second, {"reason": REASON})

    assert second.is_access_blocked


def test_blocking_keeps_the_public_content():
    from tests.factories import HOSTILE

    citizen = make_user()
    name = citizen.name

    users.block_user(make_admin(), citizen, {"reason": REASON})

    assert citizen.name == name and citizen.deleted_at is None and HOSTILE in citizen.display_name


# --- Confirmation ------------------------------------------------------------------------------


def test_resend_confirmation_queues_the_link_and_records_it(app):
    admin, person = make_admin(), make_user(confirmed=False)

    with app.test_request_context("/"):  # the link is built as an absolute URL
        users.resend_confirmation_for(admin, person)

    [mail] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == person.email)).all()
    assert "/account/confirm/" in mail.body
    [entry] = entries("account.confirmation_resent")
    assert (entry.actor_id, entry.target_id) == (admin.id, person.id)


def test_resend_confirmation_to_a_confirmed_account_is_refused():
    with pytest.raises(InvalidTransition):
        users.resend_confirmation_for(make_admin(), make_user())
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
