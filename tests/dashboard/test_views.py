"""«¿Cómo vamos?»: what the plan's and each committee's dashboard show, and to whom."""
import re
from datetime import UTC, date, datetime

import pytest

from app.commitments.models import CommitmentState, ImplementationStatus, MilestoneStatus
from app.core import clock
from app.extensions import db
from app.plans.models import ActionPlan
from tests.conftest import login
from tests.dashboard.factories import make_commitment
from tests.dashboard.helpers import (
    SVG_NS,
    attribute,
    chart,
    item,
    noon_in_durango,
    svgs,
    table_rows,
)
from tests.factories import HOSTILE, make_committee, make_plan, make_theme, make_user

C, IP, NS = MilestoneStatus.complete, MilestoneStatus.in_progress, MilestoneStatus.not_started
TODAY = date(2026, 3, 10)
PAST, FUTURE = date(2026, 1, 15), date(2026, 9, 30)


@pytest.fixture
def today():
    """Pins Durango's today for the dashboard (the real clock is in 2026 or later): the app's one
    clock stands at noon of TODAY there."""
    with clock.use(lambda: noon_in_durango(TODAY)):
        yield TODAY


@pytest.fixture
def world():
    plan = make_plan()
    committee = make_committee(plan, name="Comité del Municipio de Durango")
    other = make_committee(plan, name="Comité de Gómez Palacio")
    return plan, committee, other


def page(client, url="/dashboard/") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_dashboard_shows_each_public_commitment_with_status_and_progress(client, world, today):
    plan, committee, _other = world
    published = make_commitment(plan, committee, status=ImplementationStatus.substantial,
                                milestones=[(C, PAST), (IP, FUTURE), (NS, FUTURE), (C, PAST)])
    withdrawn = make_commitment(plan, committee, state=CommitmentState.withdrawn,
                                status=ImplementationStatus.limited, milestones=[(IP, FUTURE)])
    withdrawn.withdrawn_reason = "Sin presupuesto asignado"
    db.session.commit()
    empty = make_commitment(plan, committee, status=ImplementationStatus.not_started)

    html = page(client)

    first = item(html, published.id)
    assert attribute(first, "data-status") == "substantial"
    assert attribute(first, "data-progress") == "63"  # (2 + ½) / 4 = 62.5, rounded half up
    assert published.title.replace("<", "&lt;")[:20] in first
    second = item(html, withdrawn.id)
    assert attribute(second, "data-status") == "withdrawn"
    assert attribute(second, "data-progress") == "50"
    assert "Sin presupuesto asignado" in second
    assert attribute(item(html, empty.id), "data-progress") == "0"


def test_dashboard_never_shows_drafts_or_commitments_in_consultation(client, world, today):
    plan, committee, _other = world
    make_commitment(plan, committee, title="Visible publicado")
    for state in (CommitmentState.draft, CommitmentState.consultation):
        make_commitment(plan, committee, state=state, title=f"Secreto {state.value}",
                        milestones=[(NS, PAST)])

    for url in ("/dashboard/", f"/dashboard/committee/{committee.slug}", "/dashboard/plan/print"):
        html = page(client, url)
        assert "Visible publicado" in html
        assert "Secreto" not in html, url
    html = page(client)
    assert re.search(r'data-figure="late"[^>]*><strong>0<', html), "a draft's late milestone is not counted"
    assert table_rows(html, "status")  # the totals count one commitment only
    assert sum(int(cells[0]) for cells in table_rows(html, "status").values()) == 1


def test_next_milestone_is_the_earliest_not_complete_and_late_ones_are_flagged(client, world, today):
    plan, committee, _other = world
    commitment = make_commitment(plan, committee, milestones=[
        (C, date(2025, 6, 1)), (NS, date(2026, 8, 1)), (IP, date(2026, 2, 1)), (NS, date(2026, 3, 9)),
    ])
    late_ids = {commitment.milestones[2].id, commitment.milestones[3].id}

    html = page(client)

    entry = item(html, commitment.id)
    assert attribute(entry, "data-late") == "2"
    assert set(map(int, re.findall(r'data-late-milestone="(\d+)"', entry))) == late_ids
    next_text = re.search(r"<dd>(.*?)</dd>", entry, re.S).group(1)
    assert "Hito" in next_text and ".3 " in next_text, "the earliest pending milestone by end date"
    assert 'class="late-flag"' in entry, "late is said in words, not only in colour"
    assert "⚠" in entry


