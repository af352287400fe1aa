"""Pages of the news: the public list and page, and the guarantor body's drafts and forms."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.announcements import bp, forms, queries, services
from app.core.permissions import require
from app.core.views import load_or_404, redirect_with, run_form
from app.plans.queries import current_plan, current_plan_or_404


@bp.get("/")
def index():
    plan = current_plan()
    page = queries.published_page(plan, request.args.get("page")) if plan else None
    return render_template("announcements/index.html", plan=plan, page=page)


@bp.get("/<int:announcement_id>")
def show(announcement_id: int):
    announcement = load_or_404(queries.public_announcement(announcement_id))
    return render_template("announcements/show.html", announcement=announcement)


# ---------------------------------------------------------------- the guarantor body

@bp.get("/manage")
@login_required
def manage():
    require(current_user, "announcements.manage")
    plan = current_plan_or_404()
    return render_template("announcements/manage.html", plan=plan,
                           announcements=queries.all_of(plan))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "announcements.manage")
    plan = current_plan_or_404()
    form = forms.AnnouncementForm()
    return run_form(
        form,
        action=lambda: services.create_announcement(current_user, plan, form.data),
        success=lambda _a: redirect_with(_("The draft is saved. Publish it to show it."),
                                         url_for("announcements.manage")),
        render=lambda: render_template("announcements/form.html", form=form, announcement=None),
    )


def _any(announcement_id: int):
    return load_or_404(queries.any_announcement(announcement_id))


@bp.route("/<int:announcement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(announcement_id: int):
    announcement = _any(announcement_id)
    require(current_user, "announcements.manage", announcement)
    form = forms.AnnouncementForm(obj=announcement if request.method == "GET" else None)
    return run_form(
        form,
        action=lambda: services.edit_announcement(current_user, announcement, form.data),
        success=lambda changed: redirect_with(
            _("The announcement is saved.") if changed else _("Nothing changed."),
            url_for("announcements.manage"), "success" if changed else "info"),
        render=lambda: render_template("announcements/form.html", form=form,
                                       announcement=announcement),
    )


@bp.post("/<int:announcement_id>/publish")
@login_required
def publish(announcement_id: int):
    announcement = _any(announcement_id)
    if services.publish_announcement(current_user, announcement):
        return redirect_with(_("The announcement is published."),
                             url_for("announcements.show", announcement_id=announcement.id))
    return redirect_with(_("The announcement was already published."),
                         url_for("announcements.manage"), "info")


@bp.post("/<int:announcement_id>/unpublish")
@login_required
def unpublish(announcement_id: int):
    announcement = _any(announcement_id)
    if services.unpublish_announcement(current_user, announcement):
        return redirect_with(_("The announcement is a draft again: it is no longer public."),
                             url_for("announcements.manage"))
    return redirect_with(_("The announcement was not published."),
                         url_for("announcements.manage"), "info")
