"""Every change to accounts: registration, confirmation, login, reset, profile, deletion."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts import session_store, tokens
from app.accounts.export import export_user_data  # noqa: F401  (views call services.export_user_data)
from app.accounts.lifecycle import account_deleted
from app.accounts.models import (
    Organisation,
    RecoveryCode,
    Role,
    Sector,
    User,
    UserSession,
    Verification,
)
from app.accounts.municipalities import is_municipality_choice
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.mail import queue_mail
from app.core.uow import savepoint
from app.extensions import db


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    email = normalise_email(email)
    if not email:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def _current_locale() -> str:
    locale = get_locale()
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def _queue_confirmation(user: User) -> None:
    token = tokens.make_token("confirm", {"uid": user.id, "email": user.email})
    queue_mail(
        user.email,
        "confirm_email",
        locale=user.locale,
        user=user,
        url=url_for("accounts.confirm", token=token, _external=True),
    )


def _email_taken(email: str) -> bool:
    existing = find_by_email(email)
    if existing is None:
        return False
    # Tell the owner, never the visitor: the form answers the same either way.
    queue_mail(
        existing.email,
        "registration_attempt",
        locale=existing.locale,
        user=existing,
        login_url=url_for("accounts.login", _external=True),
        reset_url=url_for("accounts.forgot_password", _external=True),
    )
    db.session.flush()
    return True


def _added(user: User) -> bool:
    """Add a new account; False when its email was taken in the meantime (a parallel request)."""
    try:
        with savepoint():
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def _check_municipality(value) -> None:
    """One of the current plan's catalogue (or "outside"), whoever calls: the form checks it too."""
    if not is_municipality_choice(value):
        raise ValidationError(_("Choose your municipality from the list."), field="municipality")


def register_citizen(data: dict) -> User | None:
    """Create a citizen account and queue its confirmation; None when the email was taken."""
    return _register(data, data["name"], Role.citizen)


def register_organisation(data: dict) -> User | None:
    """Create an organisation's account (its verification pending) and queue its confirmation;
    None when the email was taken."""
    def organisation() -> Organisation:
        return Organisation(
            legal_name=data["legal_name"].strip(),
            sector=Sector(data["sector"]),
            contact_person=data["contact_person"].strip(),
            website=(data.get("website") or None),
            description=(data.get("description") or None),
            verification=Verification.pending,
        )

    return _register(data, data["legal_name"], Role.organisation, organisation=organisation)


def _register(data: dict, name: str, role: Role, organisation=None) -> User | None:
    """The steps both kinds of registration share: the account, its confirmation mail, the audit.
    `organisation` makes the account's organisation record, only once the account is new (a
    taken email builds nothing, and checks come in the order they always did)."""
    _check_municipality(data.get("municipality"))
    email = normalise_email(data["email"])
    if _email_taken(email):
        hash_password(data["password"])  # the same time as a new account: timing tells nothing
        return None
    user = User(
        email=email,
        name=name.strip(),
        municipality=data["municipality"],
        password_hash=hash_password(data["password"]),
        role=role,
        locale=_current_locale(),
    )
    if organisation is not None:
        user.organisation = organisation()
    if not _added(user):
        return None  # the same email registered in a parallel request
    _queue_confirmation(user)
    record(user, "account.registered", user, kind=role.value)
    db.session.flush()
    return user


