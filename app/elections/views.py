"""Pages of elections: thin views over elections.services."""
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from app.core.permissions import can, require
from app.elections import bp, chain, forms, queries, services
from app.elections.models import SMALL_ROLL, CandidateState, ElectionState
from app.extensions import db, limiter
from app.plans.models import Committee

RECEIPT_KEY = "election_receipt"
DOWNLOAD_KEY = "election_receipt_download"

AUDIT_LABELS = {
    "election.created": lambda: _("Election created"),
    "election.edited": lambda: _("Election edited before its windows opened"),
    "election.nominations_opened": lambda: _("Nominations opened"),
    "election.candidate_validated": lambda: _("Candidate validated"),
    "election.candidate_rejected": lambda: _("Candidate rejected"),
    "election.voting_opened": lambda: _("Voting opened; roll frozen and published"),
    "election.closed": lambda: _("Voting closed"),
    "election.result_published": lambda: _("Result published"),
    "election.agreement_recorded": lambda: _("Self-selection agreement recorded"),
    "election.agreement_published": lambda: _("Self-selection agreement published"),
}


@bp.context_processor
def _helpers():
    return {
        "format_receipt": chain.format_receipt,
        "audit_label": lambda action: AUDIT_LABELS.get(action, lambda: action)(),
        "CandidateState": CandidateState,
        "ElectionState": ElectionState,
    }


def _user():
    return current_user if current_user.is_authenticated else None


def _load(election_id: int):
    election = queries.election_by_id(election_id)
    if election is None:
        raise NotFound(_("There is no election with that number."))
    return election


def _load_candidate(candidate_id: int):
    candidate = queries.candidate_by_id(candidate_id)
    if candidate is None:
        raise NotFound(_("There is no nomination with that number."))
    return candidate


def _to_election(election, anchor: str | None = None):
    return redirect(url_for("elections.show", election_id=election.id, _anchor=anchor), 303)


def _to_manage(election):
    return redirect(url_for("elections.manage", election_id=election.id), 303)


def _show_error(form, exc: ValidationError) -> None:
    db.session.rollback()
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _refused(exc, target):
    db.session.rollback()
    flash(exc.message, "error")
    return target


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


# ---------------------------------------------------------------- public pages


@bp.get("/")
def index():
    return render_template("elections/index.html", elections=queries.all_elections(),
                           manager=can(_user(), "elections.manage"))


@bp.get("/<int:election_id>")
def show(election_id: int):
    election = _load(election_id)
    user = _user()
    started = election.state not in (ElectionState.draft, ElectionState.nominating)
    roll = queries.roll(election.id) if started else []
    own_entry = None
    nomination = None
    approved = False
    if user is not None and user.is_organisation:
        own_entry = next((e for e in roll if e.organisation_id == user.id), None)
        if election.state == ElectionState.nominating:
            nomination = queries.nomination_of(election.id, user.id)
            approved = queries.is_approved(election.committee_id, user.id)
    published = election.state == ElectionState.published
    agreement = queries.agreement_of(election.id)
    return render_template(
        "elections/show.html",
        election=election,
        candidates=queries.validated_candidates(election.id),
        roll=roll,
        # Who voted is published only with the box, after the close.
        show_voted=election.is_over,
        own_entry=own_entry,
        nomination=nomination,
        approved=approved,
        nominations_open=_nominations_open(election),
        voting_problem=services.voting_problem(election) if election.state == ElectionState.voting else None,
        results=queries.results(election.id) if published or election.state == ElectionState.self_selected else [],
        result=election.result_data if published else None,
        agreement=agreement if agreement is not None and agreement.published else None,
        small_roll=SMALL_ROLL,
        head_read_at=utcnow(),
        trail=queries.audit_trail(election.id),
        manager=can(user, "elections.manage", election),
    )


def _nominations_open(election) -> bool:
    try:
        services._require_nomination_window(election)
    except InvalidTransition:
        return False
    return True


@bp.get("/<int:election_id>/box")
def box(election_id: int):
    election = _load(election_id)
    if election.state in (ElectionState.draft, ElectionState.nominating, ElectionState.self_selected):
        raise InvalidTransition(_("This election has no ballot box yet: voting has not opened."))
    return render_template("elections/box.html", election=election,
                           roll_size=queries.roll_size(election.id), head_read_at=utcnow())


@bp.get("/<int:election_id>/box.json")
def box_json(election_id: int):
    election = _load(election_id)
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
    election = _load(election_id)
    form = forms.ReceiptForm(request.args)
    found = None
    checked = False
    if request.args.get("code") is not None and form.validate():
        checked = True
        if chain.is_receipt(form.code.data):
            found = queries.ballot_by_receipt_digest(election.id, chain.receipt_digest(form.code.data))
    names = {code: option for code, option in services.ballot_options(election).items()}
    return render_template("elections/receipt.html", election=election, form=form,
                           checked=checked, found=found, names=names), _status(form)


