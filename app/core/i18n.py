"""Language choice (Spanish by default, English on request) and local time display."""
from datetime import date, datetime

from flask import current_app, has_request_context, request, session
from flask_babel import LazyString, format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_login import current_user

from app.core.clock import local_zone

LANGUAGE_NAMES = {"es_MX": "Español", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # Command-line tasks (create-admin, demo load, send-pending) speak the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in languages:
            return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    if request.path.startswith("/api/") and request.accept_languages:
        # Programs have no session to remember a choice: their Accept-Language header says it.
        wanted = {code.replace("_", "-").lower(): code for code in languages}
        for language, _quality in request.accept_languages:
            language = language.lower()
            match = wanted.get(language) or wanted.get(language.split("-")[0])
            if match:
                return match
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC timestamp shown in America/Monterrey (flask-babel converts to BABEL_DEFAULT_TIMEZONE)."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def local_date(value: date | datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return format_date(value, fmt)


def local_when(value: datetime | None, date_format: str = "long") -> str:
    """Local date and time to the minute, e.g. "10 de mayo de 2030, 6:00 p.m." (in notifications
    and notices, where a sentence names the moment)."""
    if value is None:
        return ""
    return f"{format_date(value, date_format)}, {format_time(value, 'short')}"


def html_lang() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "es-MX"


def zone_name() -> str:
    """The plan's time zone as hints and messages name it (its IANA name, America/Monterrey)."""
    return local_zone().key


# The hint of a date-and-time field, in the language and zone of the request that shows it.
# Thread-safe: a LazyString holds only the function; each rendering calls it anew.
LOCAL_TIME_HINT = LazyString(lambda: _("Local time of the plan (%(zone)s).", zone=zone_name()))
