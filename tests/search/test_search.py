"""Search on both databases: the same words find the same things, public content only, and the
index follows every change in the transaction that makes it."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.comments import services as comments
from app.commitments.models import Milestone
from app.documents.models import Document, DocumentKind
from app.extensions import db
from app.fulltext.matching import matching_ids
from app.fulltext.models import SearchEntry
from app.moderation import services as moderation
from app.proposals import services as proposals
from app.search import indexing
from app.search.queries import search, similar_proposals
from tests.comments.factories import make_comment
from tests.commitments.factories import make_draft, make_published, milestone
from tests.dialogues.factories import make_table
from tests.factories import HOSTILE, make_plan
from tests.proposals.factories import World, make_proposal
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def found(query, **kwargs) -> list[tuple[str, int]]:
    return [(r.kind, r.item_id) for r in search(query, **kwargs).results]


def published(world, description: str):
    """A formal commitment whose one milestone says `description`."""
    source = make_proposal(world, title="Fuente del compromiso", body="x")
    return make_published(world, proposals=[source], milestones=[milestone(description=description)])


def entry_of(kind, item_id):
    return db.session.scalar(
        sa.select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.item_id == item_id))


# ---------------------------------------------------------------- the examples


def test_separada_finds_por_separado_and_senaletica_without_accent_both_ways(world, client):
    basura = make_proposal(world, title="Basura por separado en el mercado", body="Contenedores.")
    vial = make_proposal(world, title="Senalética vial frente a las escuelas", body="Sin letreros.")
    accented = make_proposal(world, title="Señalética en el parque", body="Letreros rotos.")
    make_proposal(world, title="Baches en la avenida", body="Muchos baches.")
    assert found("basura separada") == [("proposal", basura.id)]
    assert set(found("señalética")) == {("proposal", vial.id), ("proposal", accented.id)}
    assert set(found("senaletica")) == {("proposal", vial.id), ("proposal", accented.id)}
    assert found("SEÑALÉTICA vial") == [("proposal", vial.id)]

    page = text(client.get("/search/?q=basura+separada"))
    assert f'href="/proposals/{basura.reference}"' in page
    assert "<mark>Basura</mark> por <mark>separado</mark>" in page
    page = text(client.get("/search/?q=se%C3%B1al%C3%A9tica"))
    assert f'href="/proposals/{vial.reference}"' in page and "<mark>Senalética</mark>" in page

    # The proposals list's own search box: the same search, most relevant first.
    page = text(client.get("/proposals/?q=basura+separada"))
    assert basura.reference in page and vial.reference not in page
    page = text(client.get("/proposals/?q=senaletica"))
    assert vial.reference in page and accented.reference in page and basura.reference not in page


def test_every_word_must_match_and_the_last_is_a_prefix(world):
    a = make_proposal(world, title="Alumbrado público en la plaza", body="Lámparas fundidas.")
    b = make_proposal(world, title="Alumbrado de la escuela", body="Sin luz.")
    assert set(found("alumbrado")) == {("proposal", a.id), ("proposal", b.id)}
    assert found("alumbrado lamparas") == [("proposal", a.id)]
    assert found("alumbrado lámp") == [("proposal", a.id)]  # still typing
    assert found("alumbrado inexistente") == []
    assert found("de la") == [] and not search("de la").searchable


# ---------------------------------------------------------------- every kind, public only


def test_each_kind_is_found_and_counted(world, client):
    proposal = make_proposal(world, title="Huertos comunitarios", body="Xilófono uno.")
    comment = make_comment(proposal, body="Propongo un xilófono en cada huerto.")
    commitment = published(world, "Instalar xilófonos")
    table = make_table(world.committee, title="Mesa sobre xilófonos", objective="Hablar.")
    document = Document(plan_id=world.plan.id, kind=DocumentKind.report, title="Informe del xilófono",
                        description="", document_date=date(2026, 3, 1))
    db.session.add(document)
    db.session.commit()
    page = search("xilofono")
    assert set(found("xilofono")) == {("proposal", proposal.id), ("comment", comment.id),
                                      ("commitment", commitment.id), ("table", table.id),
                                      ("document", document.id)}
    assert page.counts == {"proposal": 1, "commitment": 1, "table": 1, "comment": 1, "document": 1}
    assert found("xilofono", kinds={"table"}) == [("table", table.id)]
    html = text(client.get("/search/?q=xil%C3%B3fono&kind=comment"))
    assert f'/proposals/{proposal.reference}#comment-{comment.id}' in html
    assert f'href="/tables/{table.id}"' not in html  # filtered to comments
    html = text(client.get("/search/?q=xilofono"))
    for url in (f"/commitments/{commitment.id}", f"/tables/{table.id}", f"/documents/{document.id}"):
        assert f'href="{url}"' in html


def test_hidden_withdrawn_deleted_and_draft_content_never_found(world):
    hidden = make_proposal(world, title="Zarigüeyas en el techo", body="x")
    withdrawn = make_proposal(world, title="Zarigüeyas en la escuela", body="x")
    shown = make_proposal(world, title="Zarigüeyas en el parque", body="x")
    on_hidden = make_comment(hidden, body="Vi zarigüeyas también")
    deleted = make_comment(shown, body="Más zarigüeyas")
    hidden_comment = make_comment(shown, body="Zarigüeyas por todas partes")
    make_draft(world, proposals=[make_proposal(world, title="Fuente del borrador", body="x")],
               milestones=[milestone(description="Censo de zarigüeyas")])
    assert len(found("zarigueyas")) == 6
    moderation.hide_content(world.facilitator, hidden, "Datos personales")
    moderation.hide_content(world.facilitator, hidden_comment, "Ofensivo")
    proposals.withdraw_proposal(world.author, withdrawn, "Ya se resolvió")
    comments.delete_comment(deleted.author, deleted)
    db.session.commit()
    assert found("zarigueyas") == [("proposal", shown.id)]
    for kind, item in (("proposal", hidden), ("proposal", withdrawn), ("comment", on_hidden),
                       ("comment", deleted), ("comment", hidden_comment)):
        assert entry_of(kind, item.id) is None, (kind, item.id)
    moderation.restore_content(world.facilitator, hidden, "Revisado")
    db.session.commit()
    assert {kind for kind, _id in found("zarigueyas")} == {"proposal", "comment"}
    assert entry_of("comment", on_hidden.id) is not None  # its host is public again


def test_a_withdrawn_commitment_and_its_comments_leave_search_and_the_list_search(world, client):
    from app.commitments import services as commitments
    from tests.consultations.factories import make_comment as comment_on

    commitment = published(world, "Censo de ajolotes")
    other = published(world, "Rescate de ajolotes")
    on_it = comment_on(commitment, body="Los ajolotes del canal")
    hidden = comment_on(other, body="Ajolotes ofensivos")
    deleted = comment_on(other, body="Ajolotes borrados")
    assert len(found("ajolotes")) == 5
    commitments.withdraw_commitment(world.facilitator, commitment,
                                    "Se retira por falta de presupuesto asignado")
    moderation.hide_content(world.facilitator, hidden, "Ofensivo")
    comments.delete_comment(deleted.author, deleted)
    db.session.commit()
    assert found("ajolotes") == [("commitment", other.id)]
    assert entry_of("commitment", commitment.id) is None and entry_of("comment", on_it.id) is None
    page = text(client.get("/search/?q=ajolotes"))
    assert f'href="/commitments/{commitment.id}"' not in page and f'href="/commitments/{other.id}"' in page
    # The commitments list's own search box leaves it out too; the list itself still shows it.
    page = text(client.get("/commitments/?q=ajolotes"))
    assert f'/commitments/{other.id}"' in page and f'/commitments/{commitment.id}"' not in page
    assert f'/commitments/{commitment.id}"' in text(client.get("/commitments/?state=withdrawn"))
    # Rebuilding the index from the data gives the same answer.
    indexing.rebuild()
    db.session.commit()
    assert found("ajolotes") == [("commitment", other.id)]


def test_hidden_by_reports_leaves_the_index_in_the_same_transaction(world):
    from app.moderation.models import AUTO_HIDE_THRESHOLD, ReportReason
    from tests.factories import make_user

    proposal = make_proposal(world, title="Ornitorrincos en el río", body="x")
    for _ in range(AUTO_HIDE_THRESHOLD):
        moderation.report_content(make_user(), proposal, ReportReason.spam)
    # Not committed yet: a search in the same transaction already leaves it out.
    assert found("ornitorrinco") == []


def test_content_of_an_unpublished_plan_is_not_found(world):
    draft_plan = make_plan(current=False, published=False)
    make_proposal(world, title="Quetzales visibles", body="x")
    assert len(found("quetzales")) == 1
    # As if it belonged to the plan being set up (which takes no proposals yet).
    db.session.execute(sa.update(SearchEntry).values(plan_id=draft_plan.id))
    assert found("quetzales") == []


# ---------------------------------------------------------------- the index follows the data


def test_index_follows_edits_of_every_kind(world):
    proposal = make_proposal(world, title="Tortugas del lago", body="x")
    proposals.edit_proposal(world.author, proposal, {
        "title": "Patos del lago", "body": "Los patos no tienen agua.", "committee_id": world.committee.id,
        "theme_id": world.theme.id, "place": ""})
    db.session.commit()
    assert found("tortugas") == [] and found("patos") == [("proposal", proposal.id)]

    comment = make_comment(proposal, body="Flamencos rosas")
    comments.edit_comment(comment.author, comment, "Pelícanos blancos")
    db.session.commit()
    assert found("flamencos") == [] and found("pelicanos") == [("comment", comment.id)]

    commitment = published(world, "Contar iguanas")
    assert found("iguanas") == [("commitment", commitment.id)]
    db.session.execute(sa.update(Milestone).where(Milestone.commitment_id == commitment.id)
                       .values(description="Contar lagartijas"))
    db.session.commit()
    assert found("iguanas") == [] and found("lagartijas") == [("commitment", commitment.id)]
    db.session.delete(commitment)
    db.session.commit()
    assert found("lagartijas") == []

    table = make_table(world.committee, title="Mesa de colibríes", objective="x")
    table.title = "Mesa de gorriones"
    db.session.commit()
    assert found("colibries") == [] and found("gorriones") == [("table", table.id)]

    document = Document(plan_id=world.plan.id, kind=DocumentKind.other, title="Acta de las garzas",
                        description="", document_date=date(2026, 3, 1))
    db.session.add(document)
    db.session.commit()
    document.title = "Acta de las grullas"
    db.session.commit()
    assert found("garzas") == [] and found("grullas") == [("document", document.id)]


def test_reindex_command_rebuilds_the_same_index(world, app):
    a = make_proposal(world, title="Nopales en la azotea", body="x")
    make_comment(a, body="Nopales ricos")
    before = sorted(found("nopales"))
    db.session.execute(sa.delete(SearchEntry))
    assert found("nopales") == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output
    assert sorted(found("nopales")) == before and len(before) == 2


def test_list_filters_of_commitments_and_tables_use_the_same_search(world, client):
    wanted = published(world, "Rescatar ajolotes")
    other = published(world, "Pintar bardas")
    page = text(client.get("/commitments/?q=ajolote"))
    assert f'data-commitment="{wanted.id}"' in page and f'data-commitment="{other.id}"' not in page
    table = make_table(world.committee, title="Mesa sobre ajolotes", objective="x")
    away = make_table(world.committee, title="Mesa sobre bardas", objective="x")
    page = text(client.get("/tables/?q=ajolote"))
    assert f"/tables/{table.id}" in page and f"/tables/{away.id}" not in page
    m = matching_ids("proposal", "", world.plan.id)
    assert m is None


def test_similar_proposals_share_any_word_best_first(world):
    best = make_proposal(world, title="Fugas de agua en la colonia Centro", body="Fugas diarias.")
    some = make_proposal(world, title="Agua turbia", body="x")
    make_proposal(world, title="Baches en la calle", body="x")
    similar = similar_proposals(world.plan.id, "Fugas de agua potable")
    assert [p.id for p in similar][:2] == [best.id, some.id]
    assert best not in similar_proposals(world.plan.id, "fugas agua", exclude_id=best.id)
    assert similar_proposals(world.plan.id, "de la") == []


# ---------------------------------------------------------------- the page


def test_snippets_escape_user_text_and_mark_the_words(world, client):
    make_proposal(world, title="Cocodrilos <b>sueltos</b>", body=f"{HOSTILE} cocodrilos {HOSTILE}")
    page = text(client.get("/search/?q=cocodrilo"))
    assert "<mark>Cocodrilos</mark> &lt;b&gt;sueltos&lt;/b&gt;" in page
    assert '<script>alert("x")</script>' not in page and "<img src=x" not in page
    assert "<mark>cocodrilos</mark>" in page


def test_empty_no_results_and_common_words_states(world, client):
    for blank in ("/search/", "/search/?q=", "/search/?q=+++"):
        page = text(client.get(blank))
        assert 'class="search-state"' in page and "data-total" not in page
        assert 'id="search-q"' in page  # the form, ready to type in
    page = text(client.get("/search/?q=palabrainexistente"))
    assert 'data-total="0"' in page and 'class="search-state"' in page
    page = text(client.get("/search/?q=de+la"))  # common words only: said so, nothing searched
    assert 'class="search-state"' in page and "data-total" not in page
    assert 'value="de la"' in page


def test_pages_of_results(world, client):
    for n in range(25):
        make_proposal(world, title=f"Murciélagos número {n}", body="x")
    first = search("murcielagos")
    assert first.total == 25 and len(first.results) == 20 and first.pages == 2
    second = search("murcielagos", page=2)
    assert len(second.results) == 5
    assert not {r.item_id for r in first.results} & {r.item_id for r in second.results}
    assert search("murcielagos", page=99).page == 2
    page = text(client.get("/search/?q=murcielagos&page=2"))
    assert 'rel="prev"' in page and 'rel="next"' not in page


def test_search_page_statements_do_not_grow_with_results(world, client):
    for n in range(3):
        make_comment(make_proposal(world, title=f"Luciérnagas del jardín {n}", body="x"), body="luciérnagas")
    client.get("/search/?q=luciernagas")
    with count_queries() as few:
        client.get("/search/?q=luciernagas")
    for n in range(15):
        make_comment(make_proposal(world, title=f"Luciérnagas más {n}", body="x"), body="luciérnagas")
    with count_queries() as many:
        assert 'data-total="36"' in text(client.get("/search/?q=luciernagas"))
    assert len(many) == len(few) <= 6


HOSTILE_QUERIES = [
    "\x00", "a\x00b", "x" * 10_000, '"', '""', "*", "a*", "NEAR(a b)", "NEAR(", "-", "-agua", ":",
    "title:agua", "agua OR", "AND", "(", ")", "^", "'", "' OR 1=1 --", "&", "|", "!", "<->",
    "agua & | !", "\\", "%", "_", "🌵", "ß", "İ", "\u0303", " ".join(["agua"] * 500),
    " ".join(f"p{n}" for n in range(200)),
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_never_fail(world, client, query):
    make_proposal(world, title="Agua potable", body="x")
    assert search(query).total >= 0
    assert similar_proposals(world.plan.id, query) is not None
    for path in ("/search/", "/proposals/", "/commitments/", "/tables/"):
        response = client.get(path, query_string={"q": query})
        assert response.status_code in (200, 400), (path, response.status_code)


def test_catch_up_runs_before_commit(world):
    proposal = make_proposal(world, title="Armadillos del monte", body="x")
    proposal.title = "Tlacuaches"
    db.session.flush()
    assert indexing.PENDING in db.session.info
    db.session.commit()
    assert indexing.PENDING not in db.session.info
    assert entry_of("proposal", proposal.id).title == "Tlacuaches"


def test_a_new_item_is_indexed_without_deleting_and_one_read_of_its_source(world):
    """An item added in this transaction has nothing in the index yet: its rows are written
    without a DELETE first, and a comment's text and host are read in one statement."""
    proposal = make_proposal(world, title="Nopaleras del ejido", body="x")
    with count_queries() as statements:
        comment = comments.post_comment(world.citizen, proposal, "Los nopales del camino necesitan riego")
        db.session.commit()
    index = [s for s in statements if "search_entries" in s]
    assert not any(s.lstrip().upper().startswith("DELETE") for s in index), index
    assert len([s for s in statements if s.lstrip().startswith("SELECT comments.id, comments.body")]) == 1
    assert entry_of("comment", comment.id).title == "Nopaleras del ejido"