@bp.get("/<int:election_id>/agreement/record")
def agreement_record(election_id: int):
    from app.core import storage

    election = _load(election_id)
    agreement = queries.agreement_of(election.id)
    if agreement is None or not (agreement.published or can(_user(), "elections.manage", election)):
        raise NotFound()
    path = storage.path_of(agreement.record_stored_name)
    if path is None:
        raise NotFound()
    response = send_file(path, mimetype=agreement.record_content_type, as_attachment=True,
                         download_name="acta", conditional=True, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(agreement.record_name, False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- nominating


@bp.route("/<int:election_id>/nominate", methods=["GET", "POST"])
@login_required
def nominate(election_id: int):
    election = _load(election_id)
    require(current_user, "elections.nominate", election,
            message=_("Only verified organisations approved for this committee can nominate."))
    if not queries.is_approved(election.committee_id, current_user.id):
        raise PermissionDenied(_("Your organisation is not approved for this committee in the "
                                 "call, so it cannot nominate a candidate."))
    current = queries.nomination_of(election.id, current_user.id)
    form = forms.NominationForm()
    if request.method == "GET" and current is not None:
        form.process(data={"name": current.name, "email": current.user.email if current.user else "",
                           "bio": current.bio, "statement": current.statement})
    if form.validate_on_submit():
        try:
            services.nominate_candidate(current_user, election, form.nomination_data())
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(exc, _to_election(election))
        else:
            flash(_("The nomination is registered. The candidate must now accept it from their "
                    "account; then the guarantor body validates it."), "success")
            return _to_election(election, "candidates")
    return render_template("elections/nominate.html", election=election, form=form,
                           current=current), _status(form)


@bp.get("/nominations")
@login_required
def my_nominations():
    return render_template("elections/my_nominations.html",
                           nominations=queries.nominations_for_person(current_user.id))


def _answer(candidate_id: int, service, message: str):
    candidate = _load_candidate(candidate_id)
    try:
        service(current_user, candidate)
    except InvalidTransition as exc:
        return _refused(exc, redirect(url_for("elections.my_nominations"), 303))
    flash(message, "success")
    return redirect(url_for("elections.my_nominations"), 303)


@bp.post("/candidates/<int:candidate_id>/accept")
@login_required
def accept(candidate_id: int):
    return _answer(candidate_id, services.accept_nomination,
                   _("You accepted the nomination. The guarantor body will now validate it."))


@bp.post("/candidates/<int:candidate_id>/decline")
@login_required
def decline(candidate_id: int):
    return _answer(candidate_id, services.decline_nomination, _("You declined the nomination."))


# ---------------------------------------------------------------- voting


def _choice_form(election):
    form = forms.ChoiceForm()
    options = services.ballot_options(election)
    candidates = {c.public_code: c for c in queries.validated_candidates(election.id)}
    form.choice.choices = [(code, options[code]["name"]) for code in
                           sorted(options, key=lambda k: (options[k]["name"].casefold(), k))]
    form.choice.choices.append((forms.BLANK, _("Blank ballot (none of the candidates)")))
    return form, options, candidates


def _voter_or_refuse(election):
    """The roll entry, or a response explaining why this account cannot vote now."""
    try:
        return services.check_voter(current_user, election), None
    except ValidationError as exc:  # already voted
        return None, _refused(exc, _to_election(election))


def _ballot_again(election, errors):
    """The empty ballot again, saying why the one sent was refused (400; nothing was cast)."""
    form, options, candidates = _choice_form(election)
    form.choice.errors = list(errors)
    return render_template("elections/vote.html", election=election, form=form,
                           options=options, candidates=candidates), 400


@bp.route("/<int:election_id>/vote", methods=["GET", "POST"])
@login_required
def vote(election_id: int):
    """Step 1 (GET): the ballot. Step 2 (POST): the review of the choice, with the password."""
    election = _load(election_id)
    _entry, refusal = _voter_or_refuse(election)
    if refusal:
        return refusal
    form, options, candidates = _choice_form(election)
    if form.validate_on_submit():
        choice = form.choice.data
        confirm = forms.ConfirmBallotForm(formdata=None, choice=choice)
        return render_template("elections/review.html", election=election, form=confirm,
                               chosen=options.get(choice), blank=choice == forms.BLANK)
    return render_template("elections/vote.html", election=election, form=form,
                           options=options, candidates=candidates), _status(form)


@bp.post("/<int:election_id>/vote/confirm")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VOTE"], methods=["POST"])
def confirm_vote(election_id: int):
    """Step 3: cast. The receipt goes to the next page once, through the session."""
    election = _load(election_id)
    _entry, refusal = _voter_or_refuse(election)
    if refusal:
        return refusal
    form = forms.ConfirmBallotForm()
    options = services.ballot_options(election)
    submitted = form.validate_on_submit()
    if form.choice.errors:  # sent twice or altered: nothing is cast
        return _ballot_again(election, form.choice.errors)
    choice = form.choice.data
    if choice != forms.BLANK and choice not in options:
        flash(_("Choose one of the candidates or a blank ballot."), "error")
        return redirect(url_for("elections.vote", election_id=election.id), 303)
    if submitted:
        try:
            code = services.cast_ballot(current_user, election,
                                        None if choice == forms.BLANK else choice,
                                        form.password.data)
        except ValidationError as exc:
            if exc.field == "password":
                _show_error(form, exc)
            elif exc.field == "choice":
                db.session.rollback()
                return _ballot_again(election, [exc.message])
            else:
                return _refused(exc, _to_election(election))
        except InvalidTransition as exc:
            return _refused(exc, _to_election(election))
        else:
            session[RECEIPT_KEY] = {"election": election.id, "code": code}
            return redirect(url_for("elections.voted", election_id=election.id), 303)
    return render_template("elections/review.html", election=election, form=form,
                           chosen=options.get(choice), blank=choice == forms.BLANK), 400


@bp.get("/<int:election_id>/voted")
@login_required
def voted(election_id: int):
    election = _load(election_id)
    held = session.get(RECEIPT_KEY)
    code = None
    if held and held.get("election") == election.id:
        code = held["code"]
        session.pop(RECEIPT_KEY, None)
        session[DOWNLOAD_KEY] = {"election": election.id, "code": code}
    download = session.get(DOWNLOAD_KEY)
    can_download = bool(download and download.get("election") == election.id)
    entry = queries.roll_entry_of(election.id, current_user.id)
    response = Response(render_template("elections/voted.html", election=election, code=code,
                                        can_download=can_download,
                                        voted=bool(entry and entry.voted)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:election_id>/receipt.txt")
@login_required
def receipt_file(election_id: int):
    election = _load(election_id)
    held = session.get(DOWNLOAD_KEY)
    if not held or held.get("election") != election.id:
        raise NotFound(_("The receipt can be downloaded only once, right after voting. If you kept "
                         "the code, you can still check it on the election's receipt page."))
    session.pop(DOWNLOAD_KEY, None)
    code = held["code"]
    base = current_app.config["BASE_URL"].rstrip("/")
    text = render_template("elections/receipt.txt", election=election, code=code,
                           digest=chain.receipt_digest(code),
                           receipt_url=base + url_for("elections.receipt", election_id=election.id),
                           box_url=base + url_for("elections.box_json", election_id=election.id))
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="recibo-eleccion-{election.id}.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- administration


def _committee_choices():
    return [(c.id, f"{c.name} ({c.plan.name})") for c in queries.committees()]


def _local_values(election) -> dict:
    return {name: services.utc_to_local(getattr(election, name)) for name in
            ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at")}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "elections.manage")
    form = forms.ElectionForm()
    form.committee_id.choices = _committee_choices()
    if request.method == "GET" and request.args.get("committee", "").isdigit():
        form.committee_id.data = int(request.args["committee"])
    if form.validate_on_submit():
        committee = db.session.get(Committee, form.committee_id.data)
        if committee is None:
            raise NotFound()
        try:
            election = services.create_election(current_user, committee, form.election_data())
        except ValidationError as exc:
            _show_error(form, exc)
        else:
            flash(_("The election is created. Open the nominations when you are ready."), "success")
            return _to_manage(election)
    return render_template("elections/form.html", form=form, election=None), _status(form)


@bp.route("/<int:election_id>/edit", methods=["GET", "POST"])
@login_required
def edit(election_id: int):
    election = _load(election_id)
    require(current_user, "elections.manage", election)
    form = forms.EditElectionForm()
    if request.method == "GET":
        form.process(data={"title": election.title, "min_participants": election.min_participants,
                           "seats": "titular" if len(election.seats) == 1 else "both",
                           **_local_values(election)})
    if form.validate_on_submit():
        try:
            services.update_election(current_user, election, form.election_data())
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(exc, _to_manage(election))
        else:
            flash(_("The election is updated."), "success")
            return _to_manage(election)
    return render_template("elections/form.html", form=form, election=election), _status(form)


@bp.get("/<int:election_id>/manage")
@login_required
def manage(election_id: int):
    election = _load(election_id)
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


def _admin_act(election_id: int, service, message: str):
    election = _load(election_id)
    require(current_user, "elections.manage", election)
    try:
        service(current_user, election)
    except (InvalidTransition, ValidationError) as exc:
        return _refused(exc, _to_manage(election))
    flash(message, "success")
    return _to_manage(election)


@bp.post("/<int:election_id>/open-nominations")
@login_required
def open_nominations(election_id: int):
    return _admin_act(election_id, services.open_nominations,
                      _("Nominations are open. Organisations can nominate within the window."))


@bp.post("/<int:election_id>/open-voting")
@login_required
def open_voting(election_id: int):
    return _admin_act(election_id, services.open_voting,
                      _("Voting is open: the roll is frozen and published with its hash and the "
                        "seed's commitment."))


@bp.post("/candidates/<int:candidate_id>/validate")
@login_required
def validate_candidate(candidate_id: int):
    candidate = _load_candidate(candidate_id)
    require(current_user, "elections.manage", candidate.election)
    try:
        services.validate_candidate(current_user, candidate)
    except InvalidTransition as exc:
        return _refused(exc, _to_manage(candidate.election))
    flash(_("The candidate is validated and appears on the public list."), "success")
    return _to_manage(candidate.election)


@bp.route("/candidates/<int:candidate_id>/reject", methods=["GET", "POST"])
@login_required
def reject_candidate(candidate_id: int):
    candidate = _load_candidate(candidate_id)
    require(current_user, "elections.manage", candidate.election)
    form = forms.ReasonForm()
    if form.validate_on_submit():
        try:
            services.reject_candidate(current_user, candidate, form.reason.data)
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(exc, _to_manage(candidate.election))
        else:
            flash(_("The nomination is rejected; the reason is public."), "success")
            return _to_manage(candidate.election)
    return render_template("elections/reject.html", candidate=candidate, form=form), _status(form)


@bp.route("/<int:election_id>/close", methods=["GET", "POST"])
@login_required
def close(election_id: int):
    election = _load(election_id)
    require(current_user, "elections.manage", election)
    form = forms.CloseForm()
    if form.validate_on_submit():
        try:
            services.close_election(current_user, election, form.reason.data)
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(exc, _to_manage(election))
        else:
            flash(_("Voting is closed. The ballot box is published; check it, then publish the "
                    "result."), "success")
            return _to_manage(election)
    return render_template("elections/close.html", election=election, form=form), _status(form)


@bp.route("/<int:election_id>/publish", methods=["GET", "POST"])
@login_required
def publish(election_id: int):
    election = _load(election_id)
    require(current_user, "elections.manage", election)
    if election.state != ElectionState.closed:
        flash(_("Only a closed election's result can be published."), "error")
        return _to_manage(election)
    form = forms.PublishForm()
    if request.method == "GET":
        form.term_start.data = services.today_local()
    if form.validate_on_submit():
        try:
            services.publish_result(current_user, election, form.term_start.data)
        except (ValidationError, InvalidTransition) as exc:
            return _refused(exc, _to_manage(election))
        flash(_("The result is published and the committee's representatives are updated."),
              "success")
        return _to_election(election, "result")
    preview = services.compute_tally(election)
    names = services.ballot_options(election)
    return render_template("elections/publish.html", election=election, form=form,
                           preview=preview, names=names), _status(form)


@bp.route("/<int:election_id>/agreement", methods=["GET", "POST"])
@login_required
def agreement(election_id: int):
    from app.core import storage

    election = _load(election_id)
    require(current_user, "elections.manage", election)
    allowed, approved = services.self_selection_allowed(election)
    if not allowed:
        flash(_("%(approved)d organisations are approved for this committee; self-selection is "
                "possible only with fewer than %(minimum)d.", approved=approved,
                minimum=election.min_participants), "error")
        return _to_manage(election)
    current = queries.agreement_of(election.id)
    organisations = queries.electorate(election.committee_id)
    form = forms.AgreementForm()
    choices = [(u.id, queries.organisation_name(u)) for u in organisations]
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
    if form.validate_on_submit():
        upload = None
        file = request.files.get("record")
        if file is not None and file.filename:
            try:
                upload = storage.inspect(file)
            except storage.Refused as refused:
                form.record.errors = [refused.message]
        if not form.record.errors:
            try:
                services.record_agreement(current_user, election, form.agreement_data(), upload)
            except ValidationError as exc:
                _show_error(form, exc)
            except InvalidTransition as exc:
                return _refused(exc, _to_manage(election))
            else:
                flash(_("The agreement is recorded. Check it, then publish it."), "success")
                return _to_manage(election)
    return render_template("elections/agreement.html", election=election, form=form,
                           current=current), 400 if form.errors or form.form_errors else 200


@bp.post("/<int:election_id>/agreement/publish")
@login_required
def publish_agreement(election_id: int):
    election = _load(election_id)
    require(current_user, "elections.manage", election)
    try:
        services.publish_agreement(current_user, election, services.today_local())
    except (InvalidTransition, ValidationError, NotFound) as exc:
        return _refused(exc, _to_manage(election))
    flash(_("The self-selection agreement is published and the committee's representatives are "
            "updated."), "success")
    return _to_election(election, "result")

