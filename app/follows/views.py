"""Pages of following: the follow button's two acts and the person's "Following" page."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.permissions import can
from app.core.urls import safe_next
from app.core.views import redirect_with
from app.follows import bp, queries, services
from app.follows import targets as registry


def _me():
    return current_user._get_current_object()


# ---------------------------------------------------------------- for every followable page

@bp.app_template_global("follow_state")
def follow_state(target_type: str, target_id: int) -> dict:
    """What templates/_macros/follow.html shows: the count, the viewer's state and the words (here,
    because Babel does not extract the templates under _macros/)."""
    count, following = queries.follow_state(current_user, target_type, target_id)
    return {
        "count": count, "following": following, "can_follow": can(current_user, "follows.follow"),
        "count_text": ngettext("%(num)d person follows this.", "%(num)d people follow this.", count),
        "follow": _("Follow"), "unfollow": _("Stop following"),
        "see_all": _("See everything you follow"),
        "confirm": _("Confirm your email address to follow this."),
        "log_in": _("Log in to follow this"),
    }


@bp.app_template_global("followed_summary")
def followed_summary(user) -> dict | None:
    """For templates/follows/_panel.html: the five followed things that changed last."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    entries, total = queries.latest_followed(user)
    return {"entries": entries, "total": total}


def _back(target_type: str, target_id: int) -> str:
    """Back to the page the button was on (a local path only), else to the Following page."""
    back = safe_next(request.form.get("next"))
    return f"{back}#follow" if back and "#" not in back else (back or url_for("follows.index"))


@bp.post("/<target_type>/<int:target_id>/follow")
@login_required
def follow(target_type: str, target_id: int):
    if services.follow(_me(), target_type, target_id):
        return redirect_with(_("You follow it now: it is on your Following page."),
                             _back(target_type, target_id))
    return redirect_with(_("You already follow it."), _back(target_type, target_id), "info")


@bp.post("/<target_type>/<int:target_id>/unfollow")
@login_required
def unfollow(target_type: str, target_id: int):
    if services.unfollow(_me(), target_type, target_id):
        return redirect_with(_("You no longer follow it."), _back(target_type, target_id))
    return redirect_with(_("You were not following it."), _back(target_type, target_id), "info")


# ---------------------------------------------------------------- the Following page

@bp.get("/")
@login_required
def index():
    me = _me()
    grouped = queries.followed_by(me)
    groups = [(target, grouped[target.kind]) for target in registry.targets() if target.kind in grouped]
    page = render_template("follows/index.html", groups=groups,
                           new_count=sum(e.is_new for _t, entries in groups for e in entries))
    services.mark_seen(me)  # what was new is shown once; the next visit starts from now
    return page
