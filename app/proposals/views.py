"""Pages of proposals: thin views over proposals.queries, proposals.listing and proposals.services."""
import secrets

from flask import current_app, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.core import fragments, storage
from app.core.clock import today
from app.core.errors import ValidationError, render_error
from app.core.permissions import can, require
from app.core.views import attach_error, has_errors, load_or_404, redirect_with, run_form
from app.extensions import limiter
from app.plans.queries import current_plan_or_404, proposals_refusal, requested_plan
from app.proposals import bp, forms, listing, located, queries, related, services, similar
from app.proposals.models import PROPOSAL_STATE_LABELS, ProposalState

# Query-string keys the list understands; anything else is left out of its links.
LIST_ARGS = ("q", "committee", "theme", "state", "municipality", "sort", "plan")
DEFAULT_PROPOSAL_LIMIT = "10 per hour;30 per day"
ATTACHMENT_CSP = "default-src 'none'; sandbox"
TITLE_CHECKED = 300  # characters of a title the live check of similar proposals reads


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
    choices = listing.filter_choices(plan)
    form = forms.prepare_filter_form(forms.FilterForm(formdata=request.args), plan, choices)
    filters, sort = forms.filters_from(form)
    page = listing.list_page(plan, filters, sort, listing.clamp_page(request.args.get("page")))
    link_args = {key: request.args[key] for key in LIST_ARGS if request.args.get(key)}
    filtered = any(key in link_args for key in LIST_ARGS if key not in ("sort", "plan"))

    def render_results() -> str:
        page.items = listing.listed(page.ids)
        return render_template("proposals/_results.html", page=page, link_args=link_args,
                               filtered=filtered)

    # The results are the same for every reader: kept under what they show (the count, the
    # pages, the ids in order and what each card shows: queries.card_versions) and the links'
    # arguments, so that a hit reads a few columns of 20 rows instead of loading and rendering them.
    cards = page.card_versions if page.card_versions is not None else listing.card_versions(page.ids)
    version = (page.total, page.capped, page.page, page.pages, page.ranked_only, tuple(page.ids),
               cards, tuple(sorted(link_args.items())), filtered)
    results = fragments.cached("proposals.list", plan.id, version, render_results)
    return render_template(
        "proposals/index.html", plan=plan, page=page, form=form, link_args=link_args,
        closed_reason=proposals_refusal(plan, today()),  # the plan's phases say when it receives them
        filtered=filtered, results_html=Markup(results),
        # What the filters' choices come from (the plan's kept catalogue; the states' and orders'
        # labels are the locale's): the kept form is keyed by it.
        filter_choices=("proposals", plan.id, choices),
    )


@bp.get("/map", endpoint="map")
def located_map():
    """The plan's located proposals: always listed in the page; the map is drawn over them."""
    plan = requested_plan(current_user)
    proposals = located.located(plan) if plan is not None else []
    return render_template("proposals/map.html", plan=plan, proposals=proposals,
                           limit=located.MAP_LIMIT)


def _reader_class(proposal) -> str:
    """Whose the shared body is: every reader's, unless what it shows depends on this one (the
    author's "Remove" buttons on the attachments, a facilitator's drafts in a related section):
    then theirs alone."""
    user = current_user
    if not user.is_authenticated:
        return "public"
    if can(user, "proposals.edit", proposal) or related.personal(user):
        return f"person-{user.id}"
    return "public"