def test_late_is_judged_by_the_date_in_durango_not_in_utc(client, world):
    plan, committee, _other = world
    commitment = make_commitment(plan, committee, milestones=[(IP, date(2026, 2, 28))])
    # 03:00 UTC on 1 March is still 28 February (21:00) in Durango: the milestone is not late yet.
    with clock.use(lambda: datetime(2026, 3, 1, 3, 0, tzinfo=UTC)):
        assert attribute(item(page(client), commitment.id), "data-late") == "0"

    with clock.use(lambda: datetime(2026, 3, 1, 7, 0, tzinfo=UTC)):
        assert attribute(item(page(client), commitment.id), "data-late") == "1"


@pytest.mark.csrf  # this form family through a real CSRF token
def test_totals_by_status_and_theme_count_a_known_plan(client, world, today):
    plan, committee, other = world
    roads, health = make_theme(plan, "Obra Pública"), make_theme(plan, "Salud Mental")
    S = ImplementationStatus
    make_commitment(plan, committee, roads, status=S.complete)
    make_commitment(plan, committee, roads, status=S.complete)
    make_commitment(plan, other, roads, status=S.limited)
    make_commitment(plan, other, health, status=S.substantial)
    make_commitment(plan, other, None, status=S.complete, state=CommitmentState.withdrawn)
    make_commitment(plan, other, health, status=S.complete, state=CommitmentState.draft)
    client.submit("/language", {"lang": "en"}, page="/")

    html = page(client)

    assert table_rows(html, "status") == {
        "Not started": ["0"], "Limited": ["1"], "Substantial": ["1"], "Complete": ["2"], "Withdrawn": ["1"],
    }
    assert table_rows(html, "theme") == {"Obra Pública": ["3"], "Salud Mental": ["1"], "No theme": ["1"]}


def test_charts_are_accessible_svg_with_the_same_numbers_as_their_tables(client, world, today):
    plan, committee, _other = world
    theme = make_theme(plan, "Medio Ambiente")
    make_commitment(plan, committee, theme, status=ImplementationStatus.limited,
                    milestones=[(C, date(2025, 11, 20)), (IP, date(2026, 2, 10)), (NS, date(2026, 5, 5))])
    make_commitment(plan, committee, theme, status=ImplementationStatus.complete,
                    milestones=[(C, date(2026, 2, 1))])
    client.submit("/language", {"lang": "en"}, page="/")

    html = page(client)

    assert "<script" not in html.lower().replace('<script>alert("x")', "")  # no JavaScript at all
    assert ' style="' not in html, "the CSP forbids inline styles"
    for source, svg in svgs(html):
        assert svg.get("role") == "img", source[:120]
        title, desc = svg.find(f"{SVG_NS}title"), svg.find(f"{SVG_NS}desc")
        assert title is not None and title.text and desc is not None and desc.text, source[:120]
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    status = chart(html, "chart-bars", "chart-status-title")
    numbers = [t.text for t in status.iter(f"{SVG_NS}text") if t.get("font-weight") == "700"]
    assert numbers == [cells[0] for cells in table_rows(html, "status").values()] == ["0", "1", "0", "1", "0"]
    assert "Limited: 1" in status.find(f"{SVG_NS}desc").text
    theme_chart = chart(html, "chart-bars", "chart-theme-title")
    assert "Medio Ambiente: 2" in theme_chart.find(f"{SVG_NS}desc").text
    assert table_rows(html, "theme") == {"Medio Ambiente": ["2"]}
    timeline = table_rows(html, "timeline")
    # Columns: complete, in progress (on time), not started (on time), late, total.
    assert timeline == {
        "Q4 2025": ["1", "0", "0", "0", "1"],
        "Q1 2026 (today)": ["1", "0", "0", "1", "2"],
        "Q2 2026": ["0", "0", "1", "0", "1"],
    }
    columns = chart(html, "chart-columns", "chart-timeline-title")
    totals = [t.text for t in columns.iter(f"{SVG_NS}text") if t.get("font-weight") == "700"
              and t.text.isdigit()]
    assert totals == ["1", "2", "1"]
    # Each series has a pattern, not only a colour, and the legend names it.
    assert len(columns.findall(f"{SVG_NS}defs/{SVG_NS}pattern")) >= 3
    legend = {t.text for t in columns.iter(f"{SVG_NS}text")}
    assert {"Complete", "Late (past its end date, not complete)"} <= legend


