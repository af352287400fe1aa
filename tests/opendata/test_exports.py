"""Downloads, data dictionaries and the catalogue of the open-data page."""
import csv
import io
import json

import pytest

from app.extensions import db
from app.opendata import all_datasets
from tests.factories import make_plan
from tests.proposals.factories import World, bulk_proposals, make_proposal
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("builds_inline")  # tests/opendata/conftest.py


@pytest.fixture
def world():
    return World()


def _csv_rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "spreadsheet programs need the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_bom_header_and_accents_intact(client, world):
    make_proposal(world, title="Señalética en Peñón Blanco: ¿dónde?")
    response = client.get("/open-data/proposals.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    header = rows[0]
    assert header == [c.name for c in next(d for d in all_datasets() if d.slug == "proposals").columns]
    assert rows[1][header.index("title")] == "Señalética en Peñón Blanco: ¿dónde?"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, world):
    make_proposal(world, title='=HYPERLINK("http://evil.example","clic")')
    rows = _csv_rows(client.get("/open-data/proposals.csv"))
    title = rows[1][rows[0].index("title")]
    assert title.startswith("'=") and not title.startswith("=")


def test_json_download_is_valid_and_carries_licence_and_date(client, world):
    bulk_proposals(world, 3)
    payload = json.loads(client.get("/open-data/proposals.json").get_data(as_text=True))
    assert payload["dataset"] == "proposals"
    assert payload["licence"]["url"].startswith("https://creativecommons.org/")
    assert payload["generated_at"].endswith("Z")
    assert len(payload["rows"]) == 3


def test_empty_dataset_downloads_are_valid(client, world):
    assert _csv_rows(client.get("/open-data/ballots.csv")) == [
        [c.name for c in next(d for d in all_datasets() if d.slug == "ballots").columns]]
    assert json.loads(client.get("/open-data/ballots.json").get_data(as_text=True))["rows"] == []


def test_export_statements_do_not_grow_with_rows(client, world, small_batches):
    bulk_proposals(world, 3)
    with count_queries() as small:
        client.get("/open-data/proposals.csv").get_data()
    bulk_proposals(world, 5 * small_batches // 2, start=10)  # more than two fetch batches
    with count_queries() as large:
        rows = _csv_rows(client.get("/open-data/proposals.csv"))
    assert len(rows) == 1 + 3 + 5 * small_batches // 2
    assert len(small) == len(large)


def test_open_data_page_lists_every_dataset_with_its_downloads(client, world):
    html = client.get("/open-data/").get_data(as_text=True)
    for dataset in all_datasets():
        assert f"/open-data/{dataset.slug}.csv" in html
        assert f"/open-data/{dataset.slug}.json" in html
        assert f"/open-data/{dataset.slug}/" in html
    assert "creativecommons.org" in html


@pytest.mark.parametrize("dataset", all_datasets(), ids=lambda d: d.slug)
def test_dictionary_describes_every_column(client, dataset):
    html = client.get(f"/open-data/{dataset.slug}/").get_data(as_text=True)
    schema = client.get(f"/open-data/{dataset.slug}/schema.json").get_json()
    assert [f["name"] for f in schema["fields"]] == dataset.column_names
    for column in dataset.columns:
        assert f"<code>{column.name}</code>" in html
        assert str(column.meaning).strip()


def test_dictionary_is_in_spanish_by_default_and_english_on_request(client):
    spanish = client.get("/open-data/proposals/").get_data(as_text=True)
    english = client.get("/open-data/proposals/?lang=en").get_data(as_text=True)
    assert "Diccionario de datos" in spanish and "Data dictionary" in english


def test_unknown_dataset_is_404(client):
    for path in ("/open-data/nope/", "/open-data/nope.csv", "/open-data/nope.json", "/open-data/nope/schema.json"):
        assert client.get(path).status_code == 404


def test_dcat_catalogue_lists_every_dataset_with_distributions(client):
    response = client.get("/open-data/catalog.jsonld")
    assert response.mimetype == "application/ld+json"
    catalog = response.get_json()
    assert catalog["@type"] == "dcat:Catalog"
    ids = {d["dct:identifier"] for d in catalog["dcat:dataset"]}
    assert ids == {d.slug for d in all_datasets()}  # and no plan's standards: there is no plan
    for entry in catalog["dcat:dataset"]:
        formats = {dist["dct:format"] for dist in entry["dcat:distribution"]}
        assert formats == {"CSV", "JSON"}
        assert entry["dct:license"]


def test_each_published_plans_standards_are_listed_with_their_downloads(client, world):
    """The co-creation standards' figures (issue 16) are open data: on the page and in the
    catalogue for every published plan, not for a draft one, and their files answer."""
    draft = make_plan(current=False, published=False)
    db.session.commit()
    plan = world.plan

    page = client.get("/open-data/").get_data(as_text=True)
    assert f"/standards/{plan.id}.csv" in page and f"/standards/{plan.id}.json" in page
    assert f"/standards/{draft.id}" not in page

    catalog = client.get("/open-data/catalog.jsonld").get_json()
    entries = {d["dct:identifier"]: d for d in catalog["dcat:dataset"]}
    assert f"standards-plan-{draft.id}" not in entries
    entry = entries[f"standards-plan-{plan.id}"]
    assert entry["dcat:landingPage"].endswith(f"/standards/{plan.id}")
    urls = {dist["dct:format"]: dist["dcat:downloadURL"] for dist in entry["dcat:distribution"]}
    csv_answer = client.get(urls["CSV"].removeprefix("http://localhost"))
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert csv_answer.headers["Access-Control-Allow-Origin"] == "*"
    figures = client.get(urls["JSON"].removeprefix("http://localhost")).get_json()["figures"]
    assert {f["key"] for f in figures} == {"forum", "timeline", "proposals_answered", "consultation_answered",
                                           "repository_current", "minutes"}


def test_the_plans_standards_listing_reads_the_plans_once_however_many(client, world):
    """/open-data/ and the catalogue read the published plans in one statement (not their
    phases, which neither shows): a third published plan adds none."""
    make_plan(current=False)
    db.session.commit()
    client.get("/open-data/")
    counted = {}
    for url in ("/open-data/", "/open-data/catalog.jsonld"):
        with count_queries() as before:
            client.get(url).get_data()
        counted[url] = len(before)
    make_plan(current=False)
    db.session.commit()
    for url, statements in counted.items():
        with count_queries() as after:
            client.get(url).get_data()
        assert len(after) == statements, (url, after)
        assert not [q for q in after if "phases" in q.lower()], url


@pytest.mark.parametrize(("named", "expected"), [
    ("CC0 1.0", {"name": "CC0 1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/deed.es"}),
    ("cc by-sa 4.0", {"name": "CC BY-SA 4.0", "url": "https://creativecommons.org/licenses/by-sa/4.0/deed.es"}),
    ("Licencia de Datos Abiertos de México", {"name": "Licencia de Datos Abiertos de México", "url": ""}),
])
def test_the_open_data_carry_the_current_plans_licence(client, world, named, expected):
    """The licence is the plan's (set in /admin/plans), not a setting of the installation."""
    world.plan.data_licence = named
    db.session.commit()
    assert json.loads(client.get("/open-data/proposals.json").get_data(as_text=True))["licence"] == expected
    page = client.get("/open-data/").get_data(as_text=True)
    assert expected["name"] in page
    assert ('rel="license"' in page) == bool(expected["url"])  # no link to nowhere
    contract = client.get("/api/v1/openapi.json").get_json()["info"]["license"]
    assert contract == {key: value for key, value in expected.items() if value}
