"""`flask check`: one line per misconfiguration, exit code 1 when there is any."""
import os

import pytest

from app import create_app
from app.core.checks import find_problems
from tests.conftest import test_config as base_config

GOOD_SECRET = "k3y-" + "x" * 44
MAIL_ENV = {"MAIL_SERVER": "smtp.durango.gob.mx", "MAIL_DEFAULT_SENDER": "Cocrea <cocrea@durango.gob.mx>"}


def production_config(tmp_path, **changes) -> dict:
    """A production configuration with nothing wrong, to break one setting at a time."""
    config = {
        "COCREA_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://cocrea@db.internal/cocrea",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "BASE_URL": "https://cocrea.durango.gob.mx",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": MAIL_ENV["MAIL_SERVER"],
        "MAIL_DEFAULT_SENDER": MAIL_ENV["MAIL_DEFAULT_SENDER"],
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "LOG_FORMAT": "json",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "ALLOW_UNSAFE_PRODUCTION": False,
        "TOTP_ENCRYPTION_KEYS": "3q2fYqYcM8xv9b1lGx1hRgb-QwH6sY5dHC3CZ6MoQFg=",
    }
    config.update(changes)
    return config


def test_a_sound_production_configuration_has_no_problem(tmp_path):
    assert find_problems(production_config(tmp_path), MAIL_ENV, str(tmp_path)) == []


@pytest.mark.parametrize("changes,env,expected", [
    ({"SECRET_KEY": "short"}, MAIL_ENV, "SECRET_KEY is shorter"),
    ({"SECRET_KEY": "change-me"}, MAIL_ENV, "SECRET_KEY is a well-known default"),
    ({"SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789"}, MAIL_ENV, "well-known"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/cocrea.sqlite3"}, MAIL_ENV, "DATABASE_URL is SQLite"),
    ({"REDIS_URL": None}, MAIL_ENV, "REDIS_URL is not set"),
    ({"TOTP_ENCRYPTION_KEYS": ""}, MAIL_ENV, "TOTP_ENCRYPTION_KEYS is not set"),
    ({"TOTP_ENCRYPTION_KEYS": "not-a-key"}, MAIL_ENV, "key 1 is not a Fernet key"),
    ({"SESSION_COOKIE_SECURE": False}, MAIL_ENV, "SESSION_COOKIE_SECURE is off"),
    ({"REMEMBER_COOKIE_SECURE": False}, MAIL_ENV, "REMEMBER_COOKIE_SECURE is off"),
    ({"BASE_URL": "http://cocrea.durango.gob.mx"}, MAIL_ENV, "BASE_URL is not an https://"),
    ({"MAIL_BACKEND": "console"}, MAIL_ENV, "MAIL_BACKEND is 'console'"),
    ({}, {"MAIL_DEFAULT_SENDER": "a@b.mx"}, "MAIL_SERVER is not set"),
    ({"MAIL_DEFAULT_SENDER": "Cocrea <no-responder@cocrea.local>"},
     {"MAIL_SERVER": "smtp.x.mx"}, "MAIL_DEFAULT_SENDER is not set"),
    ({"MAIL_USERNAME": "cocrea"}, MAIL_ENV, "MAIL_PASSWORD is empty"),
    ({"ALLOW_UNSAFE_PRODUCTION": True}, MAIL_ENV, "COCREA_ALLOW_UNSAFE_PRODUCTION is set"),
    ({"LOG_FORMAT": "xml"}, MAIL_ENV, "LOG_FORMAT must be one of"),
])
def test_each_misconfiguration_is_one_line(tmp_path, changes, env, expected):
    problems = find_problems(production_config(tmp_path, **changes), env, str(tmp_path))

    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_an_upload_dir_that_cannot_be_created_is_reported(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    config = production_config(tmp_path, UPLOAD_DIR=str(blocker / "uploads"))

    problems = find_problems(config, MAIL_ENV, str(tmp_path))

    assert len(problems) == 1 and problems[0].startswith("UPLOAD_DIR")


def test_a_relative_upload_dir_is_taken_inside_the_instance_folder(tmp_path):
    config = production_config(tmp_path, UPLOAD_DIR="relative-uploads")

    assert find_problems(config, MAIL_ENV, str(tmp_path)) == []
    assert (tmp_path / "relative-uploads").is_dir()
    assert list((tmp_path / "relative-uploads").iterdir()) == []  # the probe file is gone


def test_production_only_rules_do_not_apply_in_development(tmp_path):
    config = production_config(tmp_path, COCREA_ENV="development", REDIS_URL=None,
                               BASE_URL="http://127.0.0.1:5000", MAIL_BACKEND="console",
                               SQLALCHEMY_DATABASE_URI="sqlite:///x.sqlite3",
                               SESSION_COOKIE_SECURE=False)

    assert find_problems(config, {}, str(tmp_path)) == []


def test_the_command_exits_1_and_prints_one_line_per_problem(database_url, tmp_path, monkeypatch):
    for name in MAIL_ENV:
        monkeypatch.delenv(name, raising=False)
    app = create_app({**base_config(database_url, tmp_path), **production_config(
        tmp_path, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=None, LOG_FORMAT="text",
        BASE_URL="http://example.org", ALLOW_UNSAFE_PRODUCTION=True)})

    result = app.test_cli_runner().invoke(args=["check"])

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert all(line.startswith("PROBLEM: ") for line in lines)
    assert any("REDIS_URL" in line for line in lines)
    assert any("BASE_URL" in line for line in lines)
    assert any("MAIL_SERVER" in line for line in lines)


def test_the_command_exits_0_on_a_sound_configuration(database_url, tmp_path, monkeypatch):
    for name, value in MAIL_ENV.items():
        monkeypatch.setenv(name, value)
    # `check` reads the configuration only: the PostgreSQL address is never contacted.
    app = create_app({**base_config(database_url, tmp_path),
                      **production_config(tmp_path, LOG_FORMAT="text")})

    result = app.test_cli_runner().invoke(args=["check"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Configuration OK for COCREA_ENV=production."
    assert os.environ["MAIL_SERVER"] == MAIL_ENV["MAIL_SERVER"]
