"""Pages of proposals: thin views over proposals.queries and proposals.services."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments.queries import thread_for
from app.commitments.queries import commitments_for_proposal
from app.core.errors import ValidationError
from app.core.permissions import can, require
from app.extensions import limiter
from app.plans.queries import current_plan
from app.proposals import bp, forms, queries, services
from app.proposals import permissions as _permissions  # noqa: F401  (registers the rules)
from app.proposals.models import PROPOSAL_STATE_LABELS, ProposalState

# Query-string keys the list understands; anything else is left out of its links.
LIST_ARGS = ("q", "committee", "theme", "state", "municipality", "sort")
DEFAULT_PROPOSAL_LIMIT = "10 per hour;30 per day"


def _proposal_limit() -> str:
    return current_app.config.get("RATELIMIT_PROPOSALS", DEFAULT_PROPOSAL_LIMIT)


def _account_key() -> str:
    return f"account:{current_user.id}" if current_user.is_authenticated else request.remote_addr


def _load(reference: str):
    return queries.proposal_detail(reference) or abort(404)


def _attach(form, exc: ValidationError) -> None:
    """Show a service's validation error next to its field, or at the top of the page."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _comment_thread(proposal):
    return thread_for(proposal)


# ---------------------------------------------------------------- reading

@bp.get("/")
def index():
    plan = current_plan()
    if plan is None:
        return render_template("proposals/index.html", plan=None, page=None, form=None)
    form = forms.prepare_filter_form(
        forms.FilterForm(formdata=request.args), plan, queries.municipalities_in(plan)
    )
    filters, sort = forms.filters_from(form)
    page = queries.list_proposals(plan, filters, sort, queries.clamp_page(request.args.get("page")))
    link_args = {key: request.args[key] for key in LIST_ARGS if request.args.get(key)}
    return render_template(
        "proposals/index.html", plan=plan, page=page, form=form, link_args=link_args,
        filtered=any(key in link_args for key in LIST_ARGS if key != "sort"),
    )


def _render_show(proposal, *, state_form=None, merge_form=None, status=200):
    facilitator = can(current_user, "proposals.answer", proposal)
    if facilitator:
        state_form = state_form or forms.StateForm(formdata=None, prefix="state")
        forms.prepare_state_form(state_form, proposal, can_answer_only=True)
        merge_form = merge_form or forms.MergeForm(formdata=None, prefix="merge")
    return (
        render_template(
            "proposals/show.html",
            proposal=proposal,
            answers=queries.answers_for(proposal),
            merged_from=queries.merged_from(proposal),
            version_count=queries.version_count(proposal),
            supported=queries.has_supported(current_user, proposal),
            thread=_comment_thread(proposal),
            commitments=commitments_for_proposal(proposal.id, viewer=current_user),
            state_form=state_form if facilitator else None,
            merge_form=merge_form if can(current_user, "proposals.merge", proposal) else None,
            state_labels=PROPOSAL_STATE_LABELS,
        ),
        status,
    )


@bp.get("/<reference>")
def show(reference: str):
    proposal = _load(reference)
    if proposal.reference != reference:
        return redirect(url_for("proposals.show", reference=proposal.reference), 301)
    return _render_show(proposal)


@bp.get("/<reference>/versions")
def versions(reference: str):
    proposal = _load(reference)
    versions = [] if proposal.is_hidden else queries.versions_for(proposal)
    return render_template("proposals/versions.html", proposal=proposal, versions=versions)


# ---------------------------------------------------------------- the author's acts

@bp.route("/new", methods=["GET", "POST"])
@login_required
# Only published proposals count: a form sent back with errors does not use up the allowance.
@limiter.limit(_proposal_limit, methods=["POST"], key_func=_account_key,
               deduct_when=lambda response: response.status_code == 302)
