"""Pages of «¿Cómo vamos?»: the plan's and each committee's dashboard, and the printable plan."""
import re

from flask import render_template, request, stream_template
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.commitments.models import (
    FIELD_LABELS,
    IMPLEMENTATION_LABELS,
    MILESTONE_FIELD_LABELS,
    OGP_VALUES,
    TEMPLATE_FIELDS,
    ImplementationStatus,
)
from app.core import charts, clock, facts, fragments
from app.core.errors import NotFound
from app.core.urls import int_arg
from app.core.views import load_or_404
from app.dashboard import bp, figures, queries
from app.plans.queries import current_plan

# The rows of a commitment's sheet in the printable plan: every template field in the template's
# order, except the title (the sheet's heading); the four OGP values share one row, "values".
SHEET_ROWS = tuple(
    "values" if f == "value_transparency" else f
    for f in TEMPLATE_FIELDS
    if f != "title" and (f not in OGP_VALUES or f == "value_transparency")
)


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*`#>]+")


def short_text(source: str | None, length: int = 180) -> str:
    """A one-line excerpt of a milestone's Markdown without rendering it (the dashboard shows
    hundreds); Jinja escapes it."""
    text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", source or ""))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def status_labels() -> dict[str, str]:
    labels = {status.value: str(IMPLEMENTATION_LABELS[status]) for status in ImplementationStatus}
    labels["withdrawn"] = _("Withdrawn")
    return labels


def timeline_labels() -> dict[str, str]:
    return {
        "complete": _("Complete"),
        "in_progress": _("In progress, on time"),
        "not_started": _("Not started, on time"),
        "late": _("Late (past its end date, not complete)"),
    }


def _charts(board: queries.Dashboard) -> dict:
    """The three charts of a dashboard; the template shows the same numbers in tables."""
    statuses = status_labels()
    total = board.total
    status_chart = charts.bar_chart(
        "chart-status",
        _("Commitments by implementation status"),
        "; ".join(f"{statuses[key]}: {n}" for key, n in board.by_status)
        + ". " + ngettext("%(num)d commitment in all.", "%(num)d commitments in all.", total),
        [charts.Bar(statuses[key], n, key) for key, n in board.by_status],
    )
    theme_chart = charts.bar_chart(
        "chart-theme",
        _("Commitments by theme"),
        "; ".join(f"{name or _('No theme')}: {n}" for name, n in board.by_theme) + ".",
        [charts.Bar(name or _("No theme"), n, "theme") for name, n in board.by_theme],
    )
    labels = timeline_labels()
    timeline_chart = charts.column_chart(
        "chart-timeline",
        _("Milestones by the quarter in which they end"),
        " ".join(
            _("%(period)s: %(total)d milestones", period=period_label(p), total=p.total)
            + " (" + ", ".join(f"{labels[k]} {p.counts[k]}" for k in figures.TIMELINE_KEYS) + ")."
            for p in board.timeline
        ) or _("No milestones."),
        [
            charts.Column(_("Q%(quarter)d", quarter=p.quarter), str(p.year),
                          {k: p.counts[k] for k in figures.TIMELINE_KEYS},
                          is_current=p.contains(board.today))
            for p in board.timeline
        ],
        [(key, labels[key]) for key in figures.TIMELINE_KEYS],
        current_label=_("Today"),
    )
    return {"status": status_chart, "theme": theme_chart, "timeline": timeline_chart}


def period_label(period: figures.Period) -> str:
    return _("Q%(quarter)d %(year)d", quarter=period.quarter, year=period.year)


def progress_bar(summary: queries.CommitmentSummary):
    progress = summary.progress
    return charts.progress_bar(
        f"progress-{summary.commitment.id}",
        _("Progress of “%(title)s”: %(percent)d%%", title=summary.commitment.title,
          percent=progress.percent),
        _("%(complete)d of %(total)d milestones complete, %(in_progress)d in progress.",
          complete=progress.complete, total=progress.total, in_progress=progress.in_progress),
        progress.fraction,
    )


def _render(plan, committee=None):
    """The dashboard page: the figures of the whole plan (or committee) and one page of its
    commitments (?page=). Its body is the same for everyone: it is rendered once per version of
    what it shows (one statement reads the version, itself kept), page, day and locale, and kept
    (app/core/fragments.py); the figures and the page's commitments are read only when it is
    missing."""
    today = clock.today()
    page = int_arg(request.args.get("page"), 1, maximum=1_000_000)

    def render_body():
        board = queries.dashboard(plan, committee, today=today, page=page)
        if page > board.listed.pages:
            raise NotFound()
        return render_template(
            "dashboard/_board.html",
            board=board,
            charts=_charts(board),
            status_labels=status_labels(),
            timeline_labels=timeline_labels(),
            timeline_keys=figures.TIMELINE_KEYS,
            period_label=period_label,
            progress_bar=progress_bar,
            short_text=short_text,
        )

    # The version reads every commitment and milestone of the plan (counts and sums): it is kept
    # as a fact (app/core/facts.py), read again after any change made by this process and within
    # FACTS_SECONDS of one made by another, so a kept body costs no read of the plan at all.
    data_version = facts.cached(
        f"dashboard.version:{plan.id}:{committee.id if committee else ''}",
        lambda: queries.dashboard_version(plan, committee),
    )
    version = (data_version, today.isoformat(), plan.name, plan.period, plan.slug)
    target = f"{plan.id}-{committee.id if committee else 'plan'}-{page}"
    body = fragments.cached("dashboard.board", target, version, render_body)
    return render_template("dashboard/index.html", committee=committee, board_html=Markup(body))


@bp.get("/")
def index():
    plan = current_plan()
    if plan is None:
        return render_template("dashboard/no_plan.html")
    return _render(plan)


@bp.get("/committee/<slug>")
def committee(slug: str):
    plan = load_or_404(current_plan())
    committee = load_or_404(queries.committee_of_plan(plan, slug))
    return _render(plan, committee)


@bp.get("/plan/print")
def print_plan():
    plan = current_plan()
    if plan is None:
        return render_template("dashboard/no_plan.html")
    # The whole plan, however long: streamed, its commitments read a batch at a time
    # (queries.plan_sheets), so a worker holds one batch, not the plan.
    return stream_template(
        "dashboard/print.html",
        plan=plan,
        committees=queries.committees_of_plan(plan, with_members=True),
        contents=queries.plan_contents(plan.id),
        sheets=lambda committee: queries.plan_sheets(plan.id, committee.id),
        sheet_rows=SHEET_ROWS,
        field_labels=FIELD_LABELS,
        milestone_labels=MILESTONE_FIELD_LABELS,
        ogp_values=OGP_VALUES,
        status_labels=status_labels(),
    )
