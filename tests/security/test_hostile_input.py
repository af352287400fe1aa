"""A crawler that fills every form it can reach with hostile values: no answer may be a server
error, no exception may be logged, and what comes back shows the hostile text escaped."""
import io
import logging
import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import FormClient, login
from tests.security.htmlforms import Field, Form, parse_forms
from tests.security.world import (
    World,
    build_url,
    other_states,
    query_strings,
    routes,
    url_values,
)

# HTTP only: the same on both databases; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

ROLES = ("anonymous", "citizen", "organisation", "author", "facilitator", "admin")
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# Raw markup that must never reach an HTML page unescaped (the world's factories use it too).
RAW = (SCRIPT, "<img src=x onerror=alert(1)>")
COMBINING = "e\u0301\u0302\u0303"
RTL = "\u202eevil\u202c"

# A few combined payloads, each trying several kinds of hostile value at once (fields differ).
TEXT = [
    f"{SCRIPT}{IMG} раураl 🌵👩🏽‍🚒 {COMBINING} {RTL}",
    "A" * 10_000 + SCRIPT,
    "nul\x00 ctl\x01\x07\x1b\x7f ' OR 1=1 -- ; DROP TABLE users",
    "",
    "1e309",
    "   \t\n  ",
]
NUMBER = ["-1", "99999999999999999999", "1e309", "abc", "NaN", " "]
DATE = ["2026-02-30", "", "9999-99-99T99:99", SCRIPT, "2026-13-01", "0000-00-00"]
NOT_AN_OPTION = "999999" + SCRIPT
PAYLOADS = range(len(TEXT))
REACHING = (0, 2)
TEXT_TYPES = {"text", "textarea", "email", "url", "search", "tel", "password", ""}
NUMBER_TYPES = {"number", "range"}
DATE_TYPES = {"date", "datetime-local", "time", "month", "week"}
# Forms that would end the crawler's own session.
SKIP_ACTIONS = {"/account/logout", "/account/sessions/end-others"}
MAX_FORMS = 70


# Payloads 0 and 2 put their hostile text next to plausible dates, numbers, addresses, options
# and hidden ids, so that the form validates and the text travels through the service, into
# the database and onto pages; the others attack every field at once.
PLAUSIBLE = {"date": "2026-12-15", "datetime-local": "2026-12-15T10:00", "time": "10:00",
             "month": "2026-12", "week": "2026-W50", "number": "5", "range": "5",
             "email": "persona@example.org", "url": "https://example.org/informe"}
# Forms that end what later forms act on (withdraw a commitment, cancel a table) go last.
ENDING = re.compile(r"/(withdraw|cancel|close|delete|revoke|decide|reject|decline|publish|state|merge)\b")


def hostile_value(f: Field, i: int):
    """The value of field `f` in payload `i`; None leaves the field out."""
    if i in REACHING and f.type in PLAUSIBLE:
        return f.value or PLAUSIBLE[f.type]
    if f.name == "csrf_token":
        return f.value
    if f.type == "file":
        return (io.BytesIO(b"hola"), "nota.txt")
    if f.type in ("submit", "button", "image", "reset"):
        return f.value if f.tag == "button" or f.value else None
    if f.type == "checkbox":
        return f.value or "y" if i % 2 == 0 else None
    if f.type == "hidden":
        # The first payloads keep hidden ids, so that the text reaches the service.
        if i < 3:
            return f.value
        return NUMBER[i] if f.value.isdigit() else TEXT[i]
    if f.type in ("select", "select-multiple", "radio"):
        valid = [o for o in f.options if o] or [f.value]
        return valid[0] if i < 3 else NOT_AN_OPTION
    if f.type in NUMBER_TYPES:
        return NUMBER[i]
    if f.type in DATE_TYPES:
        return DATE[i]
    return TEXT[i]


def form_data(form: Form, i: int) -> dict:
    data: dict = {}
    radios_done: set[str] = set()
    for f in form.fields:
        if f.type == "radio":
            if f.name in radios_done:
                continue
            radios_done.add(f.name)
            f = Field("input", "radio", f.name, f.value,
                      options=[g.value for g in form.fields if g.type == "radio" and g.name == f.name])
        value = hostile_value(f, i)
        if value is None:
            continue
        if f.name in data and f.type not in ("file",):
            existing = data[f.name]
            data[f.name] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            data[f.name] = value
    return data