def _show_page(proposal, *, state_form=None, merge_form=None, page=None):
    """The proposal's page; `page` (queries.proposal_page) when the request read it already.

    Its shared body (templates/proposals/_body.html: the text, answers, attachments, what the
    related sections show) is rendered once per version of what it shows (queries.page_version:
    one statement), day (the lights of its path), address, locale and class of reader, and kept
    (app/core/fragments.py); its answers, attachments and sections are read only when it is
    missing. The follow box, the support, the author's actions and the facilitator's panel are
    rendered per request and laid over it; the comments are a fragment of their own."""
    page = page or queries.ProposalPage(proposal, queries.version_count(proposal),
                                        queries.has_supported(current_user, proposal))
    facilitator = can(current_user, "proposals.answer", proposal)
    if facilitator:
        state_form = state_form or forms.StateForm(formdata=None, prefix="state")
        forms.prepare_state_form(state_form, proposal, can_answer_only=True)
        merge_form = merge_form or forms.MergeForm(formdata=None, prefix="merge")
    reader = _reader_class(proposal)
    share_url = url_for("proposals.show", reference=proposal.reference, _external=True)

    def render_body() -> str:
        return render_template(
            "proposals/_body.html",
            proposal=proposal,
            answers=queries.answers_for(proposal),
            merged_from=queries.merged_from(proposal),
            version_count=page.version_count,
            related=related.sections(proposal, current_user),
            attachments=queries.attachments_for(proposal),
            removable=reader != "public" and can(current_user, "proposals.edit", proposal),
            state_labels=PROPOSAL_STATE_LABELS,
            share_url=share_url,
            share_title=(_("Proposal %(reference)s", reference=proposal.reference)
                         if proposal.is_hidden else proposal.title),
            csrf_token=lambda: fragments.CSRF_PLACEHOLDER,  # the author's Remove buttons
        )

    version = (queries.page_version(page, current_user), today().isoformat(), share_url)
    body = fragments.with_csrf(fragments.cached("proposals.page", proposal.id, version, render_body,
                                                viewer=reader))
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        body_html=Markup(body),
        supported=page.supported,
        state_form=state_form if facilitator else None,
        merge_form=merge_form if can(current_user, "proposals.merge", proposal) else None,
    )


@bp.get("/<reference>")
def show(reference: str):
    page = load_or_404(queries.proposal_page(reference, current_user))
    if page.proposal.reference != reference:
        return redirect(_page_of(page.proposal), 301)
    return _show_page(page.proposal, page=page)


@bp.get("/<reference>/versions")
def versions(reference: str):
    proposal = _proposal(reference)
    versions = [] if proposal.is_hidden else queries.versions_for(proposal)
    return render_template("proposals/versions.html", proposal=proposal, versions=versions)


# ---------------------------------------------------------------- the author's acts

# The proposal form goes form → preview → publish; "step" is the button pressed. A form sent
# without one (an older page, a script) publishes at once, as it always did.
STEPS = ("preview", "edit")


def _step() -> str:
    step = request.form.get("step")
    return step if step in STEPS else "publish"


def _validated(form, check) -> bool:
    """The form's validators, then the service's checks (the same ones publishing runs)."""
    if not form.validate_on_submit():
        return False
    try:
        check()
    except ValidationError as exc:
        attach_error(form, exc)
        return False
    return True


def _draft_context(stashed=None, ids=None) -> dict:
    """The files part of the form and preview pages: the pending files and their errors."""
    pending = stashed.pending if stashed else services.pending_of(current_user, ids or [])
    return {
        "pending": pending,
        "file_errors": stashed.file_errors if stashed else [],
        "alt_errors": stashed.alt_errors if stashed else {},
        "max_attachments": services.max_attachments(),
        "upload_slots": forms.UPLOAD_SLOTS,
        "accept": services.ACCEPT,
        "max_file_size": storage.human_size(storage.max_bytes()),
    }


def _similar(form, proposal=None) -> list:
    plan_id = proposal.plan_id if proposal else current_plan_or_404().id
    return similar.similar_to(plan_id, f"{form.title.data or ''} {form.body.data or ''}", limit=5,
                             exclude_id=proposal.id if proposal else None)