def test_an_item_indexed_then_changed_in_one_transaction_keeps_one_row(world):
    """Indexed once already in this transaction (a search read in between), a change writes its
    rows again: the first ones are deleted, never left beside the new."""
    proposal = make_proposal(world, title="Magueyes del llano", body="x")
    comment = make_comment(proposal, body="Primera versión sobre magueyes")
    db.session.flush()
    assert ("comment", comment.id) in found("magueyes")  # the read re-indexes first
    comment.body = "Segunda versión sobre agaves"
    db.session.commit()
    rows = db.session.scalars(sa.select(SearchEntry).where(SearchEntry.kind == "comment",
                                                           SearchEntry.item_id == comment.id)).all()
    assert len(rows) == 1 and "agaves" in rows[0].excerpt


def test_the_header_box_is_a_labelled_get_form_to_the_search_page(app):
    from flask import render_template_string

    with app.test_request_context("/proposals/?q=<b>"):
        html = render_template_string('{% include "search/_box.html" %}')
    assert 'method="get" action="/search/"' in html and 'role="search"' in html
    assert '<label for="search-box-q"' in html and 'id="search-box-q"' in html and 'name="q"' in html
    assert 'value=""' in html  # another page's query is not carried into the box
    with app.test_request_context("/search/?q=<b>"):
        html = render_template_string('{% include "search/_box.html" %}')
    assert 'value="&lt;b&gt;"' in html


