"""Pages of commitments: the list, the commitment, drafting, editing, versions and diffs,
publishing and withdrawal. Thin views over commitments.queries and commitments.services."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.commitments import bp, forms, located, queries, registry, services
from app.commitments.diff import diff_versions
from app.commitments.models import COMMITMENT_STATE_LABELS, FIELD_LABELS, OGP_VALUES
from app.commitments.permissions import can_read
from app.core import fragments
from app.core.clock import today
from app.core.errors import NotFound
from app.core.permissions import can, require
from app.core.urls import int_arg
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.plans.models import Committee
from app.plans.queries import current_plan, requested_plan

# The template's long texts, in the order the commitment page shows them (values apart).
PAGE_SECTIONS = (
    "problem", "baseline", "causes", "status_quo", "objective", "description", "how_it_helps",
    "budget", "additional_info",
)


def _load(commitment_id: int, load=queries.commitment_detail):
    """The commitment, or 404 when it does not exist or is a draft the user may not read."""
    commitment = load(commitment_id)
    return load_or_404(commitment if can_read(current_user, commitment) else None)


def _load_for_action(commitment_id: int):
    """For the facilitators' acts: 404 only when it does not exist; the permission says 403."""
    return load_or_404(queries.commitment_detail(commitment_id))


def _shown(commitment_id: int, message: str):
    return redirect_with(message, url_for("commitments.show", commitment_id=commitment_id))


# ---------------------------------------------------------------- reading

@bp.get("/")
def index():
    plan = requested_plan(current_user)  # ?plan=<slug>: a past plan's commitments
    if plan is None:
        return render_template("commitments/index.html", plan=None, commitments=[], listed=None,
                               form=None, drafts=[], draftable=[])
    form = forms.prepare_filter_form(forms.FilterForm(formdata=request.args), plan)
    listed = queries.list_commitments(plan, forms.filters_from(form),
                                      page=int_arg(request.args.get("page"), 1, maximum=1_000_000))
    if listed.page > listed.pages:
        raise NotFound()
    drafts = queries.drafts_for(current_user, plan)
    draftable = [c for c in plan.committees if can(current_user, "commitments.draft", c)]
    kept = ("plan", "q", "committee", "theme", "state")  # in the page links
    return render_template(
        "commitments/index.html", plan=plan, form=form, commitments=listed.items, listed=listed,
        link_args={k: request.args[k] for k in kept if request.args.get(k)}, drafts=drafts,
        draftable=draftable, filtered=any(request.args.get(k) for k in ("q", "committee", "theme", "state")),
    )


@bp.get("/map", endpoint="map")
def located_map():
    """The plan's located public commitments: always listed; the map is drawn over them."""
    plan = requested_plan(current_user)
    commitments = located.located(plan) if plan is not None else []
    return render_template("commitments/map.html", plan=plan, commitments=commitments,
                           limit=located.MAP_LIMIT)


# The acts a commitment page offers, by permission: the class of viewer of its shared body.
_PAGE_ACTS = ("commitments.edit", "commitments.publish", "commitments.withdraw", "progress.report",
              "progress.set_status", "consultations.open", "progress.draft", "progress.review",
              "progress.see_waiting")


def _viewer_class(commitment, consultation) -> str:
    """Which of the page's acts this viewer is offered (the body shows their controls and forms)."""
    acts = [can(current_user, act, commitment) for act in _PAGE_ACTS]
    acts.append(consultation is not None and can(current_user, "consultations.close", consultation))
    return "".join("1" if act else "0" for act in acts)


@bp.get("/<int:commitment_id>")
def show(commitment_id: int):
    """The commitment page. Its body (the text, milestones, sources, the consultation and the
    implementation panels) is rendered once per version of what it shows (app/commitments/
    queries.py page_version: one statement), the day (a milestone becomes late), the state of the
    consultation's window, the locale and the acts the viewer is offered, and kept
    (app/core/fragments.py); sources, notes and history are read only when it is missing. The
    follow button (personal) and the CSRF token are laid over it."""
    commitment = _load(commitment_id, queries.commitment_page)
    day = today()
    consultation, window = registry.latest_consultation(commitment)

    def render_body():
        return render_template(
            "commitments/_body.html",
            commitment=commitment,
            proposals=queries.source_proposals(commitment),
            tables=queries.source_tables(commitment),
            today=day,
            sections=[(name, FIELD_LABELS[name]) for name in PAGE_SECTIONS],
            values=[(name, label) for name, label in OGP_VALUES.items()
                    if (getattr(commitment, name) or "").strip()],
            follow_slot=True,
            csrf_token=lambda: fragments.CSRF_PLACEHOLDER,
        )

    version = (queries.page_version(commitment, current_user), day.isoformat(), window,
               queries.row_values(consultation))
    body = fragments.cached("commitments.page", commitment.id, version, render_body,
                            viewer=_viewer_class(commitment, consultation))
    return render_template("commitments/show.html", commitment=commitment,
                           body_html=Markup(fragments.with_csrf(body)))


@bp.get("/<int:commitment_id>/versions")
def versions(commitment_id: int):
    commitment = _load(commitment_id)
    return render_template("commitments/versions.html", commitment=commitment,
                           versions=queries.versions_for(commitment),
                           state_labels=COMMITMENT_STATE_LABELS)