def new():
    plan = current_plan() or abort(404)
    if not current_user.is_confirmed:
        message = _("Confirm your email address to propose a problem.")
    elif current_user.is_blocked():
        message = _("Your account is blocked for now: it can read but not propose.")
    else:
        message = None
    require(current_user, "proposals.create", plan, message)
    form = forms.prepare_proposal_form(forms.ProposalForm(), plan)
    if form.validate_on_submit():
        try:
            proposal = services.create_proposal(current_user, plan, form.data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(_("Your proposal %(reference)s is published.", reference=proposal.reference),
                  "success")
            return redirect(url_for("proposals.show", reference=proposal.reference))
    return render_template("proposals/new.html", form=form, plan=plan), 400 if form.errors else 200


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@login_required
def edit(reference: str):
    proposal = _load(reference)
    require(current_user, "proposals.edit", proposal,
            _("Only the author can edit a proposal, and only before it receives a support or a comment."))
    form = forms.EditProposalForm(obj=proposal if request.method == "GET" else None)
    if request.method == "GET" and proposal.theme_id:
        form.theme_id.data = str(proposal.theme_id)
    forms.prepare_proposal_form(form, proposal.plan)
    if form.validate_on_submit():
        try:
            services.edit_proposal(current_user, proposal, form.data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(_("Your changes are saved as a new version."), "success")
            return redirect(url_for("proposals.show", reference=proposal.reference))
    return (
        render_template("proposals/edit.html", form=form, proposal=proposal),
        400 if form.errors else 200,
    )


@bp.route("/<reference>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(reference: str):
    proposal = _load(reference)
    require(current_user, "proposals.withdraw", proposal)
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(current_user, proposal, form.reason.data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(_("Your proposal is withdrawn. Its page stays, with your reason."), "success")
            return redirect(url_for("proposals.show", reference=proposal.reference))
    return (
        render_template("proposals/withdraw.html", form=form, proposal=proposal),
        400 if form.errors else 200,
    )


# ---------------------------------------------------------------- supports

@bp.post("/<reference>/support")
@login_required
def support(reference: str):
    proposal = _load(reference)
    own = proposal.author_id == current_user.id
    require(current_user, "proposals.support", proposal,
            _("Authors cannot support their own proposal.") if own else None)
    if services.support_proposal(current_user, proposal):
        flash(_("Thank you: your support is counted."), "success")
    else:
        flash(_("You already support this proposal."), "info")
    return redirect(url_for("proposals.show", reference=proposal.reference) + "#support")


@bp.post("/<reference>/unsupport")
@login_required
def unsupport(reference: str):
    proposal = _load(reference)
    require(current_user, "proposals.unsupport", proposal)
    if services.withdraw_support(current_user, proposal):
        flash(_("Your support is removed."), "success")
    else:
        flash(_("You were not supporting this proposal."), "info")
    return redirect(url_for("proposals.show", reference=proposal.reference) + "#support")


# ---------------------------------------------------------------- facilitators' acts

@bp.post("/<reference>/state")
@login_required
def change_state(reference: str):
    proposal = _load(reference)
    require(current_user, "proposals.answer", proposal)
    form = forms.prepare_state_form(forms.StateForm(prefix="state"), proposal, can_answer_only=True)
    if form.validate_on_submit():
        try:
            if form.state.data:
                services.change_state(current_user, proposal, ProposalState(form.state.data),
                                      form.answer.data)
            else:
                services.answer_proposal(current_user, proposal, form.answer.data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(_("The answer is published and its author and supporters are notified."),
                  "success")
            return redirect(url_for("proposals.show", reference=proposal.reference) + "#answers")
    return _render_show(proposal, state_form=form, status=400)


@bp.post("/<reference>/merge")
@login_required
def merge(reference: str):
    proposal = _load(reference)
    require(current_user, "proposals.merge", proposal)
    form = forms.MergeForm(prefix="merge")
    if form.validate_on_submit():
        into = queries.proposal_detail(form.into.data)
        try:
            services.merge_proposal(current_user, proposal, into, form.answer.data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(
                _("%(reference)s is merged into %(into)s; its supporters are notified.",
                  reference=proposal.reference, into=into.reference),
                "success",
            )
            return redirect(url_for("proposals.show", reference=proposal.reference))
    return _render_show(proposal, merge_form=form, status=400)
