"""The guarantor body's pages: create and edit an election, open its phases, validate or reject
candidates, close the vote, publish the result, or record and publish a self-selection agreement.

Pages with a form check the rule (and, where the election's state decides, the same check the
act makes under its lock) before showing it; one-button acts just call their service, whose
refusal the error handler shows with its reason.
"""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls.queries import published_calls
from app.core.clock import today, utc_to_local
from app.core.permissions import require
from app.core.views import load_or_404, run_form
from app.elections import bp, forms, queries, services
from app.elections.services.lifecycle import WINDOWS
from app.elections.views.common import load_candidate, load_election, to_election, to_manage
from app.extensions import db
from app.plans.models import Committee


def _committee_choices():
    return [(c.id, f"{c.name} ({c.plan.name})") for c in queries.committees()]


def _call_choices(default: bool) -> list:
    """Published calls, newest first, named with their plan and opening date; with `default`,
    first the empty option: the latest call of the committee without an election."""
    choices = [("", _("The latest call that includes the committee and has no election yet"))
               ] if default else []
    return choices + [(c.id, f"{c.title} ({c.plan.name}, {utc_to_local(c.opens_at):%Y-%m-%d})")
                      for c in published_calls()]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "elections.manage")
    form = forms.ElectionForm()
    form.committee_id.choices = _committee_choices()
    form.call_id.choices = _call_choices(default=True)
    if request.method == "GET" and request.args.get("committee", "").isdigit():
        form.committee_id.data = int(request.args["committee"])
    if request.method == "GET" and request.args.get("call", "").isdigit():
        form.call_id.data = int(request.args["call"])
    return run_form(
        form,
        action=lambda: services.create_election(
            current_user, load_or_404(db.session.get(Committee, form.committee_id.data)),
            form.election_data()),
        success=lambda election: to_manage(
            election, _("The election is created. Open the nominations when you are ready.")),
        render=lambda: render_template("elections/form.html", form=form, election=None),
    )


@bp.route("/<int:election_id>/edit", methods=["GET", "POST"])
@login_required
def edit(election_id: int):
    election = load_election(election_id)
    require(current_user, "elections.manage", election)
    form = forms.EditElectionForm()
    form.call_id.choices = _call_choices(default=election.call_id is None)
    if request.method == "GET":
        form.process(data={"call_id": election.call_id, "title": election.title, "min_participants": election.min_participants,
                           "seats": "titular" if len(election.seats) == 1 else "both",
                           **{name: utc_to_local(getattr(election, name)) for name in WINDOWS}})
    return run_form(
        form,
        action=lambda: services.update_election(current_user, election, form.election_data()),
        success=lambda _election: to_manage(election, _("The election is updated.")),
        render=lambda: render_template("elections/form.html", form=form, election=election),
    )


@bp.get("/<int:election_id>/manage")
@login_required
def manage(election_id: int):
    election = load_election(election_id)
    require(current_user, "elections.manage", election)
    allowed, approved = services.self_selection_allowed(election)
    return render_template(
        "elections/manage.html",
        election=election,
        candidates=queries.all_candidates(election.id),
        roll_size=queries.roll_size(election.id),
        approved=approved,
        self_selection=allowed,
        agreement=queries.agreement_of(election.id),
    )


@bp.post("/<int:election_id>/open-nominations")
@login_required
def open_nominations(election_id: int):
    election = services.open_nominations(current_user, load_election(election_id))
    return to_manage(election, _("Nominations are open. Organisations can nominate within the "
                                 "window."))


@bp.post("/<int:election_id>/open-voting")
@login_required
def open_voting(election_id: int):
    election = services.open_voting(current_user, load_election(election_id))
    return to_manage(election, _("Voting is open: the roll is frozen and published with its hash "
                                 "and the seed's commitment."))


@bp.post("/candidates/<int:candidate_id>/validate")
@login_required
def validate_candidate(candidate_id: int):
    candidate = services.validate_candidate(current_user, load_candidate(candidate_id))
    return to_manage(candidate.election,
                     _("The candidate is validated and appears on the public list."))


@bp.route("/candidates/<int:candidate_id>/reject", methods=["GET", "POST"])
@login_required
def reject_candidate(candidate_id: int):
    candidate = load_candidate(candidate_id)
    require(current_user, "elections.manage", candidate.election)
    form = forms.ReasonForm()
    return run_form(
        form,
        action=lambda: services.reject_candidate(current_user, candidate, form.reason.data),
        success=lambda _candidate: to_manage(candidate.election,
                                             _("The nomination is rejected; the reason is public.")),
        render=lambda: render_template("elections/reject.html", candidate=candidate, form=form),
    )


@bp.route("/<int:election_id>/close", methods=["GET", "POST"])
@login_required
def close(election_id: int):
    election = load_election(election_id)
    require(current_user, "elections.manage", election)
    form = forms.CloseForm()
    return run_form(
        form,
        action=lambda: services.close_election(current_user, election, form.reason.data),
        success=lambda _election: to_manage(election, _(
            "Voting is closed. The ballot box is published; check it, then publish the result.")),
        render=lambda: render_template("elections/close.html", election=election, form=form),
    )


@bp.route("/<int:election_id>/publish", methods=["GET", "POST"])
@login_required
def publish(election_id: int):
    election = load_election(election_id)
    require(current_user, "elections.manage", election)
    services.check_publishable(election)
    form = forms.PublishForm()
    if request.method == "GET":
        form.term_start.data = today()
    return run_form(
        form,
        action=lambda: services.publish_result(current_user, election, form.term_start.data),
        success=lambda _election: to_election(election, _(
            "The result is published and the committee's representatives are updated."), "result"),
        render=lambda: render_template("elections/publish.html", election=election, form=form,
                                       preview=services.compute_tally(election),
                                       names=services.ballot_options(election)),
    )


@bp.route("/<int:election_id>/agreement", methods=["GET", "POST"])
@login_required
def agreement(election_id: int):
    election = load_election(election_id)
    require(current_user, "elections.manage", election)
    services.check_self_selection(election)
    current = queries.agreement_of(election.id)
    form = forms.AgreementForm()
    choices = [(u.id, queries.organisation_name(u)) for u in queries.electorate(election)]
    form.participants.choices = choices
    form.titular_organisation_id.choices = choices
    form.suplente_organisation_id.choices = [("", _("None"))] + choices
    if request.method == "GET" and current is not None:
        by_name = {name: oid for oid, name in choices}
        form.process(data={
            "participants": [p["id"] for p in current.participants],
            "titular_name": current.titular_name, "suplente_name": current.suplente_name,
            "titular_organisation_id": by_name.get(current.titular_organisation),
            "suplente_organisation_id": by_name.get(current.suplente_organisation),
            "agreed_on": current.agreed_on, "notes": current.notes,
        })
    return run_form(
        form,
        action=lambda: services.record_agreement(current_user, election, form.agreement_data(),
                                                 form.upload),
        success=lambda _agreement: to_manage(
            election, _("The agreement is recorded. Check it, then publish it.")),
        render=lambda: render_template("elections/agreement.html", election=election, form=form,
                                       current=current),
    )


@bp.post("/<int:election_id>/agreement/publish")
@login_required
def publish_agreement(election_id: int):
    election = load_election(election_id)
    services.publish_agreement(current_user, election)
    return to_election(election, _("The self-selection agreement is published and the committee's "
                                   "representatives are updated."), "result")
