"""Pages of proposals: thin views over proposals.queries and proposals.services."""
from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments.queries import thread_for
from app.core.clock import today
from app.core.permissions import can, require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import limiter
from app.plans.queries import current_plan_or_404, proposals_refusal, requested_plan
from app.proposals import bp, forms, located, queries, related, services
from app.proposals.models import PROPOSAL_STATE_LABELS, ProposalState

# Query-string keys the list understands; anything else is left out of its links.
LIST_ARGS = ("q", "committee", "theme", "state", "municipality", "sort", "plan")
DEFAULT_PROPOSAL_LIMIT = "10 per hour;30 per day"


def _proposal_limit() -> str:
    return current_app.config.get("RATELIMIT_PROPOSALS", DEFAULT_PROPOSAL_LIMIT)


def _account_key() -> str:
    return f"account:{current_user.id}" if current_user.is_authenticated else request.remote_addr


def _proposal(reference: str):
    return load_or_404(queries.proposal_detail(reference))


def _page_of(proposal, anchor: str | None = None) -> str:
    return url_for("proposals.show", reference=proposal.reference, _anchor=anchor)


# ---------------------------------------------------------------- reading

@bp.get("/")
def index():
    plan = requested_plan(current_user)  # ?plan=<slug>: a past plan's proposals
    if plan is None:
        return render_template("proposals/index.html", plan=None, page=None, form=None)
    form = forms.prepare_filter_form(forms.FilterForm(formdata=request.args), plan)
    filters, sort = forms.filters_from(form)
    page = queries.list_proposals(plan, filters, sort, queries.clamp_page(request.args.get("page")))
    link_args = {key: request.args[key] for key in LIST_ARGS if request.args.get(key)}
    return render_template(
        "proposals/index.html", plan=plan, page=page, form=form, link_args=link_args,
        closed_reason=proposals_refusal(plan, today()),  # the plan's phases say when it receives them
        filtered=any(key in link_args for key in LIST_ARGS if key not in ("sort", "plan")),
    )


@bp.get("/map", endpoint="map")
def located_map():
    """The plan's located proposals: always listed in the page; the map is drawn over them."""
    plan = requested_plan(current_user)
    proposals = located.located(plan) if plan is not None else []
    return render_template("proposals/map.html", plan=plan, proposals=proposals,
                           limit=located.MAP_LIMIT)


def _show_page(proposal, *, state_form=None, merge_form=None):
    facilitator = can(current_user, "proposals.answer", proposal)
    if facilitator:
        state_form = state_form or forms.StateForm(formdata=None, prefix="state")
        forms.prepare_state_form(state_form, proposal, can_answer_only=True)
        merge_form = merge_form or forms.MergeForm(formdata=None, prefix="merge")
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        answers=queries.answers_for(proposal),
        merged_from=queries.merged_from(proposal),
        version_count=queries.version_count(proposal),
        supported=queries.has_supported(current_user, proposal),
        thread=thread_for(proposal),
        related=related.sections(proposal, current_user),
        state_form=state_form if facilitator else None,
        merge_form=merge_form if can(current_user, "proposals.merge", proposal) else None,
        state_labels=PROPOSAL_STATE_LABELS,
    )


@bp.get("/<reference>")
def show(reference: str):
    proposal = _proposal(reference)
    if proposal.reference != reference:
        return redirect(_page_of(proposal), 301)
    return _show_page(proposal)


@bp.get("/<reference>/versions")
def versions(reference: str):
    proposal = _proposal(reference)
    versions = [] if proposal.is_hidden else queries.versions_for(proposal)
    return render_template("proposals/versions.html", proposal=proposal, versions=versions)


# ---------------------------------------------------------------- the author's acts

@bp.route("/new", methods=["GET", "POST"])
@login_required
# Only published proposals count: a form sent back with errors does not use up the allowance.
@limiter.limit(_proposal_limit, methods=["POST"], key_func=_account_key,
               deduct_when=lambda response: response.status_code == 302)
