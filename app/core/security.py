"""Security headers on every response."""
from urllib.parse import urlsplit

from flask import Flask

# Sources every page may use; the map's tile server is added to img-src alone (csp_for).
_DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("frame-ancestors", "'none'"),
)


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source of a tile URL template ("https://{s}.tile.example.org/{z}/{x}/{y}.png" gives
    "https://*.tile.example.org"); None when there is no tile server or it is not http(s)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "sub-placeholder"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("sub-placeholder", "*")
    if any(c in host for c in " ;,'\"{}"):
        return None
    return f"{parts.scheme}://{host}"


def csp_for(tile_url: str | None = None) -> str:
    tiles = tile_source(tile_url)
    return "; ".join(
        f"{name} {sources} {tiles}" if name == "img-src" and tiles else f"{name} {sources}"
        for name, sources in _DIRECTIVES
    )


# Thread-safe: a str built once at import (from the default tiles), never changed after.
CSP = csp_for()


def register_security_headers(app: Flask) -> None:
    policy = csp_for(app.config.get("MAP_TILE_URL"))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["COCREA_ENV"] == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
