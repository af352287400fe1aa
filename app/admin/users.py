"""The guarantor body's acts on people's accounts: roles, blocks, confirmation mail.

Each service checks "admin.users.manage", refuses what would lock the platform out of its own
administration (an admin acting on their own account, the last active admin), writes the audit
entry and flushes; the request's unit of work commits.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts import services as accounts_services
from app.accounts import session_store
from app.accounts.models import Role, User
from app.admin import permissions as _rules  # noqa: F401  (registers the rules)
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_text
from app.extensions import db

MAX_REASON = 2000


def _reason(data: dict, required_message: str) -> str:
    text = clean_text((data or {}).get("reason"))
    if not text:
        raise ValidationError(required_message, field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(_("Use at most %(n)d characters.", n=MAX_REASON), field="reason")
    return text


def _not_deleted(user: User) -> None:
    if user.deleted_at is not None:
        raise InvalidTransition(_("This account has been deleted; nothing can be changed on it."))


def active_admin_clause():
    """Admins who can act: the role, a confirmed address, not deleted, not blocked."""
    return sa.and_(User.role == Role.admin, User.email_confirmed_at.is_not(None),
                   User.deleted_at.is_(None), User.access_blocked_at.is_(None))


def _keep_one_admin(user: User, field: str, message: str) -> None:
    """Refuse when `user` is the only active admin left.

    Two admins demoting each other at once must not both succeed. PostgreSQL locks the active
    admins' rows (FOR UPDATE, in id order): the second change waits for the first, then no longer
    counts the admin it demoted. SQLite has no row locks: a first write takes the database's write
    lock, so the second change waits for the first to commit before it reads."""
    if user.role != Role.admin:
        return
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(User).where(User.id == user.id)
                           .values(session_version=User.session_version)
                           .execution_options(synchronize_session=False))
    admins = db.session.scalars(
        sa.select(User.id).where(active_admin_clause()).order_by(User.id).with_for_update()
    ).all()
    if user.id in admins and len(admins) <= 1:
        raise ValidationError(message, field=field)


def role_choices(user: User) -> list[Role]:
    """The roles `user` may be given: an organisation's account keeps its role (it is not a person:
    it cannot facilitate or administer); a person's account cannot become an organisation."""
    if user.organisation is not None:
        return [Role.organisation]
    return [Role.citizen, Role.moderator, Role.admin]


def change_role(actor: User, user: User, data: dict) -> User:
    """Give `user` another role (data: role, reason). Leaving the facilitator role ends the
    person's committee scopes, each recorded as a revocation."""
    require(actor, "admin.users.manage", user)
    _not_deleted(user)
    try:
        role = Role((data or {}).get("role") or "")
    except ValueError:
        raise ValidationError(_("Choose a role."), field="role") from None
    if role == user.role:
        raise ValidationError(_("The account already has that role."), field="role")
    if role not in role_choices(user):
        raise ValidationError(
            _("An organisation's account keeps the organisation role.")
            if user.organisation is not None
            else _("Only an account registered as an organisation can have the organisation role."),
            field="role",
        )
    reason = _reason(data, _("Give the reason for the change of role."))
    if user.id == actor.id:
        raise ValidationError(_("You cannot change your own role: ask another admin."), field="role")
    _keep_one_admin(user, "role", _("This is the last active admin: name another admin first."))
    previous = user.role
    if previous == Role.moderator:
        for scope in list(user.moderator_scopes):
            record(actor, "moderator.revoked", user, committee_id=scope.committee_id, public=True)
            user.moderator_scopes.remove(scope)
    user.role = role
    record(actor, "user.role_changed", user, reason=reason, public=True,
           previous=previous.value, role=role.value)
    db.session.flush()
    return user


def block_user(actor: User, user: User, data: dict) -> User:
    """Block `user` from signing in (data: reason); their open sessions end at once. What they
    published stays: it is part of the public record."""
    require(actor, "admin.users.manage", user)
    _not_deleted(user)
    if user.is_access_blocked:
        raise InvalidTransition(_("This account is already blocked."))
    reason = _reason(data, _("Give the reason for blocking the account."))
    if user.id == actor.id:
        raise ValidationError(_("You cannot block your own account."), field="reason")
    _keep_one_admin(user, "reason", _("This is the last active admin: it cannot be blocked."))
    user.access_blocked_at = utcnow()
    user.access_blocked_reason = reason
    # Bumped as a password change does: a half-finished two-factor login and reset links die too.
    user.session_version = (user.session_version or 1) + 1
    ended = session_store.end_sessions_of(user, "blocked")
    record(actor, "user.access_blocked", user, reason=reason, sessions=ended)
    db.session.flush()
    return user


def unblock_user(actor: User, user: User, data: dict) -> User:
    """Let `user` sign in again (data: reason)."""
    require(actor, "admin.users.manage", user)
    _not_deleted(user)
    if not user.is_access_blocked:
        raise InvalidTransition(_("This account is not blocked."))
    reason = _reason(data, _("Give the reason for unblocking the account."))
    user.access_blocked_at = None
    user.access_blocked_reason = None
    record(actor, "user.access_unblocked", user, reason=reason)
    db.session.flush()
    return user


def resend_confirmation_for(actor: User, user: User) -> None:
    """Send `user` a new confirmation link, as the person could from the login pages."""
    require(actor, "admin.users.manage", user)
    _not_deleted(user)
    if user.email_confirmed_at is not None:
        raise InvalidTransition(_("This account has already confirmed its email address."))
    accounts_services.resend_confirmation(user.email)
    record(actor, "account.confirmation_resent", user)
    db.session.flush()
