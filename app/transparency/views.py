"""Pages of the transparency statistics: the current plan's and each committee's."""
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import gettext as _

from app.accounts.models import SECTOR_LABELS
from app.consultations.models import CONSULTATION_OUTCOME_LABELS
from app.core import charts
from app.core.views import load_or_404
from app.plans.queries import current_plan
from app.proposals.models import PROPOSAL_STATE_LABELS
from app.transparency import bp, queries


@dataclass(frozen=True)
class Figure:
    """One section's chart and the table with the same numbers: rows are (label, count)."""

    key: str
    caption: str
    heading: str
    unit: str
    rows: list[tuple[str, int]]
    chart: str

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.rows)


def _figure(key: str, caption: str, heading: str, unit: str, rows: list[tuple[str, int]]) -> Figure:
    desc = "; ".join(f"{label}: {n}" for label, n in rows) + "." if rows else _("No data yet.")
    chart = charts.bar_chart(f"chart-{key}", caption, desc,
                             [charts.Bar(label, n, "theme") for label, n in rows])
    return Figure(key, caption, heading, unit, rows, chart)


def _municipality_label(name: str) -> str:
    if name == queries.OTHERS:
        return _("Other municipalities")
    if name == queries.NOT_STATED:
        return _("Not stated")
    return name


def _figures(stats: queries.Statistics) -> dict[str, Figure]:
    people, proposals, consultations = stats.people, stats.proposals, stats.consultations
    tables = stats.tables
    return {
        "registered": _figure(
            "registered", _("Registered participants"), _("Kind of participant"), _("People"),
            [(_("Citizens"), people.citizens), (_("Organisations"), people.organisations)]),
        "sectors": _figure(
            "sectors", _("Organisations by sector"), _("Sector"), _("Organisations"),
            [(str(SECTOR_LABELS[s]), n) for s, n in people.by_sector]),
        "municipalities": _figure(
            "municipalities", _("Participants by municipality"), _("Municipality"),
            _("Participants"), [(_municipality_label(m), n) for m, n in people.by_municipality]),
        "themes": _figure(
            "themes", _("Proposals by theme"), _("Theme"), _("Proposals"),
            [(name or _("No theme"), n) for name, n in proposals.by_theme]),
        "states": _figure(
            "states", _("Proposals by state"), _("State"), _("Proposals"),
            [(str(PROPOSAL_STATE_LABELS[s]), n) for s, n in proposals.by_state]),
        "comments": _figure(
            "comments", _("Public comments"), _("Where"), _("Comments"),
            [(_("On proposals"), stats.comments["proposals"]),
             (_("On commitments"), stats.comments["commitments"])]),
        "tables": _figure(
            "tables", _("Participation in dialogue tables"), _("Figure"), _("People"),
            [(_("Confirmed registrations"), tables.registrations),
             (_("Registered people who attended"), tables.attended),
             (_("Attendance stated in the minutes"), tables.minutes_attendance)]),
        "outcomes": _figure(
            "outcomes", _("Consultation comments by answer"), _("Answer"), _("Comments"),
            [(str(CONSULTATION_OUTCOME_LABELS[o]), n) for o, n in consultations.by_outcome]
            + [(_("Not answered yet"), consultations.unanswered)]),
    }


def _turnout_chart(stats: queries.Statistics):
    rows = stats.elections
    desc = "; ".join(
        _("%(title)s: %(ballots)d ballots of %(roll)d on the roll (%(percent).1f%%)",
          title=e.title, ballots=e.ballots, roll=e.roll_size, percent=e.turnout)
        for e in rows
    ) or _("No published elections yet.")
    return charts.bar_chart("chart-turnout", _("Turnout in published elections, in per cent"), desc,
                            [charts.Bar(e.title, round(e.turnout), "theme") for e in rows])


def _render(plan, committee):
    stats = queries.statistics(plan, committee)
    return render_template(
        "transparency/index.html",
        stats=stats,
        figures=_figures(stats),
        turnout_chart=_turnout_chart(stats),
        committees=queries.committees_of_plan(plan),
        counted_every_minutes=max(1, round(current_app.config.get("TRANSPARENCY_SECONDS", 600) / 60)),
    )


@bp.get("/")
def index():
    plan = current_plan()
    if plan is None:
        return render_template("transparency/no_plan.html")
    return _render(plan, None)


@bp.get("/committees/<slug>")
def committee(slug: str):
    plan = load_or_404(current_plan())
    committee = load_or_404(queries.committee_of_plan(plan, slug))
    return _render(plan, committee)
