"""The registry's charts: accessible SVG with escaped text and the numbers written out."""
import re

from app.calls import charts
from app.calls.queries import Registry
from tests.factories import HOSTILE


def test_a_chart_is_a_named_and_described_image_with_escaped_labels(app):
    svg = str(charts.counts_chart("c", f"Título {HOSTILE}", [(HOSTILE, 3), ("Durango", 12)], 15))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert re.search(r'<title id="c-title">Título &lt;script&gt;', svg)
    desc = re.search(r'<desc id="c-desc">(.*?)</desc>', svg, flags=re.S).group(1)
    assert "12" in desc and "3" in desc and "15" in desc
    assert "<script" not in svg and "onerror=alert" not in svg.replace("onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert "style=" not in svg
    assert re.search(r">12</text>", svg) and re.search(r">3</text>", svg)


def test_an_empty_registry_draws_empty_charts(app):
    drawn = charts.registry_charts(Registry(call=None, entries=[], by_sector=[], by_committee=[],
                                            by_municipality=[]))
    assert set(drawn) == {"sector", "committee", "municipality"}
    assert all('role="img"' in str(svg) for svg in drawn.values())
    ids = [re.search(r'<title id="([^"]+)"', str(svg)).group(1) for svg in drawn.values()]
    assert len(set(ids)) == 3  # unique ids on one page
