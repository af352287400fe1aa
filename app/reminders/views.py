"""The one-click way out of a kind of reminder: GET asks, POST turns it off (no login needed: the
signed link stands for the person)."""
from flask import render_template, url_for
from flask_babel import gettext as _

from app.core.views import redirect_with
from app.extensions import csrf
from app.notifications.kinds import REMINDER_LABELS
from app.reminders import bp, services


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    user, preference = services.read_unsubscribe(token)
    return render_template("reminders/unsubscribe.html", token=token, email=user.email,
                           label=REMINDER_LABELS[preference])


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_confirm(token: str):
    # The signed token is the credential, and mail programs' one-click unsubscribe (RFC 8058,
    # the List-Unsubscribe-Post header) posts here without any CSRF token.
    services.unsubscribe(token)
    return redirect_with(_("Done: you will not receive these reminders any more."),
                         url_for("reminders.unsubscribed"))


@bp.get("/unsubscribed")
def unsubscribed():
    return render_template("reminders/unsubscribed.html")
