"""Pages of notifications: the list, opening one, marking all read, and the preferences."""
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import require
from app.core.urls import safe_next
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.notifications import bp, queries, services
from app.notifications.forms import preferences_form
from app.notifications.models import Notification


def _me():
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():
    me = _me()
    require(me, "notifications.manage", me)
    page = queries.page_for(me.id, request.args.get("page", 1, type=int))
    # The target is opened only if it is a local path, whatever was stored.
    shown = queries.without_hidden_titles([(n.params, n.url) for n in page.items])
    items = [(notification, safe_next(notification.url), params)
             for notification, params in zip(page.items, shown, strict=True)]
    return render_template("notifications/index.html", page=page, items=items,
                           unread=queries.unread_count(me.id))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    notification = load_or_404(db.session.get(Notification, notification_id))
    target = safe_next(notification.url)
    services.mark_read(_me(), notification)
    return redirect(target or url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    if services.mark_all_read(_me()):
        return redirect_with(_("All your notifications are marked as read."),
                             url_for("notifications.index"))
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    me = _me()
    require(me, "notifications.manage", me)
    form = preferences_form(services.preferences_of(me) | services.reminder_preferences_of(me))
    return run_form(
        form,
        action=lambda: services.save_preferences(me, me, form.choices()),
        success=lambda _none: redirect_with(_("Your notification preferences have been saved."),
                                            url_for("notifications.preferences")),
        render=lambda: render_template("notifications/preferences.html", form=form),
    )
