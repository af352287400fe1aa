"""Acts of the guarantor body on accounts: verification, facilitators, first admin."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.accounts import session_store
from app.accounts.models import ModeratorScope, Organisation, Role, User, Verification
from app.accounts.passwords import hash_password
from app.accounts.services import find_by_email, normalise_email
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, ValidationError
from app.core.mail import queue_mail
from app.core.permissions import require
from app.core.uow import savepoint
from app.extensions import db
from app.plans.models import Committee


def decide_organisation(actor: User, organisation: Organisation, decision: str, reason: str | None):
    require(actor, "organisations.verify", organisation)
    reason = (reason or "").strip() or None
    if decision == "verify":
        if organisation.verification == Verification.verified:
            raise InvalidTransition(_("This organisation is already verified."))
        organisation.verification = Verification.verified
        organisation.rejection_reason = None
        action = "organisation.verified"
    elif decision == "reject":
        if not reason:
            raise ValidationError(_("Give the reason for the rejection."), field="reason")
        organisation.verification = Verification.rejected
        organisation.rejection_reason = reason
        action = "organisation.rejected"
    else:
        raise ValidationError(_("Choose verify or reject."), field="decision")
    organisation.verified_at = utcnow()
    organisation.verified_by_id = actor.id
    record(actor, action, organisation.user, reason=reason, public=True)
    if organisation.user.email:
        queue_mail(
            organisation.user.email,
            "organisation_decision",
            locale=organisation.user.locale,
            organisation=organisation,
            verified=decision == "verify",
            reason=reason,
            url=url_for("accounts.profile", _external=True),
        )
    db.session.flush()


def grant_moderator_scope(actor: User, email: str, committee_id: int) -> ModeratorScope:
    require(actor, "moderators.manage")
    user = find_by_email(email)
    if user is None:
        raise ValidationError(_("No account uses that email address."), field="email")
    if user.role in (Role.organisation, Role.admin):
        raise ValidationError(
            _("Only personal accounts can be facilitators; this account is an organisation or an admin."),
            field="email",
        )
    if not user.is_confirmed:
        raise ValidationError(_("That account has not confirmed its email address yet."), field="email")
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        raise NotFound(_("That committee does not exist."))
    if committee_id in user.committee_ids:
        raise ValidationError(_("That person already facilitates this committee."), field="committee_id")
    scope = ModeratorScope(user_id=user.id, committee_id=committee.id, granted_by_id=actor.id)
    try:
        with savepoint():
            db.session.add(scope)
            db.session.flush()
    except sa.exc.IntegrityError:  # granted twice in parallel
        raise ValidationError(
            _("That person already facilitates this committee."), field="committee_id"
        ) from None
    db.session.expire(user, ["moderator_scopes"])
    user.role = Role.moderator
    record(actor, "moderator.granted", user, committee_id=committee.id, public=True)
    db.session.flush()
    return scope


def revoke_moderator_scope(actor: User, scope_id: int) -> None:
    require(actor, "moderators.manage")
    scope = db.session.get(ModeratorScope, scope_id)
    if scope is None:
        raise NotFound(_("That facilitator scope does not exist."))
    user = scope.user
    committee_id = scope.committee_id
    user.moderator_scopes.remove(scope)
    if not user.moderator_scopes and user.role == Role.moderator:
        user.role = Role.citizen
    record(actor, "moderator.revoked", user, committee_id=committee_id, public=True)
    db.session.flush()


def create_admin(email: str, name: str, password: str) -> User:
    """The first guarantor-body account (from the command line; no actor to check)."""
    email = normalise_email(email)
    user = find_by_email(email)
    if user is None:
        user = User(email=email, name=name, role=Role.admin, password_hash=hash_password(password))
        db.session.add(user)
    else:
        if user.organisation is not None:
            raise ValidationError(_("An organisation's account cannot be an admin."))
        user.role = Role.admin
        user.password_hash = hash_password(password)
        user.session_version += 1
        session_store.end_sessions_of(user, "password_reset")
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    # The command line is the way back in when no admin can act: it lifts a block too.
    unblocked = user.access_blocked_at is not None
    user.access_blocked_at = user.access_blocked_reason = None
    db.session.flush()
    record(None, "admin.created", user, **({"unblocked": True} if unblocked else {}))
    db.session.flush()
    return user


def moderator_scopes():
    # The page shows each scope's person: loaded with the scopes, not one query per row.
    return db.session.scalars(
        sa.select(ModeratorScope)
        .join(ModeratorScope.user)
        .order_by(User.name)
        .options(sa.orm.contains_eager(ModeratorScope.user))
    ).unique().all()
