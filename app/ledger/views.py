"""The plan's ledger: a page with its head and entries, and the JSON anyone checks."""
from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l

from app.core.views import load_or_404
from app.ledger import bp, queries
from app.plans.models import ActionPlan
from app.plans.queries import published_plan

KIND_LABELS = {
    "document_version": _l("Official document"),
    "document_details": _l("Document details corrected"),
    "progress_report": _l("Progress report"),
    "verdict": _l("Verdict of a representative"),
    "dispute_answer": _l("Answer to a dispute"),
    "session_minutes": _l("Minutes of a committee session"),
    "session_agreement": _l("Agreement of a committee session"),
    "agreement_done": _l("Agreement done"),
    "evaluation_opinion": _l("Opinion of a representative on a commitment"),
    "evaluation_assessment": _l("Self-assessment of a commitment"),
}


def _plan(plan_id: int) -> ActionPlan:
    return load_or_404(published_plan(plan_id))


@bp.get("/<int:plan_id>")
def show(plan_id: int):
    plan = _plan(plan_id)
    ledger = queries.document(plan)
    return render_template("ledger/show.html", plan=plan, ledger=ledger, ledger_kinds=KIND_LABELS)


@bp.get("/<int:plan_id>.json")
def download(plan_id: int):
    response = jsonify(queries.document(_plan(plan_id)))
    response.headers["Content-Disposition"] = f'attachment; filename="ledger-plan-{plan_id}.json"'
    return response
