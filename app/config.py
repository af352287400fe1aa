"""Configuration read from environment variables, with safe defaults for development."""
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The configuration is unsafe for the chosen environment."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(instance_path: str) -> str:
    """A secret generated once per checkout and kept in instance/, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = overrides or {}
    cocrea_env = overrides.get("COCREA_ENV", env.get("COCREA_ENV", "development"))
    production = cocrea_env == "production"
    sqlite_default = "sqlite:///" + str(Path(instance_path) / "cocrea.sqlite3")

    cfg: dict = {
        "COCREA_ENV": cocrea_env,
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", sqlite_default),
        "REDIS_URL": env.get("REDIS_URL"),
        # "json" lines for log shippers in production, readable "text" elsewhere (app/core/logging.py).
        "LOG_FORMAT": env.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        # Reverse proxies in front (nginx: 1) whose X-Forwarded-For/-Proto are trusted, so that
        # rate limits see the client's address and not the proxy's (docs/deploy.md).
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT", "0")),
        # Whole pages for anonymous readers, in Redis (off without it): see app/core/cache.py.
        "PAGE_CACHE_REDIS_URL": env.get("PAGE_CACHE_REDIS_URL", env.get("REDIS_URL")),
        "PAGE_CACHE_SECONDS": int(env.get("PAGE_CACHE_SECONDS", "60")),
        # Small facts every page shows, kept per process between requests (app/core/facts.py).
        "FACTS_KEPT": True,
        "FACTS_SECONDS": int(env.get("FACTS_SECONDS", "5")),
        # How long a search's "more than 1,000" of a kind is kept per process (app/search/queries.py
        # _Saturated; 0: counted on every search).
        "SEARCH_SATURATED_SECONDS": int(env.get("SEARCH_SATURATED_SECONDS", "120")),
        # How long a search's counts and candidates are kept per process under the index's
        # version (app/search/queries.py FirstReads; 0: read on every search).
        "SEARCH_KEPT_SECONDS": int(env.get("SEARCH_KEPT_SECONDS", "30")),
        # A serving process freezes its long-lived objects after this many requests (app/core/heap.py; 0: only at start).
        "GC_FREEZE_AFTER_REQUESTS": int(env.get("GC_FREEZE_AFTER_REQUESTS", "200")),
        # The header and footer, rendered once per language and class of viewer (app/core/layout.py).
        "LAYOUT_KEPT": True,
        # Transparency figures over every account and comment, counted again after this long.
        "TRANSPARENCY_SECONDS": int(env.get("TRANSPARENCY_SECONDS", "600")),
        # A call's registry: its counts and the order of its organisations, read again after this long.
        "REGISTRY_SECONDS": int(env.get("REGISTRY_SECONDS", "60")),
        "PAGE_CACHE_PREFIX": env.get("PAGE_CACHE_PREFIX", "cocrea"),
        "BENCH_FLOOR": _bool(env.get("COCREA_BENCH_FLOOR")),
        # Mail
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "smtp" if production else "console"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Cocrea <no-responder@cocrea.local>"),
        "MAIL_SEND_AFTER_REQUEST": _bool(env.get("MAIL_SEND_AFTER_REQUEST"), not production),
        "MAIL_DIR": env.get("MAIL_DIR", str(Path(instance_path) / "mail")),
        # Public identity of the platform
        "SITE_NAME": env.get("SITE_NAME", "Cocrea"),
        # The guarantor body is the current plan's (set from /admin/plans); these settings only
        # stand in for what the plan leaves blank. Empty by default: nothing jurisdiction-specific.
        "GUARANTOR_NAME": env.get("GUARANTOR_NAME", ""),
        "GUARANTOR_EMAIL": env.get("GUARANTOR_EMAIL", ""),
        "GUARANTOR_ADDRESS": env.get("GUARANTOR_ADDRESS", ""),
        # ISO date (YYYY-MM-DD) of the privacy notice's last change, shown on /privacy.
        "PRIVACY_UPDATED_ON": env.get("PRIVACY_UPDATED_ON", "2026-11-26"),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        # Sessions and accounts
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "IDLE_TIMEOUT_SECONDS": int(env.get("IDLE_TIMEOUT_SECONDS", str(30 * 60))),
        # However active, a session ends this long after its login (remember-me ones after 30 days).
        "ABSOLUTE_SESSION_SECONDS": int(env.get("ABSOLUTE_SESSION_SECONDS", str(12 * 3600))),
        "REMEMBER_ABSOLUTE_SESSION_SECONDS": int(
            env.get("REMEMBER_ABSOLUTE_SESSION_SECONDS", str(30 * 24 * 3600))
        ),
        # Fernet keys for TOTP secrets at rest, comma-separated, the newest first (sealing.py).
        "TOTP_ENCRYPTION_KEYS": env.get("TOTP_ENCRYPTION_KEYS", ""),
        # Roles that must enrol in two-factor authentication before doing anything else.
        "TWO_FACTOR_REQUIRED_ROLES": [
            role.strip()
            for role in env.get("TWO_FACTOR_REQUIRED_ROLES", "admin,moderator").split(",")
            if role.strip()
        ],
        # How long the half-logged-in state (password right, code not yet given) lasts.
        "TWO_FACTOR_PENDING_SECONDS": 5 * 60,
        "CONFIRM_TOKEN_MAX_AGE": 3 * 24 * 3600,
        "RESET_TOKEN_MAX_AGE": 3600,
        "LOCKOUT_THRESHOLD": 5,
        "LOCKOUT_SECONDS": 15 * 60,
        # OWASP's argon2id setting (19 MiB, 2 passes): ~50 ms a check here, so that logins and the
        # password asked again at the ballot stay affordable on election day (docs/performance.md).
        "ARGON2_TIME_COST": int(env.get("ARGON2_TIME_COST", "2")),
        "ARGON2_MEMORY_COST": int(env.get("ARGON2_MEMORY_COST", "19456")),
        # Rate limits
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI")
        or (env.get("REDIS_URL") or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: limits are counted by each worker on its own instead of failing every
        # rate-limited request with a 500 (app/core/ratelimits.py).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN", "10 per minute;60 per hour"),
        "RATELIMIT_REGISTER": env.get("RATELIMIT_REGISTER", "10 per hour"),
        # Casting a ballot, per client address (several voters may share one office's address).
        "RATELIMIT_VOTE": env.get("RATELIMIT_VOTE", "20 per minute"),
        "RATELIMIT_RESET": "10 per hour",
        "RATELIMIT_TWO_FACTOR": "10 per minute;60 per hour",
        # Per client address, for the read-only API and the open-data downloads.
        "RATELIMIT_API": env.get("RATELIMIT_API", "600 per minute"),
        "RATELIMIT_DOWNLOADS": env.get("RATELIMIT_DOWNLOADS", "60 per minute"),
        # Pre-built open-data files (app/opendata/files.py): their folder, shared by every app
        # server; and a dataset whose last build took at most this long is built again on the
        # download that finds it changed (larger ones wait for `flask opendata build --if-stale`).
        "OPEN_DATA_DIR": env.get("OPEN_DATA_DIR", str(Path(instance_path) / "open-data")),
        "OPEN_DATA_INLINE_BUILD_SECONDS": float(env.get("OPEN_DATA_INLINE_BUILD_SECONDS", "0.5")),
        # On PostgreSQL a build reads its CSV lines and JSON objects on two connections at once,
        # from one snapshot (app/opendata/files.py _two_halves); 1 reads both on the session's.
        "OPEN_DATA_BUILD_CONNECTIONS": int(env.get("OPEN_DATA_BUILD_CONNECTIONS", "2")),
        "OPEN_DATA_LICENCE_NAME": env.get("OPEN_DATA_LICENCE_NAME", "Creative Commons Atribución 4.0 (CC BY 4.0)"),
        "OPEN_DATA_LICENCE_URL": env.get("OPEN_DATA_LICENCE_URL",
                                         "https://creativecommons.org/licenses/by/4.0/deed.es"),
        # Interface
        "BABEL_DEFAULT_LOCALE": "es_MX",
        # The installation's time zone: every date is shown and typed in it (an IANA name; the
        # default is the seed plan's, and a state on another zone sets e.g. America/Hermosillo).
        "BABEL_DEFAULT_TIMEZONE": env.get("TIME_ZONE", "America/Monterrey"),
        "LANGUAGES": ["es_MX", "en"],
        "WTF_CSRF_TIME_LIMIT": None,
        # Five evidence files of up to 10 MiB each fit in one request.
        "MAX_CONTENT_LENGTH": 52 * 1024 * 1024,
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "UPLOAD_MAX_BYTES": int(env.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
        "ALLOW_UNSAFE_PRODUCTION": _bool(env.get("COCREA_ALLOW_UNSAFE_PRODUCTION")),
        # Maps (app/maps): the tile server ({z}/{x}/{y} template; empty: maps without tiles, the
        # lists stay), its attribution (HTML), the view a map opens on when it has no points
        # ("lat,lon" and a zoom level) and the box locations must fall in ("south,west,north,east";
        # empty: anywhere on Earth). Nothing jurisdiction-specific by default.
        "MAP_TILE_URL": env.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "MAP_TILE_ATTRIBUTION": env.get(
            "MAP_TILE_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'),
        "MAP_CENTER": env.get("MAP_CENTER", ""),
        "MAP_ZOOM": env.get("MAP_ZOOM", ""),
        "MAP_BOUNDS": env.get("MAP_BOUNDS", ""),
    }
    cfg.update({k: v for k, v in overrides.items()})
    if str(cfg["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://", "redis+unix://")):
        # A Redis that hangs must not hold a request for the system's TCP timeout (minutes).
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 0.5, "socket_connect_timeout": 0.5})

    uri = cfg["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri[len("postgres://"):]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    cfg["SQLALCHEMY_DATABASE_URI"] = uri
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(uri)

    if production and not cfg["ALLOW_UNSAFE_PRODUCTION"]:
        if not cfg["SECRET_KEY"] or len(cfg["SECRET_KEY"]) < 32:
            raise ConfigError("COCREA_ENV=production needs SECRET_KEY of at least 32 characters.")
        if uri.startswith("sqlite"):
            raise ConfigError(
                "COCREA_ENV=production needs a PostgreSQL DATABASE_URL "
                "(set COCREA_ALLOW_UNSAFE_PRODUCTION=1 to run on SQLite anyway)."
            )
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _dev_secret(instance_path)
    # A remember-me cookie never outlives the session it restores (the absolute limit).
    cfg["REMEMBER_COOKIE_DURATION"] = min(
        int(cfg.get("REMEMBER_COOKIE_DURATION") or cfg["REMEMBER_ABSOLUTE_SESSION_SECONDS"]),
        int(cfg["REMEMBER_ABSOLUTE_SESSION_SECONDS"]),
    )
    return cfg


def engine_options(uri: str) -> dict:
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # No JIT compiling: a page's statements read few rows, but a bounded read (a LIMIT over an
    # index read in order, app/fulltext/matching.py newest_matches) can be estimated dear enough
    # to pass jit_above_cost, and compiling it then costs hundreds of milliseconds of CPU.
    # No pool_pre_ping (a round trip before every request): a connection idle for a while is
    # pinged at checkout instead (app/core/reconnect.py), one in steady use is not; one that
    # died in use fails its request's first statement, which reconnect.py retries (reads) or
    # answers 503 (writes). pool_recycle replaces connections before a server or firewall
    # timeout would.
    return {"pool_size": 10, "max_overflow": 10, "pool_recycle": 1800,
            "connect_args": {"options": "-c jit=off"}}