def test_results_from_an_earlier_plan_say_so(world, client):
    current = make_proposal(world, title="Tejones en el bosque", body="x")
    old_plan = make_plan(current=False)
    db.session.execute(sa.update(SearchEntry).where(SearchEntry.item_id == current.id,
                                                    SearchEntry.kind == "proposal")
                       .values(plan_id=old_plan.id))
    page = text(client.get("/search/?q=tejones"))
    assert 'class="muted search-plan"' in page


# ---------------------------------------------------------------- bounded reads


@pytest.fixture
def small_bounds(monkeypatch):
    """Counts stop past 3 per kind and 4 results can be paged through (the real bounds are 1,000
    and 200; the same code decides)."""
    from app.search import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries, "MAX_RESULTS", 4)
    return queries


def test_counts_stop_past_the_cap_and_the_page_says_more_than(world, client, small_bounds):
    for n in range(6):
        make_proposal(world, title=f"Zopilotes del parque {n}", body="x")
    make_comment(make_proposal(world, title="Otra cosa distinta", body="x"), body="zopilotes")
    page = search("zopilotes")
    # Counted no further than cap + 1: the 6 proposals are "more than 3", the comment is 1.
    assert page.counts["proposal"] == 4 and page.counts["comment"] == 1
    assert page.more and page.total == 3 + 1
    assert page.shown == 4 and len(search("zopilotes", per_page=3).results) == 3
    assert search("zopilotes", per_page=3, page=2).results and search("zopilotes", per_page=3).pages == 2
    html = text(client.get("/search/?q=zopilotes"))
    assert "más de 3" in html and "Se muestran los 4 más relevantes" in html