def unescaped(response) -> list[str]:
    if "text/html" not in response.headers.get("Content-Type", ""):
        return []
    body = response.get_data(as_text=True)
    return [raw for raw in RAW if raw in body]


class Crawl:
    def __init__(self, app, client: FormClient):
        self.app, self.client = app, client
        self.problems: list[str] = []
        self.forms: dict[tuple, Form] = {}
        self.submissions = 0

    def check(self, label: str, response) -> None:
        if response.status_code >= 500:
            self.problems.append(f"{label}: {response.status_code}")
        for raw in unescaped(response):
            self.problems.append(f"{label}: unescaped {raw!r} in the page")

    def request(self, label: str, method: str, url: str, **kwargs):
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 - TESTING propagates a 500's exception
            self.problems.append(f"{label}: raised {type(exc).__name__}: {str(exc)[:200]}")
            return None
        response.get_data()
        response.close()
        self.check(label, response)
        return response

    def collect(self, url: str) -> None:
        response = self.request(f"GET {url}", "GET", url)
        if response is None or response.status_code != 200 \
                or "text/html" not in response.headers.get("Content-Type", ""):
            return
        for form in parse_forms(response.get_data(as_text=True), url):
            if urlsplit(form.action).path in SKIP_ACTIONS:
                continue
            self.forms.setdefault(form.signature(), form)

    def submit(self, form: Form) -> None:
        for i in PAYLOADS:
            data = form_data(form, i)
            label = f"{form.method} {form.action} payload {i}"
            self.submissions += 1
            if form.method == "GET":
                plain = {k: v for k, v in data.items() if not isinstance(v, tuple)}
                response = self.request(label, "GET", form.action, query_string=plain)
            else:
                response = self.request(label, "POST", form.action, data=data,
                                        content_type="multipart/form-data")
            location = response.headers.get("Location", "") if response is not None else ""
            # Where a successful form leads shows what was just stored.
            if i < 3 and location.startswith("/"):
                self.request(f"{label}, then GET {location}", "GET", location)


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once; each role's crawl is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_in_every_form_never_break_a_page(app, world, role, caplog):
    caplog.set_level(logging.ERROR)
    client = FormClient(app.test_client())
    world.attachment_files()
    user = getattr(world, role)
    if user is not None:
        assert login(client, user.email).status_code == 302
    crawl = Crawl(app, client)
    values, query = url_values(world), query_strings(world)
    pages = set()
    for table in (values, other_states(world) + values):
        pages.update(build_url(app, rule, table, query) for rule, method in routes(app)
                     if method == "GET" and not rule.endpoint.startswith("api."))
    for url in sorted(pages):
        crawl.collect(url)
    forms = sorted(crawl.forms.values(), key=lambda f: bool(ENDING.search(f.action)))[:MAX_FORMS]
    for form in forms:
        crawl.submit(form)
    print(f"hostile input, {role}: {len(crawl.forms)} distinct forms found, {len(forms)} "
          f"submitted, {crawl.submissions} submissions")
    errors = [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crawl.problems and not errors, "\n".join(crawl.problems + errors)


def test_the_escaping_check_sees_raw_markup():
    class Page:
        headers = {"Content-Type": "text/html; charset=utf-8"}

        def __init__(self, body):
            self.body = body

        def get_data(self, as_text=False):
            return self.body

    assert unescaped(Page(f"<p>{SCRIPT}</p>")) == [SCRIPT]
    assert unescaped(Page("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")) == []


def test_the_parser_reads_fields_options_and_the_action():
    html = ('<form action="/x" method="post"><input name="a" value="1"><textarea name="b">t</textarea>'
            '<select name="c"><option value="">-</option><option value="k">K</option></select>'
            '<input type="checkbox" name="d" value="y"><button name="go" value="now">Go</button></form>'
            '<form><input type="search" name="q"></form>')
    first, second = parse_forms(html, "/page")
    assert (first.action, first.method) == ("/x", "POST")
    assert [(f.name, f.type) for f in first.fields] == [
        ("a", "text"), ("b", "textarea"), ("c", "select"), ("d", "checkbox"), ("go", "submit")]
    assert first.fields[2].options == ["", "k"]
    assert (second.action, second.method) == ("/page", "GET")
    assert form_data(first, 0)["c"] == "k" and form_data(first, 3)["c"] == NOT_AN_OPTION