def test_hostile_titles_and_theme_names_are_escaped_inside_svg(client, world, today):
    plan, committee, _other = world
    evil = '</title></svg><script>alert("svg")</script><svg onload=alert(2)>'
    theme = make_theme(plan, evil)
    commitment = make_commitment(plan, committee, theme, title=evil, milestones=[(C, PAST)])

    html = page(client)

    assert '<script>alert("svg")' not in html
    assert "<svg onload" not in html
    parsed = svgs(html)  # every SVG is still well-formed XML: the text did not break out
    progress = [svg for _s, svg in parsed if svg.find(f"{SVG_NS}title").get("id") == f"progress-{commitment.id}-title"]
    assert evil in progress[0].find(f"{SVG_NS}title").text
    theme_chart = chart(html, "chart-bars", "chart-theme-title")
    assert evil in theme_chart.find(f"{SVG_NS}desc").text
    assert HOSTILE not in html  # factories' hostile text (committee names) is escaped too


def test_committee_dashboard_shows_only_that_committees_commitments(client, world, today):
    plan, committee, other = world
    mine = make_commitment(plan, committee, title="Del comité propio")
    theirs = make_commitment(plan, other, title="Del otro comité")

    html = page(client, f"/dashboard/committee/{committee.slug}")

    assert f'id="commitment-{mine.id}"' in html
    assert f'id="commitment-{theirs.id}"' not in html and "Del otro comité" not in html
    assert sum(int(cells[0]) for cells in table_rows(html, "status").values()) == 1
    assert f'href="/dashboard/committee/{committee.slug}" aria-current="page"' in html
    both = page(client)
    assert f'id="commitment-{mine.id}"' in both and f'id="commitment-{theirs.id}"' in both


def test_committee_dashboard_of_an_unknown_or_other_plans_committee_is_404(client, world, today):
    _plan, _committee, _other = world
    old_plan = make_plan(current=False)
    old_committee = make_committee(old_plan)

    assert client.get("/dashboard/committee/no-existe").status_code == 404
    assert client.get(f"/dashboard/committee/{old_committee.slug}").status_code == 404


def test_dashboard_without_a_plan_says_so(client):
    assert db.session.query(ActionPlan).count() == 0
    for url in ("/dashboard/", "/dashboard/plan/print"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'href="/dashboard/"' in response.get_data(as_text=True)
    assert client.get("/dashboard/committee/x").status_code == 404


def test_dashboard_is_public_and_in_the_main_navigation(client, world, today):
    plan, committee, _other = world
    make_commitment(plan, committee)
    anonymous = page(client)
    assert '<a href="/dashboard/" aria-current="page">' in anonymous
    user = make_user()
    login(client, user.email)
    assert '<a href="/dashboard/" aria-current="page">' in page(client)
    home = page(client, "/")
    assert '<a href="/dashboard/">' in home


def test_dashboard_only_reads(client, world, today):
    """GET shows; nothing on the dashboard is a form that changes state."""
    plan, committee, _other = world
    make_commitment(plan, committee, milestones=[(NS, PAST)])
    html = page(client)
    main = html.split('<main', 1)[1].split("</main>", 1)[0]
    assert "<form" not in main
    assert client.post("/dashboard/").status_code == 405