def test_a_title_match_is_ranked_first_though_many_texts_matched_before_it(world, small_bounds):
    for n in range(6):
        make_proposal(world, title=f"Propuesta número {n}", body="Hay tlacuaches en el estanque.")
    titled = make_proposal(world, title="Tlacuaches del estanque", body="x")
    # Read in the index's order, the first text matches are the six older ones; the title's own
    # candidates still bring the newest to the top.
    assert found("tlacuaches", kinds={"proposal"})[0] == ("proposal", titled.id)


def test_no_kind_crowds_the_others_out_of_the_candidates(world, small_bounds):
    host = make_proposal(world, title="Otra cosa distinta", body="x")
    comments = [make_comment(host, body="Hay cenzontles en la presa.") for _ in range(5)]
    table = make_table(world.committee, title="Mesa", objective="Los cenzontles de la presa.")
    kinds = {kind for kind, _ in found("cenzontles")}
    assert kinds == {"comment", "table"}, (comments, table)


def test_each_kind_is_written_into_the_sql_so_a_generic_plan_can_read_its_partial_index(world):
    make_proposal(world, title="Ocelotes en la sierra", body="x")
    with count_queries() as statements:
        search("ocelotes")
        db.session.execute(matching_ids("proposal", "ocelotes", None)).all()
    searched = " ".join(statements)
    # A bound kind ("kind = $1") would leave PostgreSQL's generic plan unable to prove which
    # partial GIN index applies: it then reads every entry (ten times slower at the benchmark).
    for kind in ("proposal", "comment", "document"):
        assert f"kind = '{kind}'" in searched, kind
