"""The commitment page's table of contents ("En esta página"): one entry per section the page
shows, each pointing at an id the page has, without JavaScript."""
import re

from tests.commitments.factories import make_draft, make_published
from tests.conftest import login


def _toc(page: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="page-toc"[^>]*>(.*?)</nav>', page, re.S)
    assert nav, "the page has a table of contents"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(1))


def test_every_entry_points_at_a_section_of_the_page(world, client):
    commitment = make_published(world)
    page = client.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert "En esta página" in page
    entries = _toc(page)
    anchors = [anchor for anchor, _label in entries]
    for anchor in anchors:
        assert page.count(f'id="{anchor}"') == 1, anchor
    assert anchors[:2] == ["section-other_actors", "section-problem"]
    assert {"section-milestones", "sources", "progress"} <= set(anchors)
    assert ("section-milestones", "Hitos") in entries
    # Anonymous visitors have no facilitator's panel, so no entry for it.
    assert "facilitator-panel" not in anchors and 'id="facilitator-panel"' not in page


def test_a_draft_lists_what_its_facilitator_sees_and_nothing_else(world, client):
    draft = make_draft(world)
    login(client, world.facilitator.email)
    page = client.get(f"/commitments/{draft.id}").get_data(as_text=True)
    anchors = [anchor for anchor, _label in _toc(page)]
    assert "progress" not in anchors  # a draft has no implementation panel
    assert "facilitator-panel" in anchors and "consultation" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in page, anchor
