"""The standards page of a plan, and its figures as open data (JSON and CSV)."""
import csv
import io

from flask import Response, jsonify, render_template

from app.core.clock import today
from app.core.views import load_or_404
from app.plans.models import ActionPlan
from app.plans.queries import published_plan
from app.standards import bp, queries


def _plan(plan_id: int) -> ActionPlan:
    return load_or_404(published_plan(plan_id))


@bp.get("/<int:plan_id>")
def show(plan_id: int):
    plan = _plan(plan_id)
    return render_template("standards/show.html", plan=plan, figures=queries.figures(plan, today()),
                           today=today(), forum_days=queries.FORUM_DAYS)


@bp.get("/<int:plan_id>.json")
def as_json(plan_id: int):
    plan = _plan(plan_id)
    response = jsonify(queries.document(plan, today()))
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data, as /open-data/'s files
    return response


@bp.get("/<int:plan_id>.csv")
def as_csv(plan_id: int):
    plan = _plan(plan_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["plan_id", "computed_on", "key", "title", "met", "done", "total", "rate", "falling_short"])
    for figure in queries.figures(plan, today()):
        writer.writerow([plan.id, today().isoformat(), figure.key, str(figure.title), int(figure.met),
                         figure.done, figure.total, "" if figure.rate is None else figure.rate,
                         figure.short_count])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="standards-plan-{plan.id}.csv"',
                             "Access-Control-Allow-Origin": "*"})