def _version_number(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 1_000_000 else None


@bp.get("/<int:commitment_id>/diff")
def diff(commitment_id: int):
    commitment = _load(commitment_id)
    latest = commitment.version
    if latest < 1:
        raise NotFound()
    to_n = load_or_404(_version_number(request.args.get("to")) if request.args.get("to") else latest)
    from_n = load_or_404(_version_number(request.args.get("from")) if request.args.get("from")
                         else max(1, to_n - 1))
    found = queries.versions_by_number(commitment, {from_n, to_n})
    old, new = load_or_404(found.get(from_n)), load_or_404(found.get(to_n))
    return render_template(
        "commitments/diff.html", commitment=commitment, old=old, new=new,
        diff=diff_versions(old.snapshot, new.snapshot), numbers=list(range(latest, 0, -1)),
        state_labels=COMMITMENT_STATE_LABELS,
    )


# ---------------------------------------------------------------- drafting and editing

def _committee_from_args() -> Committee:
    try:
        committee_id = int(request.args.get("committee", ""))
    except ValueError:
        raise NotFound() from None
    committee = db.session.get(Committee, committee_id)
    plan = current_plan()
    if committee is None or plan is None or committee.plan_id != plan.id:
        raise NotFound()
    return committee


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    committee = _committee_from_args()
    require(current_user, "commitments.draft", committee)
    choices = queries.proposal_choices(committee)
    form = forms.prepare_draft_form(
        forms.DraftForm(), committee.plan, choices, queries.table_choices(committee)
    )
    if request.method == "GET":
        # Started from proposal pages: ?proposals=ABC-2026-0001,ABC-2026-0002
        wanted = {r.strip().upper() for r in request.args.get("proposals", "").split(",")[:100]}
        chosen = [p for p in choices if p.reference in wanted]
        form.proposals.data = [p.reference for p in chosen]
        if len(chosen) == 1:
            form.title.data = chosen[0].title
            form.theme_id.data = str(chosen[0].theme_id) if chosen[0].theme_id else ""

    def draft():
        milestones, _rows = form.milestone_rows()
        return services.create_draft(
            current_user, committee, form.commitment_data(),
            queries.proposals_by_reference(form.proposals.data),
            queries.tables_by_id(form.tables.data),
            milestones=milestones,
        )

    return run_form(
        form,
        action=draft,
        success=lambda commitment: _shown(commitment.id, _(
            "The draft commitment is saved as version 1. Its proposals are now accepted.")),
        render=lambda: render_template("commitments/new.html", form=form, committee=committee),
    )


def _edit_form(commitment):
    if request.method == "GET":
        form = forms.EditForm(formdata=None, obj=commitment)
        form.theme_id.data = str(commitment.theme_id) if commitment.theme_id else ""
        form.base_version.data = str(commitment.version)
        form.reason.data = ""
        wanted = max(forms.MILESTONE_ROWS, len(commitment.milestones) + forms.EXTRA_ROWS_WHEN_EDITING)
        while len(form.milestones.entries) < wanted:
            form.milestones.append_entry()
    else:
        form = forms.EditForm()
    if commitment.is_locked:
        form.require_justification()
    return forms.prepare_commitment_form(form, commitment.committee.plan)


@bp.route("/<int:commitment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(commitment_id: int):
    commitment = _load_for_action(commitment_id)
    require(current_user, "commitments.edit", commitment)
    form = _edit_form(commitment)

    def save():
        milestones, _rows = form.milestone_rows()
        return services.update_draft(current_user, commitment, form.commitment_data(), milestones,
                                     form.reason.data,
                                     expected_version=_version_number(form.base_version.data))

    return run_form(
        form,
        action=save,
        success=lambda _version: _shown(commitment_id, _("Your changes are saved as a new version.")),
        render=lambda: render_template("commitments/edit.html", form=form, commitment=commitment),
    )


# ---------------------------------------------------------------- publishing and withdrawal

@bp.route("/<int:commitment_id>/publish", methods=["GET", "POST"])
@login_required
def publish(commitment_id: int):
    commitment = _load_for_action(commitment_id)
    require(current_user, "commitments.publish", commitment)
    form = forms.PublishForm()
    return run_form(
        form,
        action=lambda: services.publish_commitment(current_user, commitment, form.reason.data),
        success=lambda _version: _shown(commitment_id, _(
            "The commitment is published: it is now a formal commitment of the plan.")),
        render=lambda: render_template(
            "commitments/publish.html", form=form, commitment=commitment,
            missing=services.missing_labels(services.missing_for_publication(commitment)),
            consultation=registry.running_consultation(commitment),
        ),
    )


@bp.route("/<int:commitment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(commitment_id: int):
    commitment = _load_for_action(commitment_id)
    require(current_user, "commitments.withdraw", commitment)
    form = forms.WithdrawForm()
    return run_form(
        form,
        action=lambda: services.withdraw_commitment(current_user, commitment, form.reason.data),
        success=lambda _result: _shown(commitment_id, _(
            "The commitment is withdrawn. Its page and history stay public, with your reason.")),
        render=lambda: render_template("commitments/withdraw.html", form=form, commitment=commitment),
    )
