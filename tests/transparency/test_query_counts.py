"""The transparency pages send as many SQL statements for 12 of everything as for 2 (a statement
per row would show as ten more)."""
import re

from app.accounts.models import Sector
from app.commitments.models import CommitmentState
from app.consultations.models import ConsultationOutcome
from app.elections.models import ElectionState
from app.extensions import db
from tests.dashboard.helpers import counted, table_rows
from tests.factories import make_committee, make_plan, make_theme
from tests.transparency import factories as f

SECTORS = list(Sector)
OUTCOMES = list(ConsultationOutcome)

LARGE = 12


def _populate(n: int):
    """n of every counted thing (people, proposals, comments, tables, consultations, elections),
    spread over n themes, municipalities and sectors, in a plan of its own."""
    plan = make_plan()
    committee = make_committee(plan, slug=f"comite-{n}")
    themes = [make_theme(plan, f"Tema {i}") for i in range(n)]
    people = [f.citizen(f"Pueblo {i}") for i in range(n)]
    orgs = [f.organisation(SECTORS[i % len(SECTORS)], f"Villa {i}") for i in range(n)]
    call = f.published_call(plan, [committee])
    for org in orgs:
        f.application(call, org, committee)
    commitment = f.commitment(committee, CommitmentState.consultation)
    for i in range(n):
        proposal = f.proposal(committee, people[i], themes[i])
        f.comment(people[i], on_proposal=proposal)
        comment = f.comment(people[i], on_commitment=commitment)
        f.answer(comment, OUTCOMES[i % len(OUTCOMES)])
        f.consultation(f.commitment(committee, CommitmentState.consultation))
        table = f.table(committee)
        f.registration(table, people[i], attended=True)
        f.minutes(table, 1, 3)
        f.election(committee, state=ElectionState.published, roll=orgs[:2], ballots=1)
    return plan, committee


def _statements(client, url: str) -> int:
    client.get(url)  # warm template and translation caches outside the count
    db.session.expire_all()
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def _only_current(plan):
    # Two steps: one current plan at a time (a unique index).
    db.session.execute(db.update(type(plan)).values(is_current=False))
    db.session.execute(db.update(type(plan)).where(type(plan).id == plan.id).values(is_current=True))
    db.session.commit()
    db.session.expire_all()


def test_statements_do_not_grow_with_data(client):
    small_plan, small = _populate(2)
    large_plan, large = _populate(LARGE)
    _only_current(small_plan)
    few, _html = _statements(client, "/transparency/")
    few_committee, _html = _statements(client, f"/transparency/committees/{small.slug}")
    _only_current(large_plan)
    many, html = _statements(client, "/transparency/")
    many_committee, _html = _statements(client, f"/transparency/committees/{large.slug}")
    assert html.count("data-election=") == LARGE  # the large plan's data is really on the page
    assert few == many
    assert few_committee == many_committee
    assert many <= 20, many


def _reads(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if re.search(rf"\b(FROM|JOIN) {table}\b", s)]


def test_kept_figures_read_no_account_comment_or_proposal_row(client, kept_facts):
    """As in production (facts kept): a repeated page reads neither the accounts nor the comments
    (counted once per TRANSPARENCY_SECONDS, the page says when) nor the proposals (their kept
    counts), so its cost does not grow with them; the same statements for 2 or LARGE of everything."""
    small_plan, _small = _populate(2)
    large_plan, _large = _populate(LARGE)
    _only_current(small_plan)
    client.get("/transparency/")
    few, _html = _statements(client, "/transparency/")
    _only_current(large_plan)
    client.get("/transparency/")  # counts the large plan's people and comments once
    db.session.expire_all()
    with counted() as statements:
        html = client.get("/transparency/").get_data(as_text=True)
    assert len(statements) == few
    for table in ("users", "comments", "proposals"):
        assert not _reads(statements, table), (table, statements)
    assert "data-counted-at" in html
    rows = table_rows(html, "themes")
    assert sum(int(cells[0]) for cells in rows.values()) == LARGE  # from proposal_counts


def test_kept_people_and_comments_are_counted_again_after_their_time(app, client, monkeypatch, kept_facts):
    """A new comment shows once TRANSPARENCY_SECONDS have passed (not before: the page says when
    they were counted); a new proposal shows at once (its counts are kept by the database)."""
    monkeypatch.setitem(app.config, "TRANSPARENCY_SECONDS", 3600)
    plan, committee = _populate(2)
    _only_current(plan)
    before = table_rows(client.get("/transparency/").get_data(as_text=True), "comments")
    author = f.citizen("Durango")
    f.comment(author, on_proposal=f.proposal(committee, author))
    db.session.commit()
    html = client.get("/transparency/").get_data(as_text=True)
    assert table_rows(html, "comments") == before
    assert sum(int(c[0]) for c in table_rows(html, "states").values()) == 3
    monkeypatch.setitem(app.config, "TRANSPARENCY_SECONDS", 0)
    monkeypatch.setitem(app.extensions, kept_facts.TIMED, {})
    after = table_rows(client.get("/transparency/").get_data(as_text=True), "comments")
    assert int(after["En propuestas"][0]) == int(before["En propuestas"][0]) + 1
