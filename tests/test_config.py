"""Configuration from the environment: safe production, a development secret kept in instance/."""
import stat

import pytest

from app import create_app
from app.config import ConfigError, load_config

GOOD_SECRET = "k3y-" + "x" * 40
POSTGRES = "postgresql://cocrea@db.internal:5432/cocrea"
ENV_VARS = [
    "COCREA_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI",
    "COCREA_ALLOW_UNSAFE_PRODUCTION", "MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT",
    "MAIL_SEND_AFTER_REQUEST", "IDLE_TIMEOUT_SECONDS",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Each test sets exactly the variables it is about."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- Production refuses unsafe settings --------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "short-secret"])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("COCREA_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("COCREA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)

    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_config(str(tmp_path))  # no DATABASE_URL: the SQLite default
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/cocrea.sqlite3")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_config(str(tmp_path))


def test_create_app_stops_on_an_unsafe_production_config(tmp_path, monkeypatch):
    monkeypatch.setenv("COCREA_ENV", "production")

    with pytest.raises(ConfigError):
        create_app()


def test_production_runs_on_sqlite_only_when_told_explicitly(tmp_path, monkeypatch):
    monkeypatch.setenv("COCREA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("COCREA_ALLOW_UNSAFE_PRODUCTION", "1")

    cfg = load_config(str(tmp_path))

    assert cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert cfg["SESSION_COOKIE_SECURE"] is True


def test_production_with_a_secret_and_postgresql_starts_with_safe_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("COCREA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("DATABASE_URL", "postgres://cocrea@db.internal:5432/cocrea")

    cfg = load_config(str(tmp_path))

    assert cfg["SECRET_KEY"] == GOOD_SECRET
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://cocrea@db.internal:5432/cocrea"
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["REMEMBER_COOKIE_SECURE"]
    assert cfg["SESSION_COOKIE_HTTPONLY"] and cfg["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert cfg["MAIL_BACKEND"] == "smtp"
    assert cfg["MAIL_SEND_AFTER_REQUEST"] is False
    assert not (tmp_path / "secret_key").exists()


# --- Development -------------------------------------------------------------------------------


def test_development_generates_a_secret_once_into_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"

    first = load_config(str(instance))["SECRET_KEY"]
    second = load_config(str(instance))["SECRET_KEY"]

    assert first == second
    assert len(first) >= 32
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_each_checkout_gets_its_own_development_secret(tmp_path):
    assert load_config(str(tmp_path / "a"))["SECRET_KEY"] != load_config(str(tmp_path / "b"))["SECRET_KEY"]


def test_secret_from_the_environment_wins_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)

    assert load_config(str(tmp_path))["SECRET_KEY"] == GOOD_SECRET
    assert not (tmp_path / "secret_key").exists()


def test_development_defaults(tmp_path):
    cfg = load_config(str(tmp_path))

    assert cfg["COCREA_ENV"] == "development"
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "cocrea.sqlite3")
    assert cfg["SESSION_COOKIE_SECURE"] is False
    assert cfg["MAIL_BACKEND"] == "console"
    assert cfg["MAIL_DIR"] == str(tmp_path / "mail")
    assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"
    assert cfg["BABEL_DEFAULT_LOCALE"] == "es_MX"


# --- Environment variables ---------------------------------------------------------------------


def test_settings_come_from_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("IDLE_TIMEOUT_SECONDS", "600")

    cfg = load_config(str(tmp_path))

    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://cocrea@db.internal:5432/cocrea"
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert (cfg["MAIL_SERVER"], cfg["MAIL_PORT"]) == ("smtp.example.org", 587)
    assert cfg["IDLE_TIMEOUT_SECONDS"] == 600
    # Idle connections are pinged at checkout (app/core/reconnect.py), not every one.
    assert "pool_pre_ping" not in cfg["SQLALCHEMY_ENGINE_OPTIONS"]
    assert cfg["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] == 1800


def test_overrides_win_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COCREA_ENV", "production")

    cfg = load_config(str(tmp_path), {"COCREA_ENV": "testing", "SECRET_KEY": GOOD_SECRET})

    assert cfg["COCREA_ENV"] == "testing"
    assert cfg["SESSION_COOKIE_SECURE"] is False


def test_make_run_gives_the_demo_the_address_it_serves():
    """`PORT=5077 make run`: the demo's mail links and the printed address use port 5077."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parent.parent
    dry_run = subprocess.run(["make", "-n", "-o", "install", "run", "PORT=5077"], cwd=root,
                             capture_output=True, text=True, check=True,
                             env={"PATH": "/usr/bin:/bin"}).stdout
    assert "BASE_URL=http://127.0.0.1:5077 .venv/bin/flask demo load --if-empty --serving http://127.0.0.1:5077" in dry_run
    # The demo server requires two-factor authentication of no role unless the caller asks for it
    # (the README's demo logins work at once); production's default stays admin,moderator.
    assert ("BASE_URL=http://127.0.0.1:5077 TWO_FACTOR_REQUIRED_ROLES=${TWO_FACTOR_REQUIRED_ROLES-} "
            ".venv/bin/flask run --host 127.0.0.1 --port 5077") in dry_run
