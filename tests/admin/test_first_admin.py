"""`flask users create-admin` on an empty database: the account, and what to do next."""
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from tests.conftest import login

PASSWORD = "ocotillo-bisonte-granizo-83"


def create_admin(app, *args):
    return app.test_cli_runner().invoke(args=["users", "create-admin", *args])


def test_on_an_empty_database_it_makes_the_admin_and_says_what_next(app, client):
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0

    result = create_admin(app, "garante@example.org", "--password", PASSWORD)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Admin account ready: garante@example.org"
    assert "Next:" in lines
    assert any("/account/login" in line for line in lines)
    assert any("/admin/" in line for line in lines)
    assert not any("two-factor" in line for line in lines)  # not required by this configuration
    assert db.session.scalar(sa.select(User.role).where(User.email == "garante@example.org")) == Role.admin
    login(client, "garante@example.org", PASSWORD)
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in html and 'href="/admin/organisations"' in html


def test_the_next_steps_name_two_factor_when_the_role_requires_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ["admin"])

    result = create_admin(app, "garante@example.org", "--generate")

    assert result.exit_code == 0, result.output
    assert "3. Set up two-factor authentication" in result.output
    assert "4. Open /admin/" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("Password: ")


def test_it_lifts_a_block_so_the_platform_always_has_a_way_back_in(app, client):
    from app.admin import users
    from app.core.audit import AuditEntry
    from tests.factories import make_admin

    first, second = make_admin(), make_admin(email="bloqueada@example.org")
    users.block_user(first, second, {"reason": "Por error"})
    db.session.commit()

    result = create_admin(app, "bloqueada@example.org", "--password", PASSWORD)

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not second.is_access_blocked
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "admin.created"))
    assert entry.data == {"unblocked": True}
    assert login(client, "bloqueada@example.org", PASSWORD).status_code == 302
