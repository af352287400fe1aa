"""The registry's charts: counts by sector, committee and municipality as accessible SVG bars.

The drawing is the dashboard's (`app.core.charts.bar_chart`: role="img", <title>, <desc>,
a text label and the number on every bar, no colour-only cue, no style attribute, every text
escaped); this module only turns the registry's counts into its bars and descriptions.
"""
from flask_babel import gettext as _
from markupsafe import Markup

from app.calls.queries import Registry
from app.core.charts import Bar, bar_chart

SWATCH = "theme"  # a single solid series: the categories are told apart by their labels


def counts_chart(chart_id: str, title: str, counts: list[tuple[str, int]], total: int) -> Markup:
    """One bar per (label, number); the description says every number, for screen readers."""
    if counts:
        desc = "; ".join(f"{label}: {n}" for label, n in counts) + ". "
    else:
        desc = _("No organisation is registered yet.") + " "
    desc += _("%(total)d organisations registered in all.", total=total)
    return bar_chart(chart_id, title, desc, [Bar(str(label), n, SWATCH) for label, n in counts])


def registry_charts(registry: Registry) -> dict[str, Markup]:
    total = registry.total_organisations
    return {
        "sector": counts_chart("registry-sector", _("Organisations by sector"),
                               registry.by_sector, total),
        "committee": counts_chart("registry-committee", _("Organisations by committee"),
                                  [(c.name, n) for c, n in registry.by_committee], total),
        "municipality": counts_chart("registry-municipality", _("Organisations by municipality"),
                                     registry.by_municipality, total),
    }
