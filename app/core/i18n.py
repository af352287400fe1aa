"""Language choice (Spanish by default, English on request) and local time display."""
from datetime import date, datetime

from flask import current_app, has_request_context, request, session
from flask_babel import LazyString, format_date, format_time
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


# One date style across the site: the long date ("5 de diciembre de 2026", "December 5, 2026")
# and the time to the minute ("6:00 p.m.", "6:00 PM"), in the plan's zone. The named widths
# "short" and "medium" ("05/12/26", "5 dic 2026", times with seconds) are not used: a template
# or module that still asks for one gets the long form.
_SHORT_WIDTHS = ("short", "medium")


def _date_format(fmt: str | None) -> str:
    return "long" if fmt is None or fmt in _SHORT_WIDTHS else fmt


def local_date(value: date | datetime | None, fmt: str | None = None) -> str:
    """A date (or a timestamp's local day) in the long form; `fmt` may be "full" or a CLDR pattern
    such as "MMMM y" for a month."""
    if value is None:
        return ""
    return format_date(value, _date_format(fmt))


def local_when(value: datetime | None, date_format: str | None = None) -> str:
    """Local date and time to the minute, e.g. "10 de mayo de 2030, 6:00 p.m." (flask-babel
    converts the UTC timestamp to BABEL_DEFAULT_TIMEZONE, the plan's zone)."""
    if value is None:
        return ""
    return f"{format_date(value, _date_format(date_format))}, {format_time(value, 'short')}"


def local_datetime(value: datetime | None, fmt: str | None = None) -> str:
    """A UTC timestamp shown in the plan's zone, in the site's one style (see local_when); `fmt`
    is accepted for templates written with a width and has the same effect as local_when's."""
    return local_when(value, fmt)


def end_sentence(text) -> str:
    """`text` without its final period, for a message whose sentence ends after it: a time ending
    in "p.m." or a name ending in "A.C." would otherwise read "p.m.." or "A.C.."."""
    text = str(text or "")  # a name may be missing (None, or undefined in a template)
    return text[:-1] if text.endswith(".") else text


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


# --- templates' gettext: the catalogue found once per request ----------------------------------
# A page calls gettext some 70 times (the header and footer alone ~40); Flask-Babel looks the
# catalogue up anew each time (request globals, locale, domain, cache: ~40% of a plain page's
# CPU). The catalogue of the request's locale is kept beside Flask-Babel's own per-request state
# and used while that locale stays (refresh() and force_locale() replace the locale object, so a
# language switched mid-request is followed). Thread-safe: the state lives in the request's `g`.

def request_translations():
    """The request's gettext catalogue, found once per locale of the request."""
    from flask.globals import _cv_app
    from flask_babel import get_translations

    app_ctx = _cv_app.get(None)
    babel_state = vars(app_ctx.g).get("_flask_babel") if app_ctx is not None else None
    if babel_state is not None:
        locale = getattr(babel_state, "babel_locale", None)
        memo = getattr(babel_state, "cocrea_translations", None)
        if memo is not None and locale is not None and memo[0] is locale:
            return memo[1]
    translations = get_translations()
    babel_state = vars(app_ctx.g).get("_flask_babel") if app_ctx is not None else None
    if babel_state is not None and getattr(babel_state, "babel_locale", None) is not None:
        babel_state.cocrea_translations = (babel_state.babel_locale, translations)
    return translations


def install_template_gettext(app) -> None:
    """Flask-Babel's template callables, on the per-request catalogue above (same results)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