def confirm_email(token: str) -> User | None:
    payload = tokens.read_token("confirm", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.deleted_at or user.email != payload.get("email"):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        record(user, "account.confirmed", user)
        db.session.flush()
    return user


def resend_confirmation(email: str) -> None:
    user = find_by_email(email)
    if user is not None and user.email_confirmed_at is None and user.deleted_at is None:
        _queue_confirmation(user)
        db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The user when the password is right and the account is not locked; counts failures.

    For an account with two-factor authentication the password is only the first step: the
    failure counter is not reset and no login is recorded until the second step succeeds
    (twofactor.complete_login), so that knowing the password does not reset the lockout.
    """
    user = find_by_email(email)
    now = utcnow()
    if user is None or user.deleted_at is not None:
        verify_password(None, password)
        return None
    if user.is_access_blocked:
        # The same answer whatever the password, and no attempt counted: a blocked account is no
        # oracle for its password. Only the block is told, not its reason (the admins keep it).
        verify_password(None, password)
        raise ValidationError(access_blocked_message())
    if is_locked(user, now):
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        count_failed_login(user, now)
        db.session.flush()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.two_factor_enabled:
        record_login(user, now)
    db.session.flush()
    return user


def access_blocked_message() -> str:
    return _("This account has been blocked by the guarantor body and cannot log in. If you think "
             "this is a mistake, write to the guarantor body.")


def is_locked(user: User, now=None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def count_failed_login(user: User, now=None) -> None:
    """One more failed password or code; at the threshold the account locks and its owner is told."""
    now = now or utcnow()
    threshold = current_app.config["LOCKOUT_THRESHOLD"]
    # One atomic statement, so parallel failures are all counted.
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    db.session.refresh(user)
    if user.failed_logins >= threshold:
        user.locked_until = now + timedelta(seconds=current_app.config["LOCKOUT_SECONDS"])
        user.failed_logins = 0
        record(None, "account.locked", user)
        queue_mail(
            user.email,
            "account_locked",
            locale=user.locale,
            user=user,
            minutes=current_app.config["LOCKOUT_SECONDS"] // 60,
            reset_url=url_for("accounts.forgot_password", _external=True),
        )


def record_login(user: User, now=None, **data) -> None:
    """A completed login: the counters start again."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now or utcnow()
    record(user, "account.login", user, **data)


def _reset_fingerprint(user: User) -> str:
    # Changes whenever the password or the email does: a used token no longer matches, nor
    # does one mailed to an address the account has since left.
    return (user.password_hash or "")[-16:] + str(user.session_version) + (user.email or "")


def request_password_reset(email: str) -> None:
    user = find_by_email(email)
    if user is None or user.deleted_at is not None:
        return
    token = tokens.make_token("reset", {"uid": user.id, "fp": _reset_fingerprint(user)})
    queue_mail(
        user.email,
        "reset_password",
        locale=user.locale,
        user=user,
        url=url_for("accounts.reset_password", token=token, _external=True),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )
    record(user, "account.reset_requested", user)
    db.session.flush()


def user_for_reset_token(token: str) -> User | None:
    payload = tokens.read_token("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.deleted_at is not None or payload.get("fp") != _reset_fingerprint(user):
        return None
    return user


def reset_password(token: str, new_password: str) -> User | None:
    user = user_for_reset_token(token)
    if user is None:
        return None
    _set_password(user, new_password)
    session_store.end_sessions_of(user, "password_reset")
    # Following the emailed link proves the address too.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    user.locked_until = None
    user.failed_logins = 0
    record(user, "account.password_reset", user)
    db.session.flush()
    return user


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_version = (user.session_version or 1) + 1


def _check_current_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise ValidationError(_("The current password is not correct."), field="current_password")


def change_password(user: User, current_password: str, new_password: str,
                    keep: UserSession | None = None) -> None:
    """A new password; every session but `keep` (the one making the change) ends."""
    _check_current_password(user, current_password)
    _set_password(user, new_password)
    session_store.end_sessions_of(user, "password_changed", keep=keep)
    record(user, "account.password_changed", user)
    queue_mail(user.email, "password_changed", locale=user.locale, user=user)
    db.session.flush()


def update_profile(user: User, data: dict) -> None:
    _check_municipality(data.get("municipality"))
    user.name = data["name"]
    user.municipality = data["municipality"]
    if data.get("locale") in current_app.config["LANGUAGES"]:
        user.locale = data["locale"]
    if user.organisation is not None:
        user.organisation.legal_name = data["name"]
        user.organisation.contact_person = data.get("contact_person") or user.organisation.contact_person
        user.organisation.website = data.get("website") or None
        user.organisation.description = data.get("description") or None
    record(user, "account.profile_updated", user)
    db.session.flush()


def request_email_change(user: User, new_email: str, current_password: str) -> None:
    _check_current_password(user, current_password)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ValidationError(_("That is already your email address."), field="new_email")
    user.pending_email = new_email
    if find_by_email(new_email) is None:
        token = tokens.make_token("email_change", {"uid": user.id, "email": new_email})
        queue_mail(
            new_email,
            "confirm_email_change",
            locale=user.locale,
            user=user,
            url=url_for("accounts.confirm_email_change", token=token, _external=True),
        )
    queue_mail(user.email, "email_change_requested", locale=user.locale, user=user, new_email=new_email)
    record(user, "account.email_change_requested", user)
    db.session.flush()


def confirm_email_change(token: str) -> User | None:
    payload = tokens.read_token("email_change", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.deleted_at is not None or user.pending_email != payload.get("email"):
        return None
    new_email = payload["email"]
    try:
        with savepoint():
            user.email, user.pending_email, user.email_confirmed_at = new_email, None, utcnow()
            db.session.flush()
    except sa.exc.IntegrityError:  # another account took the address meanwhile
        db.session.refresh(user)
        return None
    record(user, "account.email_changed", user)
    db.session.flush()
    return user


def delete_account(user: User, current_password: str) -> None:
    """Remove personal data; public contributions stay, shown as 'deleted account'."""
    _check_current_password(user, current_password)
    user.deleted_at = utcnow()
    user.email = None
    user.pending_email = None
    user.password_hash = None
    user.name = "—"
    user.municipality = None
    user.session_version += 1
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Where and with what the person signed in is personal data: the rows go with the account.
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    if user.organisation is not None:
        # An organisation's name stays: it is part of public records (rolls, registries).
        user.name = user.organisation.legal_name
        user.organisation.contact_person = "—"
        user.organisation.website = None
        user.organisation.description = None
    user.moderator_scopes.clear()
    if user.role == Role.moderator:
        user.role = Role.citizen
    # What other areas do with what they hold of the person (seats, candidacies, …).
    account_deleted(user)
    record(user, "account.deleted", user)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    """Remember the interface language a user chose."""
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale
        db.session.flush()
