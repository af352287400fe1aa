"""Two-factor authentication with TOTP (RFC 6238): enrolment, the login's second step, recovery codes."""
import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from app.accounts import session_store
from app.accounts.models import RecoveryCode, User, UserSession
from app.accounts.passwords import verify_password
from app.accounts.sealing import reseal, seal, unseal
from app.accounts.services import count_failed_login, is_locked, record_login
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.permissions import require
from app.extensions import db

RECOVERY_CODE_COUNT = 10
# 20 hexadecimal digits: 80 random bits, so an unsalted SHA-256 of one cannot be reversed.
RECOVERY_CODE_BYTES = 10
DIGITS = 6
INTERVAL = 30
ISSUER = "Cocrea"


def required_roles() -> set[str]:
    roles = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES") or ()
    if isinstance(roles, str):
        roles = roles.split(",")
    return {str(role).strip() for role in roles if str(role).strip()}


def is_required(user) -> bool:
    """Whether the user's role must use two-factor authentication (guarantor body, facilitators)."""
    return user is not None and getattr(user, "role", None) is not None and (
        user.role.value in required_roles()
    )


def must_enrol(user) -> bool:
    return is_required(user) and not user.two_factor_enabled


# --- codes -----------------------------------------------------------------------------------

def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)


def _digits(code: str | None) -> str:
    return re.sub(r"\s+", "", code or "")


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is: the current one, or one either side for clock drift."""
    code = _digits(code)
    # ASCII digits only: "\d" would also take other scripts' digits, which no app shows.
    if not re.fullmatch(rf"[0-9]{{{DIGITS}}}", code):
        return None
    totp = _totp(secret)
    current = int((now if now is not None else time.time()) // INTERVAL)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Accept a step only once, atomically: a replayed or parallel use of one code is refused."""
    result = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        user.totp_last_step = step
        return True
    return False


def _check_totp(user: User, code: str) -> bool:
    step = _matching_step(unseal(user.totp_secret), code) if user.totp_secret else None
    return step is not None and _claim_step(user, step)


def _normalise_recovery(code: str | None) -> str:
    return re.sub(r"[\s\-]+", "", code or "").lower()


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> bool:
    normalised = _normalise_recovery(code)
    if not re.fullmatch(rf"[0-9a-f]{{{RECOVERY_CODE_BYTES * 2}}}", normalised):
        return False
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _new_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code of the user; the plain codes are returned to be shown once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(RECOVERY_CODE_BYTES)
        codes.append("-".join(raw[i:i + 4] for i in range(0, len(raw), 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw)))
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# --- enrolment -------------------------------------------------------------------------------

def pending_secret(user: User, nonce: str) -> str:
    """The secret offered while enrolling, derived from a random nonce kept in the session.

    Nothing is written until a code confirms it (a GET never changes the database), the secret
    stays the same across reloads (a scanned QR code stays valid), and the session cookie holds
    only the nonce, useless without the server's key.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"totp-enrolment:{user.id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email or str(user.id), issuer_name=ISSUER)


def qr_svg(user: User, secret: str) -> Markup:
    """The enrolment QR code as inline SVG markup (CSP allows it; no script, no data: URI)."""
    qr = segno.make(provisioning_uri(user, secret), error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code",
                        title=_("QR code for your authenticator app"))
    # segno's markup holds only the path of the modules, nothing from the user: safe to embed.
    return Markup(svg)  # noqa: S704


def confirm_enrolment(user: User, secret: str, code: str, keep: UserSession | None = None) -> list[str]:
    """Turn two-factor authentication on once a code from the app proves the secret was saved."""
    if user.two_factor_enabled:
        raise ValidationError(_("Two-factor authentication is already on."), field="code")
    step = _matching_step(secret, code)
    if step is None:
        raise ValidationError(_("The code is not correct. Check the time on your phone and try again."),
                              field="code")
    user.totp_secret = seal(secret)
    user.totp_last_step = step  # the code just given cannot log in again
    user.totp_enabled_at = utcnow()
    # Sessions opened with the password alone end; the one enrolling (`keep`) goes on.
    session_store.end_sessions_of(user, "two_factor_enabled", keep=keep)
    codes = _new_recovery_codes(user)
    record(user, "account.two_factor_enabled", user)
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), proven by a current code from the app."""
    if not user.two_factor_enabled:
        raise ValidationError(_("Two-factor authentication is off."), field="code")
    if not _check_totp(user, code):
        raise ValidationError(_("The code is not correct."), field="code")
    codes = _new_recovery_codes(user)
    record(user, "account.recovery_codes_regenerated", user)
    db.session.flush()
    return codes


def disable_two_factor(user: User, password: str, code: str) -> None:
    """Turn two-factor authentication off: password and a code (or a recovery code) again."""
    require(user, "account.two_factor.disable", user)
    if not verify_password(user.password_hash, password or ""):
        raise ValidationError(_("The current password is not correct."), field="current_password")
    used_recovery = False
    if not _check_totp(user, code):
        used_recovery = _use_recovery_code(user, code)
        if not used_recovery:
            raise ValidationError(_("The code is not correct."), field="code")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(user, "account.two_factor_disabled", user, recovery_code=used_recovery)
    db.session.flush()


def reset_two_factor(user: User, reason: str) -> None:
    """The operator's way back for someone who lost both the device and every recovery code
    (`flask users reset-two-factor`): the second factor is removed, other sessions end, and an
    admin or facilitator must enrol again at the next login. Recorded with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the reset (how the person's identity was checked)."),
                              field="reason")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session_store.end_sessions_of(user, "two_factor_reset")
    record(None, "account.two_factor_reset", user, reason=reason[:500])
    db.session.flush()


# --- login -----------------------------------------------------------------------------------

def complete_login(user: User, code: str) -> bool:
    """The login's second step. A wrong code counts towards the lockout, as a wrong password does."""
    now = utcnow()
    if user.deleted_at is not None or not user.two_factor_enabled or is_locked(user, now):
        return False
    if _check_totp(user, code):
        record_login(user, now, method="totp")
    elif _use_recovery_code(user, code):
        record_login(user, now, method="recovery_code")
        record(user, "account.recovery_code_used", user, remaining=unused_recovery_codes(user))
    else:
        count_failed_login(user, now)
        db.session.flush()
        return False
    db.session.flush()
    return True


def rotate_totp_keys() -> int:
    """Encrypt every stored TOTP secret with the first TOTP_ENCRYPTION_KEYS key (the operator's
    `flask users rotate-totp-keys`); returns how many were rewritten."""
    users = db.session.scalars(sa.select(User).where(User.totp_secret.is_not(None))).all()
    for user in users:
        user.totp_secret = reseal(user.totp_secret)
    record(None, "account.totp_keys_rotated", None, secrets=len(users))
    db.session.flush()
    return len(users)
