"""Pages of moderation: reporting, the committees' queues, the facilitators' acts, the public log."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import can, require
from app.core.urls import int_arg
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.moderation import bp, forms, queries, services
from app.moderation.models import REPORT_REASON_LABELS, ReportTarget
from app.plans.models import Committee

TARGET_TYPES = f"any({', '.join(target.value for target in ReportTarget)})"
MAX_PAGE = 100_000


@bp.app_template_global()
def report_reason_choices():
    """For templates/moderation/_report_form.html, which other areas' pages include."""
    return forms.report_reason_choices()[1:]


# --- Reports -------------------------------------------------------------------------------------


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report():
    source = request.form if request.method == "POST" else request.args
    item = services.load_target(source.get("target_type"), source.get("target_id"))
    require(current_user, "moderation.report", item)
    form = forms.ReportForm(data={"target_type": source.get("target_type"),
                                  "target_id": source.get("target_id")})
    back = queries.item_url(item)

    def reported(report):
        if report is None:  # a second click, or a second tab
            return redirect_with(_("You have already reported this. The facilitators of the "
                                   "committee will review it."), back, "warning")
        return redirect_with(_("Thank you. The facilitators of the committee will review your "
                               "report."), back)

    return run_form(
        form,
        action=lambda: services.report_content(current_user, item, form.reason.data, form.details.data),
        success=reported,
        render=lambda: render_template("moderation/report.html", form=form, item=item, back=back,
                                       kind=services.target_type_of(item).value),
    )


# --- Queues --------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    require(current_user, "moderation.queue")
    return render_template("moderation/index.html", committees=queries.queue_committees(current_user))


def _queue_page(committee, failed=None):
    queue = queries.committee_queue(committee)
    if failed and all(qi.key != failed["key"] for part in queue.values() for qi in part):
        # Acted on from elsewhere (not reported): show it first, so its form shows its errors.
        queue["waiting"].insert(0, queries.QueueItem(failed["key"][0], failed["item"]))
    return render_template(
        "moderation/queue.html",
        committee=committee,
        queue=queue,
        failed=failed,
        reason_labels=REPORT_REASON_LABELS,
        block_choices=forms.block_days_choices()[1:],
    )


@bp.get("/committee/<int:committee_id>")
@login_required
def committee_queue(committee_id: int):
    committee = load_or_404(db.session.get(Committee, committee_id))
    require(current_user, "moderation.queue", committee)
    return _queue_page(committee)


# --- Facilitators' acts --------------------------------------------------------------------------

ACTS = {
    # name: (permission, form class, service, success message)
    "hide": ("moderation.hide", forms.HideForm, services.hide_content,
             lambda: _("The content is hidden; the reason is public.")),
    "restore": ("moderation.restore", forms.ReviewForm, services.restore_content,
                lambda: _("The content is visible again.")),
    "dismiss": ("moderation.dismiss", forms.ReviewForm, services.dismiss_reports,
                lambda: _("The reports are dismissed.")),
    "block": ("moderation.block", forms.BlockForm, services.block_account,
              lambda: _("The account is blocked.")),
}


def _queue_url(item) -> str:
    if item.committee_id is None:
        return url_for("moderation.index")
    return url_for("moderation.committee_queue", committee_id=item.committee_id)


def _act(act: str, target_type: str, target_id: int):
    permission, form_class, service, message = ACTS[act]
    item = services.load_target(target_type, target_id)
    require(current_user, permission, item)
    form = form_class()

    def queue_with_the_errors():
        committee = load_or_404(db.session.get(Committee, item.committee_id) if item.committee_id else None)
        failed = {"act": act, "key": (target_type, target_id), "form": form, "item": item}
        return _queue_page(committee, failed=failed)

    return run_form(
        form,
        action=lambda: service(current_user, item, form.reason.data,
                               *([form.days.data] if act == "block" else [])),
        success=lambda _none: redirect_with(message(), _queue_url(item)),
        render=queue_with_the_errors,
    )


@bp.post(f"/<{TARGET_TYPES}:target_type>/<int:target_id>/hide")
@login_required
def hide(target_type: str, target_id: int):
    return _act("hide", target_type, target_id)


@bp.post(f"/<{TARGET_TYPES}:target_type>/<int:target_id>/restore")
@login_required
def restore(target_type: str, target_id: int):
    return _act("restore", target_type, target_id)


@bp.post(f"/<{TARGET_TYPES}:target_type>/<int:target_id>/dismiss")
@login_required
def dismiss(target_type: str, target_id: int):
    return _act("dismiss", target_type, target_id)


@bp.post(f"/<{TARGET_TYPES}:target_type>/<int:target_id>/block")
@login_required
def block(target_type: str, target_id: int):
    return _act("block", target_type, target_id)


# --- The public log ------------------------------------------------------------------------------


@bp.get("/log")
def log():
    committees = queries.all_committees()
    by_id = {c.id: c for c in committees}
    committee_id = int_arg(request.args.get("committee"))
    if committee_id not in by_id:
        committee_id = None
    is_admin = can(current_user, "admin.access")
    include_private = is_admin and request.args.get("private") == "1"
    # Bounded: a page past the end shows nothing, an absurd one must not reach the database.
    page = int_arg(request.args.get("page"), 1, maximum=MAX_PAGE)
    pagination, rows = queries.audit_log(
        by_id, page=page, committee_id=committee_id, include_private=include_private
    )
    return render_template(
        "moderation/log.html",
        rows=rows,
        pagination=pagination,
        committees=committees,
        committee_id=committee_id,
        is_admin=is_admin,
        include_private=include_private,
    )
