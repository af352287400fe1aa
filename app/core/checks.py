"""`flask check`: the misconfigurations that let Cocrea start but make it unsafe or fragile.

create_app() already refuses the worst production settings (app/config.py) unless
COCREA_ALLOW_UNSAFE_PRODUCTION is set; this command lists everything else, one line per
problem, and exits 1 when there is any, so that a deployment script can stop on it.
"""
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask

from app.core.logging import LOG_FORMATS

MIN_SECRET_LENGTH = 32
# Secrets copied from examples, tutorials and our own tests: as good as none.
KNOWN_SECRETS = {
    "change-me", "changeme", "change-this", "replace-me", "secret", "secret-key", "dev",
    "development", "default", "test", "cocrea", "test-secret-key-that-is-long-enough-0123456789",
}
DEFAULT_SENDER_DOMAIN = "cocrea.local"


def find_problems(config: Mapping, env: Mapping[str, str], instance_path: str) -> list[str]:
    """Every problem found, as one human-readable line each (empty when all is well)."""
    production = config.get("COCREA_ENV") == "production"
    problems: list[str] = []

    secret = config.get("SECRET_KEY") or ""
    if secret.strip().lower() in KNOWN_SECRETS:
        problems.append("SECRET_KEY is a well-known default value; generate one "
                        "(python -c 'import secrets; print(secrets.token_urlsafe(48))').")
    elif len(secret) < MIN_SECRET_LENGTH:
        problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters.")
    if config.get("LOG_FORMAT") not in LOG_FORMATS:
        problems.append(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, "
                        f"not {config.get('LOG_FORMAT')!r}.")
    problems.extend(_totp_key_problems(config, production))
    problem = upload_dir_problem(config.get("UPLOAD_DIR") or "uploads", instance_path)
    if problem:
        problems.append(problem)
    if production:
        problems.extend(_production_problems(config, env))
    return problems


def _totp_key_problems(config: Mapping, production: bool) -> list[str]:
    from cryptography.fernet import Fernet

    raw = config.get("TOTP_ENCRYPTION_KEYS") or ""
    keys = [key.strip() for key in (raw.split(",") if isinstance(raw, str) else raw) if key.strip()]
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            problems.append(f"TOTP_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 bytes in "
                            "URL-safe base64; make one with python -c 'from cryptography.fernet "
                            "import Fernet; print(Fernet.generate_key().decode())').")
    if not keys and production:
        problems.append("TOTP_ENCRYPTION_KEYS is not set: two-factor secrets are encrypted with a "
                        "key derived from SECRET_KEY and would be lost if SECRET_KEY changed; set "
                        "a key of their own (docs/deploy.md).")
    return problems


def _production_problems(config: Mapping, env: Mapping[str, str]) -> list[str]:
    problems = []
    if config.get("ALLOW_UNSAFE_PRODUCTION"):
        problems.append("COCREA_ALLOW_UNSAFE_PRODUCTION is set: the start-up safety checks are off.")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL is SQLite; production needs PostgreSQL "
                        "(several workers, backups with pg_dump).")
    if not config.get("REDIS_URL"):
        problems.append("REDIS_URL is not set: rate limits and the page cache are kept per "
                        "process, so each worker counts and caches on its own.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off: session cookies would travel over plain HTTP.")
    if not config.get("REMEMBER_COOKIE_SECURE"):
        problems.append("REMEMBER_COOKIE_SECURE is off: remember-me cookies would travel over plain HTTP.")
    if urlsplit(str(config.get("BASE_URL") or "")).scheme != "https":
        problems.append(f"BASE_URL is not an https:// address ({config.get('BASE_URL')!r}); "
                        "links in mail would be insecure.")
    problems.extend(_mail_problems(config, env))
    return problems


def _mail_problems(config: Mapping, env: Mapping[str, str]) -> list[str]:
    backend = config.get("MAIL_BACKEND")
    if backend != "smtp":
        return [f"MAIL_BACKEND is {backend!r}: no mail (confirmations, password resets) "
                "reaches anyone; use smtp."]
    problems = []
    # config.py falls back to localhost:25; in production that must be a decision, not an accident.
    if not env.get("MAIL_SERVER") or not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER is not set (the default localhost:25 is used).")
    sender = str(config.get("MAIL_DEFAULT_SENDER") or "")
    if not env.get("MAIL_DEFAULT_SENDER") or sender.rstrip(">").endswith(DEFAULT_SENDER_DOMAIN):
        problems.append("MAIL_DEFAULT_SENDER is not set to a real address "
                        f"(the default @{DEFAULT_SENDER_DOMAIN} cannot receive replies).")
    if config.get("MAIL_USERNAME") and not config.get("MAIL_PASSWORD"):
        problems.append("MAIL_USERNAME is set but MAIL_PASSWORD is empty.")
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        problems.append("MAIL_USE_TLS and MAIL_USE_SSL are both on; choose one.")
    return problems


def upload_dir_problem(configured: str, instance_path: str) -> str | None:
    """None when files can be written there (creating it, as the first upload would)."""
    # The same resolution as app/progress/storage.upload_dir: relative means inside instance/.
    path = Path(instance_path) / configured
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A real write, not os.access: root passes os.access, and read-only mounts lie to it.
        with tempfile.NamedTemporaryFile(dir=path, prefix=".cocrea-check-"):
            pass
    except OSError as exc:
        return f"UPLOAD_DIR {str(path)!r} is not writable: {exc.strerror or exc}."
    return None


def register_check_command(app: Flask) -> None:
    @app.cli.command("check")
    def check():
        """Report misconfiguration, one line per problem; exit 1 if there is any."""
        problems = find_problems(app.config, os.environ, app.instance_path)
        for problem in problems:
            click.echo(f"PROBLEM: {problem}")
        if problems:
            raise SystemExit(1)
        click.echo(f"Configuration OK for COCREA_ENV={app.config['COCREA_ENV']}.")
