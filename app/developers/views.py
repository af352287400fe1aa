"""/developers/: what the API serves, how to page through it, its formats, limits and licence."""
from flask import current_app, render_template
from flask_babel import gettext, ngettext
from limits import parse_many

from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.developers import bp
from app.opendata import all_datasets
from app.opendata.catalogue import licence


def rate_limits(setting: str) -> list[str]:
    """The API's limits as people read them ("600 requests per minute"), from its setting."""
    per = {"second": gettext("second"), "minute": gettext("minute"), "hour": gettext("hour"),
           "day": gettext("day")}
    every = {"second": gettext("seconds"), "minute": gettext("minutes"), "hour": gettext("hours"),
             "day": gettext("days")}
    shown = []
    for item in parse_many(setting):
        unit = item.GRANULARITY.name
        if item.multiples == 1:
            shown.append(ngettext("%(num)d request per %(unit)s", "%(num)d requests per %(unit)s",
                                  item.amount, unit=per.get(unit, unit)))
        else:
            shown.append(ngettext("%(num)d request every %(count)d %(unit)s",
                                  "%(num)d requests every %(count)d %(unit)s",
                                  item.amount, count=item.multiples, unit=every.get(unit, unit)))
    return shown


@bp.get("/")
def index():
    return render_template("developers/index.html", datasets=all_datasets(), licence=licence(),
                           rate_limits=rate_limits(current_app.config["RATELIMIT_API"]),
                           default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT)
