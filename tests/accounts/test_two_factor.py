"""Two-factor authentication: enrolment, the login's second step, recovery codes, replay, lockout,
the requirement for the guarantor body and facilitators, and turning it off."""
import hashlib
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from app.accounts import twofactor
from app.accounts.models import RecoveryCode, Role, User
from app.accounts.sealing import unseal
from app.core.audit import AuditEntry
from app.extensions import db
from tests.conftest import PASSWORD, login_through_form, next_totp_code
from tests.factories import make_admin, make_committee, make_moderator, make_user

TWO_FACTOR = "/account/two-factor"
SECOND_STEP = "/account/login/two-factor"


@pytest.fixture
def required(monkeypatch, app):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ["admin", "moderator"])


def is_logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def code_now(user: User, offset_steps: int = 0) -> str:
    db.session.refresh(user)
    return pyotp.TOTP(unseal(user.totp_secret)).generate_otp(int(time.time()) // 30 + offset_steps)


def actions_on(user: User) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.target_id == user.id).order_by(AuditEntry.id)
    ).all()


def offered_secret(client) -> str:
    """The key the enrolment page offers, as a person would type it into the app."""
    html = client.get(TWO_FACTOR).get_data(as_text=True)
    match = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', html)
    assert match, "no key on the enrolment page"
    return match.group(1).replace(" ", "")


def enrol(client, user: User) -> list[str]:
    """Enrol through the pages; the recovery codes shown once."""
    code = pyotp.TOTP(offered_secret(client)).now()
    response = client.submit(f"{TWO_FACTOR}/enable", {"code": code}, page=TWO_FACTOR)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return re.findall(r"<code>([0-9a-f]{4}(?:-[0-9a-f]{4}){4})</code>", response.get_data(as_text=True))


def enrolled_user(client, role: Role = Role.citizen) -> tuple[User, list[str]]:
    user = make_user(role)
    login_through_form(client, user.email)
    codes = enrol(client, user)
    client.submit("/account/logout", page="/account/profile")
    assert not is_logged_in(client)
    return user, codes


def password_step(client, user: User, remember: bool = False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.submit("/account/login", data)


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrolment_page_shows_the_key_and_an_inline_svg_qr_code(client):
    user = make_user()
    login_through_form(client, user.email)

    response = client.get(TWO_FACTOR)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    secret = offered_secret(client)
    assert len(secret) == 32
    assert "<svg" in html and 'class="qr-code"' in html
    main = html.split('<main', 1)[1].split("</main>", 1)[0]
    assert "data:" not in main and "<script" not in main and "style=" not in main
    assert response.headers["Cache-Control"] == "no-store"
    # Reloading keeps the key, so a QR code already scanned stays valid; nothing is stored yet.
    assert offered_secret(client) == secret
    db.session.refresh(user)
    assert user.totp_secret is None and not user.two_factor_enabled


def test_each_account_and_each_enrolment_gets_its_own_key(client, other_client):
    user, other = make_user(), make_user()
    login_through_form(client, user.email)
    login_through_form(other_client, other.email)

    assert offered_secret(client) != offered_secret(other_client)


def test_two_factor_pages_need_a_login(client):
    response = client.get(TWO_FACTOR)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_a_wrong_code_keeps_the_form_and_does_not_enable(client):
    user = make_user()
    login_through_form(client, user.email)
    right = pyotp.TOTP(offered_secret(client)).now()

    response = client.submit(f"{TWO_FACTOR}/enable", {"code": "000000" if right != "000000"
                                                      else "111111"}, page=TWO_FACTOR)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "error-summary" in html and 'name="code"' in html and "<svg" in html
    db.session.refresh(user)
    assert not user.two_factor_enabled
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "9" * 10_000, "１２３４５６"])
def test_malformed_codes_are_a_clear_400(client, code):
    user = make_user()
    login_through_form(client, user.email)
    client.get(TWO_FACTOR)

    response = client.submit(f"{TWO_FACTOR}/enable", {"code": code}, page=TWO_FACTOR)

    assert response.status_code == 400
    db.session.refresh(user)
    assert not user.two_factor_enabled


def test_the_right_code_enables_and_shows_ten_recovery_codes_once(client):
    user = make_user()
    login_through_form(client, user.email)

    codes = enrol(client, user)

    db.session.refresh(user)
    assert user.two_factor_enabled and user.totp_last_step is not None
    assert len(codes) == 10 == len(set(codes))
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert sorted(stored) == sorted(hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes)
    assert not any(code.replace("-", "") in stored for code in codes)
    assert "account.two_factor_enabled" in actions_on(user)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.two_factor_enabled"))
    assert entry.public is False
    # Shown once: the page afterwards lists how many are left, never the codes.
    html = client.get(TWO_FACTOR).get_data(as_text=True)
    assert is_logged_in(client)
    assert not any(code in html for code in codes)
    assert "10 unused recovery codes" in html or "10 códigos de recuperación" in html


