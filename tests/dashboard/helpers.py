"""Reading the dashboard's HTML in tests: its inline SVGs (parsed as XML) and its data tables."""
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time

from tests.querycount import count_queries

SVG_NS = "{http://www.w3.org/2000/svg}"


def svgs(html: str) -> list[tuple[str, ET.Element]]:
    """Every inline <svg> of the page as (source, parsed element); fails if one is not XML."""
    found = []
    for source in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        found.append((source, ET.fromstring(source)))
    return found


def chart(html: str, css_class: str, title_id: str) -> ET.Element:
    for _source, element in svgs(html):
        if css_class in element.get("class", "").split() and element.find(f"{SVG_NS}title").get("id") == title_id:
            return element
    raise AssertionError(f"no chart {title_id}")


def table_rows(html: str, chart_name: str) -> dict[str, list[str]]:
    """The body rows of the table data-chart=chart_name: {row header text: [cell texts]}."""
    match = re.search(rf'<table class="chart-table" data-chart="{chart_name}">(.*?)</table>', html, re.S)
    assert match, f"no table for chart {chart_name}"
    body = re.search(r"<tbody>(.*?)</tbody>", match.group(1), re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr\b.*?</tr>", body, re.S):
        header = _text(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[header] = [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


def _text(fragment: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def item(html: str, commitment_id: int) -> str:
    """The dashboard's list item of one commitment (its opening tag carries data attributes)."""
    match = re.search(rf'<li class="dash-item" id="commitment-{commitment_id}".*?</li>\s*(?=<li class="dash-item"|</ol>)',
                      html, re.S)
    assert match, f"commitment {commitment_id} is not on the dashboard"
    return match.group(0)


def attribute(fragment: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', fragment).group(1)


def counted():
    """The SQL statements sent to the database while active (the suite's one counter)."""
    return count_queries()


def noon_in_durango(day: date) -> datetime:
    """The UTC moment of noon on `day` in the plan's zone (America/Monterrey, UTC-6), for
    `app.core.clock.use`: the app's today is then `day`."""
    return datetime.combine(day, time(18, 0), UTC)