def new():
    plan = current_plan_or_404()
    require(current_user, "proposals.create", plan)
    form = forms.prepare_proposal_form(forms.ProposalForm(), plan, author=current_user)
    return run_form(
        form,
        action=lambda: services.create_proposal(current_user, plan, form.data),
        success=lambda proposal: redirect_with(
            _("Your proposal %(reference)s is published.", reference=proposal.reference),
            _page_of(proposal)),
        render=lambda: render_template("proposals/new.html", form=form, plan=plan),
    )


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@login_required
def edit(reference: str):
    proposal = _proposal(reference)
    require(current_user, "proposals.edit", proposal)
    form = forms.EditProposalForm(obj=proposal if request.method == "GET" else None)
    if request.method == "GET" and proposal.theme_id:
        form.theme_id.data = str(proposal.theme_id)
    forms.prepare_proposal_form(form, proposal.plan)
    return run_form(
        form,
        action=lambda: services.edit_proposal(current_user, proposal, form.data),
        success=lambda _version: redirect_with(_("Your changes are saved as a new version."),
                                               _page_of(proposal)),
        render=lambda: render_template("proposals/edit.html", form=form, proposal=proposal),
    )


@bp.route("/<reference>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(reference: str):
    proposal = _proposal(reference)
    require(current_user, "proposals.withdraw", proposal)
    form = forms.WithdrawForm()
    return run_form(
        form,
        action=lambda: services.withdraw_proposal(current_user, proposal, form.reason.data),
        success=lambda _none: redirect_with(
            _("Your proposal is withdrawn. Its page stays, with your reason."), _page_of(proposal)),
        render=lambda: render_template("proposals/withdraw.html", form=form, proposal=proposal),
    )


# ---------------------------------------------------------------- supports

@bp.post("/<reference>/support")
@login_required
def support(reference: str):
    proposal = _proposal(reference)
    if services.support_proposal(current_user, proposal):
        return redirect_with(_("Thank you: your support is counted."), _page_of(proposal, "support"))
    return redirect_with(_("You already support this proposal."), _page_of(proposal, "support"), "info")


@bp.post("/<reference>/unsupport")
@login_required
def unsupport(reference: str):
    proposal = _proposal(reference)
    if services.withdraw_support(current_user, proposal):
        return redirect_with(_("Your support is removed."), _page_of(proposal, "support"))
    return redirect_with(_("You were not supporting this proposal."), _page_of(proposal, "support"),
                         "info")


# ---------------------------------------------------------------- facilitators' acts

def _answer(proposal, form):
    """An answer with a change of state when one is chosen, else an answer alone."""
    if form.state.data:
        return services.change_state(current_user, proposal, ProposalState(form.state.data),
                                     form.answer.data)
    return services.answer_proposal(current_user, proposal, form.answer.data)


@bp.post("/<reference>/state")
@login_required
def change_state(reference: str):
    proposal = _proposal(reference)
    require(current_user, "proposals.answer", proposal)
    form = forms.prepare_state_form(forms.StateForm(prefix="state"), proposal, can_answer_only=True)
    return run_form(
        form,
        action=lambda: _answer(proposal, form),
        success=lambda _answer_row: redirect_with(
            _("The answer is published and its author and supporters are notified."),
            _page_of(proposal, "answers")),
        render=lambda: _show_page(proposal, state_form=form),
    )


@bp.post("/<reference>/merge")
@login_required
def merge(reference: str):
    proposal = _proposal(reference)
    require(current_user, "proposals.merge", proposal)
    form = forms.MergeForm(prefix="merge")
    return run_form(
        form,
        action=lambda: services.merge_proposal(current_user, proposal,
                                               queries.proposal_detail(form.into.data), form.answer.data),
        success=lambda _answer_row: redirect_with(
            _("%(reference)s is merged into %(into)s; its supporters are notified.",
              reference=proposal.reference, into=proposal.merged_into.reference),
            _page_of(proposal)),
        render=lambda: _show_page(proposal, merge_form=form),
    )
