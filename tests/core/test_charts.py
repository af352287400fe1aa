"""The SVG charts: well-formed, named and described, escaped, proportional, patterned."""
import xml.etree.ElementTree as ET

from app.core import charts
from tests.dashboard.helpers import SVG_NS

EVIL = '</title><script>alert(1)</script>&amp; "comillas" <svg onload=x>'


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_is_an_image_named_and_described_with_escaped_text():
    svg = parse(charts.bar_chart("c1", EVIL, EVIL, [charts.Bar(EVIL, 3, "theme")]))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG_NS}title").text == EVIL
    assert svg.find(f"{SVG_NS}desc").text == EVIL
    assert svg.find(f".//{SVG_NS}script") is None
    assert "<script>" not in str(charts.bar_chart("c1", EVIL, EVIL, [charts.Bar(EVIL, 3, "theme")]))


def test_bar_lengths_are_proportional_and_every_bar_says_its_number():
    svg = parse(charts.bar_chart("c2", "t", "d", [
        charts.Bar("Completo", 4, "complete"), charts.Bar("Limitado", 2, "limited"),
        charts.Bar("Sin iniciar", 0, "not_started"),
    ]))

    bars = [r for r in svg.iter(f"{SVG_NS}rect") if r.get("height") == "20"]
    assert [float(b.get("width")) for b in bars] == [400, 200]  # the zero bar draws nothing
    numbers = [t.text for t in svg.iter(f"{SVG_NS}text") if t.get("font-weight") == "700"]
    assert numbers == ["4", "2", "0"]
    # The limited bar is patterned (not only coloured); the pattern is defined in this chart.
    assert bars[1].get("fill") == "url(#c2-limited)"
    assert svg.find(f"{SVG_NS}defs/{SVG_NS}pattern[@id='c2-limited']") is not None


def test_long_labels_are_shortened_in_the_drawing_but_whole_in_the_tooltip():
    label = "Reactivación de la Economía y regularización de empresas por sectores"
    svg = parse(charts.bar_chart("c3", "t", "d", [charts.Bar(label, 1, "theme")]))

    texts = [t.text for t in svg.iter(f"{SVG_NS}text")]
    assert any(t.endswith("…") and len(t) <= charts.LABEL_CHARS for t in texts)
    assert svg.find(f"{SVG_NS}g/{SVG_NS}title").text == f"{label}: 1"


def test_column_chart_stacks_series_and_writes_totals_and_a_legend():
    columns = [
        charts.Column("T1", "2022", {"complete": 2, "late": 1}),
        charts.Column("T2", "2022", {"in_progress": 1}, is_current=True),
    ]
    series = [("complete", "Completo"), ("in_progress", "En curso"), ("late", "Con retraso")]
    svg = parse(charts.column_chart("c4", "Línea", "Desc", columns, series, current_label="Hoy"))

    texts = [t.text for t in svg.iter(f"{SVG_NS}text")]
    assert {"3", "1", "Completo", "En curso", "Con retraso", "Hoy", "T1", "2022"} <= set(texts)
    assert {p.get("id") for p in svg.iter(f"{SVG_NS}pattern")} == {"c4-in_progress", "c4-late"}


def test_empty_charts_are_still_valid_images():
    assert parse(charts.bar_chart("c5", "t", "d", [])).get("role") == "img"
    assert parse(charts.column_chart("c6", "t", "d", [], [("complete", "x")])).get("role") == "img"


def test_progress_bar_fills_its_share_and_clamps():
    half = parse(charts.progress_bar("p1", "Progreso", "2 de 4", 0.5))
    full = parse(charts.progress_bar("p2", "Progreso", "4 de 4", 1.7))
    empty = parse(charts.progress_bar("p3", "Progreso", "0 de 4", 0))

    assert [r.get("width") for r in half.iter(f"{SVG_NS}rect")] == ["198", "98.0"]
    assert [r.get("width") for r in full.iter(f"{SVG_NS}rect")][1] == "198.0"
    assert len(list(empty.iter(f"{SVG_NS}rect"))) == 1
    assert half.get("role") == "img" and half.find(f"{SVG_NS}desc").text == "2 de 4"
