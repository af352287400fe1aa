"""TOTP secrets are encrypted at rest with rotatable keys, and the login still reads them."""
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.fernet import Fernet

from app.accounts import sealing, twofactor
from app.accounts.models import User
from app.core.audit import AuditEntry
from app.extensions import db
from tests.factories import make_user

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def stored_secret(user) -> str:
    return db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id))


def test_the_secret_is_stored_encrypted_and_read_back(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    user = make_user()
    code = twofactor._totp(SECRET).now()

    twofactor.confirm_enrolment(user, SECRET, code)

    stored = stored_secret(user)
    assert stored.startswith("fernet:") and SECRET not in stored
    assert sealing.unseal(stored) == SECRET


def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_can_go(app, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", old)
    user = make_user()
    twofactor.confirm_enrolment(user, SECRET, twofactor._totp(SECRET).now())
    legacy = make_user()
    legacy.totp_secret = SECRET  # stored before encryption existed
    db.session.commit()

    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", f"{new},{old}")
    result = CliRunner().invoke(app.cli, ["users", "rotate-totp-keys"], obj=app.cli.make_context)
    assert result.exit_code == 0, result.output
    assert "2 two-factor secrets" in result.output

    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", new)  # the old key removed
    db.session.expire_all()
    assert sealing.unseal(stored_secret(user)) == SECRET
    assert sealing.unseal(stored_secret(legacy)) == SECRET
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.totp_keys_rotated"))


def test_a_secret_no_key_opens_is_a_clear_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    sealed = sealing.seal(SECRET)
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", Fernet.generate_key().decode())

    try:
        sealing.unseal(sealed)
    except sealing.SealingError as exc:
        assert "TOTP_ENCRYPTION_KEYS" in str(exc)
    else:
        raise AssertionError("a secret sealed with another key was opened")


def test_without_keys_a_key_derived_from_the_secret_key_is_used(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", "")
    sealed = sealing.seal(SECRET)
    assert sealed.startswith("fernet:") and sealing.unseal(sealed) == SECRET
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-of-sufficient-length-000")
    with pytest.raises(sealing.SealingError):  # the derived key depends on SECRET_KEY
        sealing.unseal(sealed)
