"""The pages of those who take part: organisations nominate and vote, the people nominated answer.

The voter is checked once, by the rule elections.vote (the page asks before showing the ballot,
cast_ballot asks again: one evaluation per request); the choice once, by the services (step 2
shows the review only of a choice `ballot_choice` accepts, and cast_ballot checks it again in the
request that casts). The pages only render what those say.
"""
from flask import Response, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import NotFound
from app.core.permissions import require
from app.core.views import redirect_with, run_form
from app.elections import bp, chain, forms, queries, services
from app.elections.views.common import load_candidate, load_election, to_election
from app.extensions import limiter

RECEIPT_KEY = "election_receipt"
DOWNLOAD_KEY = "election_receipt_download"


# ---------------------------------------------------------------- nominating


@bp.route("/<int:election_id>/nominate", methods=["GET", "POST"])
@login_required
def nominate(election_id: int):
    election = load_election(election_id)
    require(current_user, "elections.nominate", election)
    current = queries.nomination_of(election.id, current_user.id)
    form = forms.NominationForm()
    if request.method == "GET" and current is not None:
        form.process(data={"name": current.name, "email": current.user.email if current.user else "",
                           "bio": current.bio, "statement": current.statement})
    return run_form(
        form,
        action=lambda: services.nominate_candidate(current_user, election, form.nomination_data()),
        success=lambda _candidate: to_election(
            election, _("The nomination is registered. The candidate must now accept it from their "
                        "account; then the guarantor body validates it."), "candidates"),
        render=lambda: render_template("elections/nominate.html", election=election, form=form,
                                       current=current),
    )


@bp.get("/nominations")
@login_required
def my_nominations():
    return render_template("elections/my_nominations.html",
                           nominations=queries.nominations_for_person(current_user.id))


@bp.post("/candidates/<int:candidate_id>/accept")
@login_required
def accept(candidate_id: int):
    services.accept_nomination(current_user, load_candidate(candidate_id))
    return redirect_with(_("You accepted the nomination. The guarantor body will now validate it."),
                         url_for("elections.my_nominations"), status=303)


@bp.post("/candidates/<int:candidate_id>/decline")
@login_required
def decline(candidate_id: int):
    services.decline_nomination(current_user, load_candidate(candidate_id))
    return redirect_with(_("You declined the nomination."), url_for("elections.my_nominations"),
                         status=303)


# ---------------------------------------------------------------- voting


def _ballot(election, form: forms.ChoiceForm):
    """The ballot: the frozen candidates by name, then the blank ballot."""
    options = services.ballot_options(election)
    form.choice.choices = [(code, options[code]["name"]) for code in
                           sorted(options, key=lambda k: (options[k]["name"].casefold(), k))]
    form.choice.choices.append((forms.BLANK, _("Blank ballot (none of the candidates)")))
    candidates = {c.public_code: c for c in queries.validated_candidates(election.id)}
    return render_template("elections/vote.html", election=election, form=form,
                           options=options, candidates=candidates)


def _review(election, form: forms.ConfirmBallotForm):
    choice = form.choice.data
    return render_template("elections/review.html", election=election, form=form,
                           chosen=services.ballot_options(election).get(choice),
                           blank=choice == forms.BLANK)


def _review_again(election, form: forms.ConfirmBallotForm):
    """A refused choice shows the empty ballot again, saying why (nothing was cast); any other
    refusal shows the review again, next to the password or at the top."""
    if not form.choice.errors:
        return _review(election, form)
    ballot = forms.ChoiceForm(formdata=None)
    ballot.choice.errors = list(form.choice.errors)
    return _ballot(election, ballot)


@bp.route("/<int:election_id>/vote", methods=["GET", "POST"])
@login_required
def vote(election_id: int):
    """Step 1 (GET): the ballot. Step 2 (POST): the review of the choice, with the password."""
    election = load_election(election_id)
    require(current_user, "elections.vote", election)
    form = forms.ChoiceForm()
    return run_form(
        form,
        action=lambda: services.ballot_choice(election, form.sent_choice()),
        success=lambda _choice: _review(
            election, forms.ConfirmBallotForm(formdata=None, choice=form.choice.data)),
        render=lambda: _ballot(election, form),
    )


def _voted(election, code: str):
    session[RECEIPT_KEY] = {"election": election.id, "code": code}
    return redirect(url_for("elections.voted", election_id=election.id), 303)


@bp.post("/<int:election_id>/vote/confirm")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VOTE"], methods=["POST"])
def confirm_vote(election_id: int):
    """Step 3: cast. The receipt goes to the next page once, through the session."""
    election = load_election(election_id)
    require(current_user, "elections.vote", election)
    form = forms.ConfirmBallotForm()
    return run_form(
        form,
        action=lambda: services.cast_ballot(current_user, election, form.sent_choice(),
                                            form.password.data),
        success=lambda code: _voted(election, code),
        render=lambda: _review_again(election, form),
    )


@bp.get("/<int:election_id>/voted")
@login_required
def voted(election_id: int):
    election = load_election(election_id)
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
    election = load_election(election_id)
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
