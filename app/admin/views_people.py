"""The guarantor body's users pages: the list with its filters, and one account with its acts."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.admin import bp, forms, queries, users
from app.core.pagination import clamp_page
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.moderation.queries import action_label

LIST_ARGS = ("q", "role", "state", "municipality")


@bp.get("/users")
def users_list():
    form = forms.UserFilterForm(formdata=request.args)
    filters = forms.user_filters(form, queries.municipalities())
    page = queries.users_page(filters, clamp_page(request.args.get("page")))
    return render_template(
        "admin/users.html", form=form, page=page, filtered=filters.active,
        link_args={key: request.args[key] for key in LIST_ARGS if request.args.get(key)},
        state_of=queries.user_state, state_labels=forms.USER_STATE_LABELS,
    )


def _user_page(user: User, *, role_form=None, block_form=None, unblock_form=None):
    return render_template(
        "admin/user.html",
        user=user,
        state=queries.user_state(user),
        state_labels=forms.USER_STATE_LABELS,
        role_form=forms.role_form_for(user, role_form),
        block_form=block_form or forms.BlockForm(formdata=None),
        unblock_form=unblock_form or forms.UnblockForm(formdata=None),
        history=queries.user_history(user),
        action_label=action_label,
    )


def _load(user_id: int) -> User:
    return load_or_404(db.session.get(User, user_id))


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    return _user_page(_load(user_id))


def _act(user: User, form, service, message: str, form_name: str, data=None):
    """Run one of the account's forms: on success back to its page with `message`; a refusal
    re-shows the page with this form's input and the reason next to its field."""
    return run_form(
        form,
        action=lambda: service(current_user, user, data() if data else {"reason": form.reason_text()}),
        success=lambda _result: redirect_with(message, url_for("admin.user_detail", user_id=user.id)),
        render=lambda: _user_page(user, **{form_name: form}),
    )


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user = _load(user_id)
    form = forms.role_form_for(user, forms.ChangeRoleForm())
    return _act(user, form, users.change_role, _("The role has been changed."), "role_form",
                data=lambda: {"role": form.role.data, "reason": form.reason_text()})


@bp.post("/users/<int:user_id>/block")
def block_user(user_id: int):
    user = _load(user_id)
    return _act(user, forms.BlockForm(), users.block_user,
                _("The account is blocked: it cannot log in, and its open sessions have ended."),
                "block_form")


@bp.post("/users/<int:user_id>/unblock")
def unblock_user(user_id: int):
    user = _load(user_id)
    return _act(user, forms.UnblockForm(), users.unblock_user,
                _("The account is unblocked: it can log in again."), "unblock_form")


@bp.post("/users/<int:user_id>/confirmation")
def resend_confirmation(user_id: int):
    user = _load(user_id)
    users.resend_confirmation_for(current_user, user)
    return redirect_with(_("A new confirmation link has been sent to %(email)s.", email=user.email),
                         url_for("admin.user_detail", user_id=user.id))
