"""Typed errors raised by services, and the one place that turns them into responses."""
from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.core import uow


class CocreaError(Exception):
    status = 400

    def __init__(self, message: str | None = None, **details):
        super().__init__(message or "")
        self.message = message
        self.details = details


class PermissionDenied(CocreaError):
    status = 403


class NotFound(CocreaError):
    status = 404


class InvalidTransition(CocreaError):
    status = 409


class ValidationError(CocreaError):
    """Input that a form could not catch (e.g. it depends on the database). `field` may name it."""

    status = 400

    def __init__(self, message: str, field: str | None = None, **details):
        super().__init__(message, **details)
        self.field = field


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _problem(status: int, title: str, detail: str | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def _titles():
    return {
        400: _("The request could not be processed."),
        403: _("You do not have permission to do this."),
        404: _("We could not find that page."),
        405: _("That method is not allowed here."),
        409: _("That action is not possible in the current state."),
        413: _("The file or form is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing you sent was lost; please try again."),
        503: _("The service is temporarily unavailable."),
    }


def _way_back() -> str | None:
    """The page the person came from, when it is on this site and is not this address."""
    from urllib.parse import urlsplit

    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.path == request.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def render_error(status: int, detail: str | None = None):
    title = _titles().get(status, _titles()[500])
    if wants_json():
        return _problem(status, title, detail)
    return render_template("errors/error.html", status=status, title=title, detail=detail,
                           back=_way_back()), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CocreaError)
    def _cocrea_error(exc: CocreaError):
        uow.rollback()  # a refused service leaves nothing behind
        return render_error(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return render_error(
            400,
            _("The form expired or was sent from another page. Go back, reload it and try again."),
        )

    from sqlalchemy.exc import DataError

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _value_the_database_refuses(exc):
        # A number or text out of the column's range that validation let through (e.g. an id
        # in the query string above 2**31 on PostgreSQL, or 2**63 on SQLite, whose driver raises
        # OverflowError): bad input, not a server error.
        from app.extensions import db

        db.session.rollback()
        return render_error(400)

    for code in (400, 403, 404, 413, 429, 503):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(405)
    def _method_not_allowed(exc):
        # RFC 9110: a 405 says which methods the resource supports.
        response = make_response(render_error(405))
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

    @app.errorhandler(500)
    def _server_error(exc):
        from app.extensions import db

        db.session.rollback()
        return render_error(500)
