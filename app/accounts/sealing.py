"""TOTP secrets encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256), with keys that rotate.

TOTP_ENCRYPTION_KEYS holds one or more Fernet keys separated by commas: the first encrypts, all
of them decrypt, so a new key is put first, `flask users rotate-totp-keys` re-encrypts every
secret with it, and the old key can then be removed. Without the setting (development and tests)
a key is derived from SECRET_KEY; `flask check` calls that an error in production, because the
secrets would then be lost when SECRET_KEY changes.

A stored secret is "fernet:" followed by the token. A value without the prefix is a secret
stored before encryption existed: it is still read, and the rotation command encrypts it.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

PREFIX = "fernet:"


class SealingError(RuntimeError):
    """A stored secret that none of the configured keys opens."""


def configured_keys() -> list[str]:
    raw = current_app.config.get("TOTP_ENCRYPTION_KEYS") or ""
    if isinstance(raw, list | tuple):
        return [str(key).strip() for key in raw if str(key).strip()]
    return [key.strip() for key in raw.split(",") if key.strip()]


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"cocrea-totp-sealing:" + current_app.config["SECRET_KEY"].encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    # Built per call from the settings (microseconds): nothing is shared between threads.
    keys = [key.encode() for key in configured_keys()] or [_derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


def valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def seal(secret: str) -> str:
    return PREFIX + _fernet().encrypt(secret.encode()).decode()


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def unseal(stored: str) -> str:
    if not is_sealed(stored):
        return stored  # stored before encryption existed; `flask users rotate-totp-keys` seals it
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise SealingError("no configured TOTP_ENCRYPTION_KEYS key opens this secret") from exc


def reseal(stored: str) -> str:
    """The same secret, encrypted with the first key (plain legacy values are encrypted)."""
    if not is_sealed(stored):
        return seal(stored)
    try:
        return PREFIX + _fernet().rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise SealingError("no configured TOTP_ENCRYPTION_KEYS key opens this secret") from exc