def _drafting(form, *, template: str, stash, check, publish, success, proposal=None, **page):
    """The steps shared by a new proposal and an edit. Files are kept first, whatever else is
    wrong, so that nothing chosen is asked for again."""
    stashed = stash()
    step = _step()

    def form_page(status=None):
        status = status or (400 if has_errors(form) or not stashed.ok else 200)
        return render_template(template, form=form, proposal=proposal, **page,
                               **_draft_context(stashed)), status

    if step == "edit":
        return form_page(200)
    if step == "preview":
        if _validated(form, check) and stashed.ok:
            return render_template(
                "proposals/preview.html", form=form, proposal=proposal, **page,
                preview=queries.preview_of(form.data, proposal), similar=_similar(form, proposal),
                **_draft_context(stashed))
        return form_page()
    if not stashed.ok:
        form.validate()
        return form_page(400)
    ids = [a.id for a in stashed.pending]
    return run_form(
        form, action=lambda: publish(ids), success=success,
        render=lambda: render_template(template, form=form, proposal=proposal, **page,
                                       **_draft_context(ids=ids)),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
# Only published proposals count: a form sent back with errors does not use up the allowance.
@limiter.limit(_proposal_limit, methods=["POST"], key_func=_account_key,
               deduct_when=lambda response: response.status_code == 302)
def new():
    plan = current_plan_or_404()
    require(current_user, "proposals.create", plan)
    form = forms.prepare_proposal_form(forms.ProposalForm(), plan, author=current_user)
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(24)
        return render_template("proposals/new.html", form=form, plan=plan, **_draft_context())
    return _drafting(
        form, template="proposals/new.html", plan=plan,
        stash=lambda: services.stash_attachments(current_user, plan, None,
                                                 forms.draft_from(request.form, request.files)),
        check=lambda: services.check_proposal(current_user, plan, form.data),
        publish=lambda ids: services.create_proposal(current_user, plan, form.data,
                                                     token=form.token.data, attachment_ids=ids),
        success=lambda proposal: redirect_with(
            _("Your proposal %(reference)s is published.", reference=proposal.reference),
            _page_of(proposal)),
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
    page = {"attachments": queries.attachments_for(proposal)}
    if request.method == "GET":
        return render_template("proposals/edit.html", form=form, proposal=proposal, **page,
                               **_draft_context())
    return _drafting(
        form, template="proposals/edit.html", proposal=proposal, **page,
        stash=lambda: services.stash_attachments(current_user, proposal.plan, proposal,
                                                 forms.draft_from(request.form, request.files)),
        check=lambda: services.check_edit(current_user, proposal, form.data),
        publish=lambda ids: services.edit_proposal(current_user, proposal, form.data,
                                                   attachment_ids=ids),
        success=lambda _version: redirect_with(_("Your changes are saved as a new version."),
                                               _page_of(proposal)),
    )


@bp.get("/similar")
@login_required
@limiter.limit("60 per minute", key_func=_account_key)
def similar_list():
    """Proposals like the title being written (the form's live check), as JSON."""
    plan = current_plan_or_404()
    text = (request.args.get("title") or "")[:TITLE_CHECKED]
    found = similar.similar_to(plan.id, text, limit=5, exclude_id=request.args.get("exclude", type=int))
    return jsonify([{"reference": p.reference, "title": p.title, "supports": p.support_count,
                     "url": url_for("proposals.show", reference=p.reference)} for p in found])


# ---------------------------------------------------------------- attachments

def _attachment_response(attachment_id: int, thumbnail: bool):
    """The file by id (its path comes only from our random stored name), served so that a browser
    never runs it: its checked type, nosniff, a sandbox, downloaded unless an image."""
    item = queries.attachment_file(attachment_id, current_user)
    stored = (item.thumb_stored_name if thumbnail else item.stored_name) if item else None
    path = load_or_404(storage.path_of(stored))
    content_type = (item.content_type if item.content_type in storage.ALLOWED_CONTENT_TYPES
                    else "application/octet-stream")
    inline = content_type in storage.INLINE_CONTENT_TYPES
    response = send_file(path, mimetype=content_type, as_attachment=not inline,
                         download_name="attachment", conditional=True, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(item.original_name, inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if item.proposal_id is None:  # a pending file is its uploader's alone
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return _attachment_response(attachment_id, thumbnail=False)


@bp.get("/attachments/<int:attachment_id>/thumbnail")
def attachment_thumbnail(attachment_id: int):
    return _attachment_response(attachment_id, thumbnail=True)


@bp.post("/<reference>/attachments/<int:attachment_id>/remove")
@login_required
def remove_attachment(reference: str, attachment_id: int):
    proposal = _proposal(reference)
    item = load_or_404(next((a for a in queries.attachments_for(proposal) if a.id == attachment_id),
                            None))
    services.remove_attachment(current_user, item)
    return redirect_with(_("The file «%(name)s» is removed from the proposal.",
                           name=item.original_name), _page_of(proposal, "attachments"))


@bp.errorhandler(413)
def _too_large(exc):
    return render_error(413, _(
        "Everything sent together may weigh at most %(total)s, and each file at most %(each)s. "
        "Go back and send fewer or smaller files.",
        total=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
        each=storage.human_size(storage.max_bytes()),
    ))


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
    proposal = load_or_404(queries.proposal_to_act_on(reference))
    if services.support_proposal(current_user, proposal):
        return redirect_with(_("Thank you: your support is counted."), _page_of(proposal, "support"))
    return redirect_with(_("You already support this proposal."), _page_of(proposal, "support"), "info")


@bp.post("/<reference>/unsupport")
@login_required
def unsupport(reference: str):
    proposal = load_or_404(queries.proposal_to_act_on(reference))
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
