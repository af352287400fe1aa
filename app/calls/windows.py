"""The registration window of a call in words: times in the plan's zone, and why it is shut now."""
from datetime import datetime

from flask_babel import gettext as _

from app.calls import queries
from app.calls.models import Call
from app.core.i18n import local_datetime, zone_name


def local_time(value: datetime) -> str:
    return _("%(when)s (local time, %(zone)s)", when=local_datetime(value), zone=zone_name())


def window_refusal(call: Call, now: datetime | None = None) -> str | None:
    """Why registration is not possible right now, with the window in local time; None if open."""
    state = queries.window_state(call, now)
    if state == queries.UPCOMING:
        return _("Registration has not opened yet: it opens on %(opens)s and closes on "
                 "%(closes)s.", opens=local_time(call.opens_at), closes=local_time(call.closes_at))
    if state == queries.CLOSED:
        return _("Registration closed on %(closes)s.", closes=local_time(call.closes_at))
    return None
