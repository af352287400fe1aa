"""The public pages of elections: the list, an election, its ballot box (live and, after the
close, whole), receipts, the standalone verifier and a published agreement's signed record."""
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.core import fragments, storage
from app.core.clock import now
from app.core.errors import InvalidTransition, NotFound
from app.core.pagination import Page, clamp_page
from app.core.permissions import can
from app.core.views import form_status, load_or_404
from app.elections import boxcheck, bp, chain, forms, queries, services
from app.elections.models import SMALL_ROLL, ElectionState
from app.elections.views.common import load_election, load_election_with_agreement
from app.elections.windows import nomination_problem, voting_problem
from app.extensions import limiter


@bp.get("/")
def index():
    return render_template("elections/index.html", elections=queries.all_elections(),
                           manager=can(current_user, "elections.manage"))


@bp.get("/<int:election_id>")
def show(election_id: int):
    """An election's page. Once its result is final (published, or chosen by an agreement) its
    shared body (result, candidates, roll figures, public record) is rendered once per version
    of what it shows (queries.page_version: one statement), address and locale, and kept
    (app/core/fragments.py); before that it is rendered on every request (the ballot box's head
    is read live). The follow box, the manager's link and the visiting organisation's part are
    laid over it."""
    election, agreement = load_election_with_agreement(election_id)
    started = election.state not in (ElectionState.draft, ElectionState.nominating)
    own_entry = None
    nomination = None
    approved = False
    if current_user.is_authenticated and current_user.is_organisation:
        if started:
            own_entry = queries.roll_entry_of(election.id, current_user.id)
        if election.state == ElectionState.nominating:
            nomination = queries.nomination_of(election.id, current_user.id)
            approved = queries.is_approved(election, current_user.id)
    published = election.state == ElectionState.published
    share_url = url_for("elections.show", election_id=election.id, _external=True)

    def render_body() -> str:
        return render_template(
            "elections/_body.html",
            election=election,
            candidates=queries.validated_candidates(election.id),
            # The roll's figures only: the roll itself has its own pages (`roll` below), so this
            # page costs the same for a roll of ten organisations or of thirty thousand.
            roll=queries.roll_counts(election),
            results=(queries.results(election.id)
                     if published or election.state == ElectionState.self_selected else []),
            result=election.result_data if published else None,
            agreement=agreement if agreement is not None and agreement.published else None,
            small_roll=SMALL_ROLL,
            head_read_at=now(),
            trail=queries.audit_trail(election.id),
            share_url=share_url,
        )

    if election.state in queries.FINAL_STATES:
        version = (queries.page_version(election, agreement, current_user), share_url)
        body = fragments.cached("elections.page", election.id, version, render_body)
    else:
        body = render_body()
    return render_template(
        "elections/show.html",
        election=election,
        body_html=Markup(body),
        own_entry=own_entry,
        nomination=nomination,
        approved=approved,
        nominations_open=nomination_problem(election) is None,
        voting_problem=voting_problem(election) if election.state == ElectionState.voting else None,
        manager=can(current_user, "elections.manage", election),
    )


@bp.get("/<int:election_id>/box")
def box(election_id: int):
    election = load_election(election_id)
    if election.state in (ElectionState.draft, ElectionState.nominating, ElectionState.self_selected):
        raise InvalidTransition(_("This election has no ballot box yet: voting has not opened."))
    return render_template("elections/box.html", election=election,
                           roll_size=queries.roll_counts(election).size, head_read_at=now())


@bp.get("/<int:election_id>/roll")
def roll(election_id: int):
    """The frozen roll, a page of it at a time, in its published order; who voted once voting
    closes. The whole roll is in the published box (box.json) and the open data."""
    election = load_election(election_id)
    if election.state in (ElectionState.draft, ElectionState.nominating, ElectionState.self_selected):
        raise InvalidTransition(_("This election has no roll yet: voting has not opened."))
    counts = queries.roll_counts(election)
    page = Page(items=[], total=counts.size, page=clamp_page(request.args.get("page")),
                per_page=queries.ROLL_PAGE_SIZE)
    if page.page > page.pages:
        raise NotFound(_("The roll has no such page."))
    page.items = queries.roll_page(election.id, page.page, page.per_page)
    return render_template("elections/roll.html", election=election, roll=counts, page=page,
                           show_voted=election.is_over)


def _whole_box_limit():
    """The whole box is read (and, for the check, verified) on each request: its cost grows with
    the ballots, so it is limited per address like the open-data downloads."""
    return current_app.config["RATELIMIT_DOWNLOADS"]


@bp.get("/<int:election_id>/box/check")
@limiter.limit(_whole_box_limit)
def box_check(election_id: int):
    """Check the whole published box here, server-side (the page repeats the check in the browser
    when JavaScript runs): no Python needed on the observer's side."""
    election = load_election(election_id)
    if not election.is_over:
        raise InvalidTransition(_("The whole ballot box can be checked once voting closes."))
    form = forms.BoxCheckForm(request.args)
    result = None
    if form.validate():
        result = boxcheck.check_box(election, form.noted_head)
    return render_template("elections/box_check.html", election=election, form=form,
                           result=result), form_status(form)


@bp.get("/<int:election_id>/box.json")
@limiter.limit(_whole_box_limit)
def box_json(election_id: int):
    election = load_election(election_id)
    if not election.is_over:
        raise InvalidTransition(_("The ballot box is published when voting closes. Until then only "
                                  "the number of ballots and the head hash are public."))
    response = jsonify(services.box_document(election))
    response.headers["Content-Disposition"] = f'attachment; filename="urna-eleccion-{election.id}.json"'
    return response


@bp.get("/verify.py")
def verifier_source():
    """The standalone verifier itself, to run without the rest of the site's code."""
    path = Path(current_app.root_path) / "elections" / "verify.py"
    response = Response(path.read_text(encoding="utf-8"), mimetype="text/x-python")
    response.headers["Content-Disposition"] = 'attachment; filename="verify.py"'
    return response


@bp.get("/<int:election_id>/receipt")
def receipt(election_id: int):
    election = load_election(election_id)
    form = forms.ReceiptForm(request.args)
    found = None
    checked = False
    if request.args.get("code") is not None and form.validate():
        checked = True
        if chain.is_receipt(form.code.data):
            found = queries.ballot_by_receipt_digest(election.id, chain.receipt_digest(form.code.data))
    return render_template("elections/receipt.html", election=election, form=form,
                           checked=checked, found=found,
                           names=services.ballot_options(election)), form_status(form)


@bp.get("/<int:election_id>/agreement/record")
def agreement_record(election_id: int):
    election = load_election(election_id)
    agreement = queries.agreement_of(election.id)
    shown = agreement is not None and (agreement.published
                                       or can(current_user, "elections.manage", election))
    agreement = load_or_404(agreement if shown else None)
    path = load_or_404(storage.path_of(agreement.record_stored_name))
    response = send_file(path, mimetype=agreement.record_content_type, as_attachment=True,
                         download_name="acta", conditional=True, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(agreement.record_name, False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
