"""Pages of commitments: the list, the commitment, drafting, editing, versions and diffs,
publishing and withdrawal. Thin views over commitments.queries and commitments.services."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.commitments import bp, forms, queries, registry, services
from app.commitments.dates import today_local
from app.commitments.diff import diff_versions
from app.commitments.models import COMMITMENT_STATE_LABELS, FIELD_LABELS, OGP_VALUES
from app.commitments.permissions import can_read
from app.core.errors import ValidationError
from app.core.permissions import can, require
from app.extensions import db
from app.plans.models import Committee
from app.plans.queries import current_plan

# The template's long texts, in the order the commitment page shows them (values apart).
PAGE_SECTIONS = (
    "problem", "baseline", "causes", "status_quo", "objective", "description", "how_it_helps",
    "budget", "additional_info",
)


def _load(commitment_id: int):
    """The commitment, or 404 when it does not exist or is a draft the user may not read."""
    commitment = queries.commitment_detail(commitment_id)
    if commitment is None or not can_read(current_user, commitment):
        abort(404)
    return commitment


def _load_for_action(commitment_id: int):
    """For the facilitators' acts: 404 only when it does not exist; the permission says 403."""
    return queries.commitment_detail(commitment_id) or abort(404)


def _attach(form, exc: ValidationError, rows: list[int] | None = None) -> None:
    """Show a service's error next to its field (milestone rows included), or at the top."""
    target = None
    name = exc.field or ""
    if name.startswith("milestones-") and rows is not None:
        _, index, sub = name.split("-", 2)
        try:
            entry = form.milestones.entries[rows[int(index)]]
            target = entry.form[sub]
        except (IndexError, KeyError, ValueError):
            target = None
    elif name == "milestones" and form.milestones.entries:
        target = form.milestones.entries[0].form.description
    elif name:
        target = getattr(form, name, None)
    if target is not None:
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


# ---------------------------------------------------------------- reading

@bp.get("/")
def index():
    plan = current_plan()
    if plan is None:
        return render_template("commitments/index.html", plan=None, commitments=[], form=None,
                               drafts=[], draftable=[])
    form = forms.prepare_filter_form(forms.FilterForm(formdata=request.args), plan)
    commitments = queries.list_commitments(plan, forms.filters_from(form))
    drafts = queries.drafts_for(current_user, plan)
    draftable = [c for c in plan.committees if can(current_user, "commitments.draft", c)]
    return render_template(
        "commitments/index.html", plan=plan, form=form, commitments=commitments, drafts=drafts,
        draftable=draftable, filtered=any(request.args.get(k) for k in ("committee", "theme", "state")),
    )


@bp.get("/<int:commitment_id>")
def show(commitment_id: int):
    commitment = _load(commitment_id)
    return render_template(
        "commitments/show.html",
        commitment=commitment,
        proposals=queries.source_proposals(commitment),
        tables=queries.source_tables(commitment),
        today=today_local(),
        sections=[(name, FIELD_LABELS[name]) for name in PAGE_SECTIONS],
        values=[(name, label) for name, label in OGP_VALUES.items()
                if (getattr(commitment, name) or "").strip()],
    )


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
        abort(404)
    to_n = _version_number(request.args.get("to")) if request.args.get("to") else latest
    if to_n is None:
        abort(404)
    from_n = (_version_number(request.args.get("from")) if request.args.get("from")
              else max(1, to_n - 1))
    if from_n is None:
        abort(404)
    found = queries.versions_by_number(commitment, {from_n, to_n})
    if from_n not in found or to_n not in found:
        abort(404)
    old, new = found[from_n], found[to_n]
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
        abort(404)
    committee = db.session.get(Committee, committee_id)
    plan = current_plan()
    if committee is None or plan is None or committee.plan_id != plan.id:
        abort(404)
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
        # Started from proposal pages: ?proposals=DGO-2026-0001,DGO-2026-0002
        wanted = {r.strip().upper() for r in request.args.get("proposals", "").split(",")[:100]}
        chosen = [p for p in choices if p.reference in wanted]
        form.proposals.data = [p.reference for p in chosen]
        if len(chosen) == 1:
            form.title.data = chosen[0].title
            form.theme_id.data = str(chosen[0].theme_id) if chosen[0].theme_id else ""
    rows: list[int] = []
    if form.validate_on_submit():
        milestones, rows = form.milestone_rows()
        try:
            commitment = services.create_draft(
                current_user, committee, form.commitment_data(),
                queries.proposals_by_reference(form.proposals.data),
                queries.tables_by_id(form.tables.data),
                milestones=milestones,
            )
        except ValidationError as exc:
            _attach(form, exc, rows)
        else:
            flash(_("The draft commitment is saved as version 1. Its proposals are now accepted."),
                  "success")
            return redirect(url_for("commitments.show", commitment_id=commitment.id))
    status = 400 if _has_errors(form) else 200
    return render_template("commitments/new.html", form=form, committee=committee), status


def _has_errors(form) -> bool:
    """Any error on the form, its fields or its milestone rows (read from the fields
    themselves: WTForms caches `form.errors` before our cross-field checks add theirs)."""
    if form.form_errors:
        return True
    for f in form:
        if f.type == "FieldList":
            if any(sub.errors for entry in f for sub in entry.form):
                return True
        elif f.errors:
            return True
    return False


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
    require(current_user, "commitments.edit", commitment,
            _("Only the committee's facilitators can edit it, and a withdrawn commitment cannot change."))
    form = _edit_form(commitment)
    rows: list[int] = []
    if form.validate_on_submit():
        milestones, rows = form.milestone_rows()
        base = _version_number(form.base_version.data)
        try:
            services.update_draft(current_user, commitment, form.commitment_data(), milestones,
                                  form.reason.data, expected_version=base)
        except ValidationError as exc:
            _attach(form, exc, rows)
        else:
            flash(_("Your changes are saved as a new version."), "success")
            return redirect(url_for("commitments.show", commitment_id=commitment_id))
    status = 400 if _has_errors(form) else 200
    return render_template("commitments/edit.html", form=form, commitment=commitment), status


# ---------------------------------------------------------------- publishing and withdrawal

@bp.route("/<int:commitment_id>/publish", methods=["GET", "POST"])
@login_required
def publish(commitment_id: int):
    commitment = _load_for_action(commitment_id)
    require(current_user, "commitments.publish", commitment)
    form = forms.PublishForm()
    if form.validate_on_submit():
        try:
            services.publish_commitment(current_user, commitment, form.reason.data)
        except ValidationError as exc:
            _attach_simple(form, exc)
        else:
            flash(_("The commitment is published: it is now a formal commitment of the plan."),
                  "success")
            return redirect(url_for("commitments.show", commitment_id=commitment_id))
    missing = services.missing_labels(services.missing_for_publication(commitment))
    consultation = registry.running_consultation(commitment)
    status = 400 if _has_errors(form) else 200
    return (
        render_template("commitments/publish.html", form=form, commitment=commitment,
                        missing=missing, consultation=consultation),
        status,
    )


def _attach_simple(form, exc: ValidationError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.route("/<int:commitment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(commitment_id: int):
    commitment = _load_for_action(commitment_id)
    require(current_user, "commitments.withdraw", commitment)
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_commitment(current_user, commitment, form.reason.data)
        except ValidationError as exc:
            _attach_simple(form, exc)
        else:
            flash(_("The commitment is withdrawn. Its page and history stay public, with your reason."),
                  "success")
            return redirect(url_for("commitments.show", commitment_id=commitment_id))
    status = 400 if _has_errors(form) else 200
    return render_template("commitments/withdraw.html", form=form, commitment=commitment), status