def test_enabling_ends_the_other_sessions_but_keeps_this_one(client, other_client):
    user = make_user()
    login_through_form(client, user.email)
    login_through_form(other_client, user.email, remember=True)

    enrol(client, user)

    assert is_logged_in(client)
    assert not is_logged_in(other_client)
    assert not is_logged_in(other_client)  # nor does its remember cookie bring it back


# --- Login -------------------------------------------------------------------------------------


def test_password_alone_leads_to_the_second_step_not_a_login(client):
    user, _codes = enrolled_user(client)

    response = password_step(client, user)

    assert response.status_code == 302
    assert response.headers["Location"] == SECOND_STEP
    assert not is_logged_in(client)
    assert client.get(SECOND_STEP).status_code == 200


def test_the_right_code_completes_the_login_and_follows_next(client):
    user, _codes = enrolled_user(client)
    client.submit("/account/login?next=/account/profile", {"email": user.email, "password": PASSWORD})

    response = client.submit(SECOND_STEP, {"code": code_now(user, +1)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    assert is_logged_in(client)
    assert actions_on(user).count("account.login") == 2  # enrolment's login and this one


def test_a_wrong_code_shows_an_error_and_counts_as_a_failure(client):
    user, _codes = enrolled_user(client)
    password_step(client, user)

    response = client.submit(SECOND_STEP, {"code": "12345x"})

    assert response.status_code == 400
    assert "error-message" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    db.session.refresh(user)
    assert user.failed_logins == 1


def test_a_used_code_cannot_be_replayed(client, other_client):
    user, _codes = enrolled_user(client)
    code = code_now(user, +1)
    password_step(client, user)
    assert client.submit(SECOND_STEP, {"code": code}).status_code == 302

    password_step(other_client, user)
    replay = other_client.submit(SECOND_STEP, {"code": code})

    assert replay.status_code == 400
    assert not is_logged_in(other_client)


def test_a_recovery_code_logs_in_once(client, other_client):
    user, codes = enrolled_user(client)
    password_step(client, user)

    first = client.submit(SECOND_STEP, {"code": codes[0].upper().replace("-", " ")})

    assert first.status_code == 302 and is_logged_in(client)
    assert "account.recovery_code_used" in actions_on(user)
    password_step(other_client, user)
    again = other_client.submit(SECOND_STEP, {"code": codes[0]})
    assert again.status_code == 400
    assert not is_logged_in(other_client)
    assert twofactor.unused_recovery_codes(user) == 9


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, app):
    user, _codes = enrolled_user(client)
    threshold = app.config["LOCKOUT_THRESHOLD"]
    password_step(client, user)
    for _ in range(threshold - 1):
        assert client.submit(SECOND_STEP, {"code": "000000x"}).status_code == 400

    last = client.submit(SECOND_STEP, {"code": "000000x"})

    assert last.status_code == 302 and last.headers["Location"] == "/account/login"
    db.session.refresh(user)
    assert user.locked_until is not None
    # Locked: the right password no longer even reaches the second step.
    assert password_step(client, user).status_code == 400


def test_entering_the_password_again_does_not_reset_the_code_failures(client, app):
    user, _codes = enrolled_user(client)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        assert password_step(client, user).headers["Location"] == SECOND_STEP
        client.submit(SECOND_STEP, {"code": "000000x"})

    db.session.refresh(user)
    assert user.locked_until is not None


def test_a_locked_account_refuses_even_the_right_code(client, app):
    user, _codes = enrolled_user(client)
    password_step(client, user)
    user.locked_until = twofactor.utcnow().replace(year=2999)
    db.session.commit()

    response = client.submit(SECOND_STEP, {"code": code_now(user, +1)})

    assert response.status_code in (302, 400)
    assert not is_logged_in(client)


def test_the_half_login_expires_after_five_minutes(client, clock):
    user, _codes = enrolled_user(client)
    password_step(client, user)

    clock(5 * 60 + 1)
    response = client.submit(SECOND_STEP, {"code": code_now(user)}, page="/account/login")

    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert not is_logged_in(client)
    assert client.get(SECOND_STEP).headers["Location"] == "/account/login"


def test_the_second_step_without_a_password_goes_back_to_login(client):
    response = client.get(SECOND_STEP)

    assert response.status_code == 302 and response.headers["Location"] == "/account/login"


def test_the_second_step_is_rate_limited(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "RATELIMIT_TWO_FACTOR", "2 per minute")
    user, _codes = enrolled_user(client)
    password_step(client, user)
    token = client.csrf_token(SECOND_STEP)

    statuses = [client.post(SECOND_STEP, data={"code": "x", "csrf_token": token}).status_code
                for _ in range(3)]

    assert statuses[-1] == 429


def test_remember_me_is_kept_through_the_second_step(client):
    user, _codes = enrolled_user(client)
    password_step(client, user, remember=True)
    assert client.get_cookie("remember_token") is None

    client.submit(SECOND_STEP, {"code": next_totp_code(user.email)})

    assert client.get_cookie("remember_token") is not None


# --- Requirement for the guarantor body and facilitators --------------------------------------


@pytest.mark.parametrize("maker", [make_admin, lambda: make_moderator(make_committee())])
def test_admins_and_facilitators_must_enrol_before_anything_else(client, required, maker):
    user = maker()
    login_through_form(client, user.email)

    for page in ("/", "/account/profile", "/admin/", "/proposals/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"] == TWO_FACTOR, page
    assert client.get(TWO_FACTOR).status_code == 200

    enrol(client, user)

    assert client.get("/account/profile").status_code == 200


def test_a_citizen_is_not_required_to_enrol(client, required):
    user = make_user()
    login_through_form(client, user.email)

    assert client.get("/account/profile").status_code == 200


def test_logout_stays_possible_before_enrolling(client, required):
    admin = make_admin()
    login_through_form(client, admin.email)

    response = client.submit("/account/logout", page=TWO_FACTOR)

    assert response.status_code == 302
    assert client.get(TWO_FACTOR).status_code == 302  # login required now


def test_without_the_flag_admins_are_not_forced(client):
    admin = make_admin()
    login_through_form(client, admin.email)

    assert client.get("/account/profile").status_code == 200


# --- Recovery codes and turning it off ---------------------------------------------------------


def test_regenerating_codes_needs_a_current_code_and_voids_the_old_ones(client, other_client, clock):
    user, old = enrolled_user(client)
    login_through_form(client, user.email)
    clock(60)  # the codes of the logins so far are used up

    wrong = client.submit(f"{TWO_FACTOR}/recovery-codes", {"regenerate-code": "000000x"}, page=TWO_FACTOR)
    assert wrong.status_code == 400
    response = client.submit(f"{TWO_FACTOR}/recovery-codes",
                             {"regenerate-code": next_totp_code(user.email)}, page=TWO_FACTOR)

    new = re.findall(r"<code>([0-9a-f-]{24})</code>", response.get_data(as_text=True))
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert "account.recovery_codes_regenerated" in actions_on(user)
    password_step(other_client, user)
    assert other_client.submit(SECOND_STEP, {"code": old[1]}).status_code == 400


def test_disabling_needs_the_password_and_a_code(client, clock):
    user, _codes = enrolled_user(client)
    login_through_form(client, user.email)
    clock(60)  # the codes of the logins so far are used up

    no_password = client.submit(f"{TWO_FACTOR}/disable",
                                {"disable-current_password": "wrong-password-here",
                                 "disable-code": next_totp_code(user.email)}, page=TWO_FACTOR)
    no_code = client.submit(f"{TWO_FACTOR}/disable",
                            {"disable-current_password": PASSWORD, "disable-code": "000000x"},
                            page=TWO_FACTOR)
    assert no_password.status_code == no_code.status_code == 400
    db.session.refresh(user)
    assert user.two_factor_enabled

    done = client.submit(f"{TWO_FACTOR}/disable",
                         {"disable-current_password": PASSWORD, "disable-code": next_totp_code(user.email)},
                         page=TWO_FACTOR)

    assert done.status_code == 302
    db.session.refresh(user)
    assert not user.two_factor_enabled and user.totp_secret is None
    assert twofactor.unused_recovery_codes(user) == 0
    assert "account.two_factor_disabled" in actions_on(user)
    client.submit("/account/logout", page="/account/profile")
    assert login_through_form(client, user.email).headers["Location"] == "/"


def test_an_admin_cannot_disable_while_it_is_required(client, required):
    admin = make_admin()
    login_through_form(client, admin.email)
    enrol(client, admin)

    page = client.get(TWO_FACTOR).get_data(as_text=True)
    response = client.submit(f"{TWO_FACTOR}/disable",
                             {"disable-current_password": PASSWORD,
                              "disable-code": next_totp_code(admin.email)}, page=TWO_FACTOR)

    assert 'action="/account/two-factor/disable"' not in page
    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.two_factor_enabled


def test_deleting_the_account_forgets_the_second_factor(client):
    user, _codes = enrolled_user(client)
    login_through_form(client, user.email)

    client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})

    db.session.refresh(user)
    assert user.deleted_at is not None and user.totp_secret is None
    assert twofactor.unused_recovery_codes(user) == 0


def test_the_operator_can_reset_a_lost_second_factor_with_a_recorded_reason(app, client, required):
    user, _codes = enrolled_user(client, Role.admin)
    login_through_form(client, user.email)
    assert is_logged_in(client)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "reset-two-factor", user.email, "--reason", "  "])
    assert refused.exit_code != 0 and "motivo" in refused.output.lower()  # the default language
    result = runner.invoke(args=["users", "reset-two-factor", user.email, "--reason",
                                 "Identidad verificada en persona con INE"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    reloaded = db.session.get(User, user.id)
    assert not reloaded.two_factor_enabled
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id)) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.two_factor_reset"))
    assert entry.reason == "Identidad verificada en persona con INE" and not entry.public
    assert not is_logged_in(client)  # the session that was open has ended
    assert twofactor.must_enrol(reloaded)  # an admin enrols again at the next login
