"""The API explained for people (/developers/): what it serves, pages, formats, limits, licence;
the footer's "API" link leads there, while /api/v1/ keeps answering JSON for programs."""
import re

from flask_babel import force_locale

from app.developers.views import rate_limits
from app.opendata import all_datasets
from tests.factories import make_plan
from tests.querycount import count_queries


def test_the_guide_describes_the_api_in_spanish(client):
    make_plan()
    response = client.get("/developers/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1>La API de datos abiertos</h1>" in html
    for dataset in all_datasets():
        assert f"<code class=\"api-url\">/api/v1/{dataset.slug}</code>" in html, dataset.slug
    assert "hasta 100 con el parámetro limit" in html  # pagination, from the API's own maximum
    assert "600 consultas por minuto" in html  # the configured RATELIMIT_API
    assert "X-RateLimit-Remaining" in html and "Retry-After" in html
    assert 'rel="license"' in html and "CC BY 4.0" in html
    assert 'href="/api/v1/openapi.json"' in html
    assert 'href="/open-data/"' in html
    assert "/api/v1/proposals?limit=50" in html


def test_the_guide_reads_in_english_and_keeps_a_fixed_number_of_queries(client):
    make_plan()
    client.get("/developers/")  # warm caches (plan, guarantor)
    with count_queries() as statements:
        html = client.get("/developers/?lang=en").get_data(as_text=True)
    assert "<h1>The open data API</h1>" in html
    assert "600 requests per minute" in html
    assert len(statements) <= 2, statements  # the guarantor (licence); no query per dataset


def test_limits_read_as_sentences_in_both_languages(app):
    with app.test_request_context():
        with force_locale("es_MX"):
            assert rate_limits("600 per minute;1 per day") == ["600 consultas por minuto", "1 consulta por día"]
            assert rate_limits("10 per 5 minutes") == ["10 consultas cada 5 minutos"]
        with force_locale("en"):
            assert rate_limits("1 per hour") == ["1 request per hour"]


def test_the_footer_api_link_opens_the_guide_and_the_api_stays_json(client):
    make_plan()
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">'):]
    links = re.findall(r'<a href="([^"]+)">API</a>', footer)
    assert links == ["/developers/"]
    api = client.get("/api/v1/")
    assert api.mimetype == "application/json" and "collections" in api.get_json()
    assert 'href="/developers/"' in client.get("/open-data/").get_data(as_text=True)
