"""Pages of newsletters: the guarantor body's list, form, preview and send confirmation under
/admin/newsletters/, the one-click unsubscribe page, and the choice on the preferences page."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core.permissions import require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import csrf, db
from app.newsletters import bp, forms, queries, segments, services
from app.plans.queries import current_plan_or_404


def _me():
    return current_user._get_current_object()


def _newsletter(newsletter_id: int):
    newsletter = load_or_404(queries.newsletter(newsletter_id))
    require(current_user, "newsletters.manage", newsletter)
    return newsletter


def segment_description(newsletter) -> str:
    """Who receives it, in words, for the list, the preview and the confirmation."""
    label = str(forms.SEGMENT_LABELS[newsletter.segment])
    if newsletter.committee is not None and newsletter.segment.value == "committee":
        return f"{label}: {newsletter.committee.name}"
    if newsletter.follow_type and newsletter.segment.value == "followers":
        return f"{label}: {forms.FOLLOW_LABELS[newsletter.follow_type]} {newsletter.follow_id}"
    return label


def _preview(newsletter) -> tuple[str, str]:
    """(subject, body) of the mail as a recipient gets it; the unsubscribe link shown is the
    reader's own (each recipient's is theirs)."""
    text = render_template("mail/newsletter.txt", subject=newsletter.subject, body=newsletter.body,
                           name=current_user.name,
                           unsubscribe_url=services.unsubscribe_url(current_user.id))
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip()


def _form_page(form, newsletter, plan):
    form.set_committees(plan.committees)
    return render_template("newsletters/form.html", form=form, newsletter=newsletter)


@bp.get("/admin/newsletters/")
@login_required
def index():
    require(current_user, "newsletters.manage")
    plan = current_plan_or_404()
    return render_template("newsletters/index.html", plan=plan, newsletters=queries.all_of(plan),
                           describe=segment_description)


@bp.route("/admin/newsletters/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "newsletters.manage")
    plan = current_plan_or_404()
    form = forms.NewsletterForm()
    form.set_committees(plan.committees)
    return run_form(
        form,
        action=lambda: services.create_newsletter(_me(), plan, form.data),
        success=lambda newsletter: redirect_with(
            _("The draft is saved. Check the preview, then send it."),
            url_for("newsletters.show", newsletter_id=newsletter.id)),
        render=lambda: _form_page(form, None, plan),
    )


@bp.get("/admin/newsletters/<int:newsletter_id>")
@login_required
def show(newsletter_id: int):
    newsletter = _newsletter(newsletter_id)
    subject, body = _preview(newsletter)
    return render_template(
        "newsletters/show.html", newsletter=newsletter, subject=subject, body=body,
        segment=segment_description(newsletter),
        counts=queries.delivery_counts(newsletter) if newsletter.is_sent else None,
        recipients=None if newsletter.is_sent else segments.recipient_count(newsletter))


@bp.route("/admin/newsletters/<int:newsletter_id>/edit", methods=["GET", "POST"])
@login_required
def edit(newsletter_id: int):
    newsletter = _newsletter(newsletter_id)
    form = forms.NewsletterForm(obj=newsletter if request.method == "GET" else None)
    if request.method == "GET" and newsletter.follow_id is not None:
        form.follow_key.data = str(newsletter.follow_id)
    form.set_committees(newsletter.plan.committees)
    return run_form(
        form,
        action=lambda: services.edit_newsletter(_me(), newsletter, form.data),
        success=lambda changed: redirect_with(
            _("The draft is saved.") if changed else _("Nothing changed."),
            url_for("newsletters.show", newsletter_id=newsletter.id),
            "success" if changed else "info"),
        render=lambda: _form_page(form, newsletter, newsletter.plan),
    )


@bp.route("/admin/newsletters/<int:newsletter_id>/send", methods=["GET", "POST"])
@login_required
def send(newsletter_id: int):
    newsletter = _newsletter(newsletter_id)
    form = forms.ConfirmForm()
    return run_form(
        form,
        action=lambda: services.send_newsletter(_me(), newsletter),
        success=lambda count: redirect_with(
            _("The newsletter is on its way to %(count)d people and published in the news.",
              count=count),
            url_for("newsletters.show", newsletter_id=newsletter.id)),
        render=lambda: render_template(
            "newsletters/send.html", form=form, newsletter=newsletter,
            segment=segment_description(newsletter),
            recipients=None if newsletter.is_sent else segments.recipient_count(newsletter)),
    )


# ---------------------------------------------------------------- recipients

def _unsubscriber(token: str):
    user_id = services.user_of_token(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    return None if user is None or user.deleted_at is not None else user


def _invalid_link():
    return render_template("newsletters/unsubscribe.html", invalid=True, done=False), 400


@bp.get(f"{services.UNSUBSCRIBE_PATH}<token>")
def unsubscribe(token: str):
    """One click from the mail, no login: this page asks to confirm."""
    if _unsubscriber(token) is None:
        return _invalid_link()
    return render_template("newsletters/unsubscribe.html", invalid=False, done=False)


@bp.post(f"{services.UNSUBSCRIBE_PATH}<token>")
@csrf.exempt
def unsubscribe_confirm(token: str):
    """Opts out. The signed token is the credential, so no CSRF token is asked for: mail
    programs' one-click unsubscribe (RFC 8058, the List-Unsubscribe-Post header) posts
    "List-Unsubscribe=One-Click" here with nothing else."""
    user = _unsubscriber(token)
    if user is None:
        return _invalid_link()
    services.unsubscribe(user.id)
    return render_template("newsletters/unsubscribe.html", invalid=False, done=True)


@bp.post("/newsletters/preference")
@login_required
def preference():
    me = _me()
    form = forms.NewsletterPreferenceForm()
    if form.validate_on_submit():
        services.set_receives_newsletters(me, me, bool(form.receive.data))
        message = (_("You will receive the newsletters.") if form.receive.data
                   else _("You will no longer receive the newsletters."))
        return redirect_with(message, url_for("notifications.preferences"))
    return redirect_with(_("The form expired. Please send it again."),
                         url_for("notifications.preferences"), "error")


@bp.app_template_global()
def newsletter_preference_form():
    """The choice shown on the notification preferences page (templates/notifications)."""
    return forms.NewsletterPreferenceForm(
        formdata=None, receive=queries.receives_newsletters(current_user.id))
