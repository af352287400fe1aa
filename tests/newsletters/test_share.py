"""Share links and link previews on every public item page: one macro of plain links (no
trackers, no third-party scripts), and Open Graph / Twitter card tags with the item's title,
a plain-text summary and an absolute address, all escaped."""
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.security.world import World

ITEMS = {
    "proposal": lambda w: (f"/proposals/{w.proposal.reference}", w.proposal.title),
    "commitment": lambda w: (f"/commitments/{w.published.id}", w.published.title),
    "table": lambda w: (f"/tables/{w.table.id}", w.table.title),
    "consultation": lambda w: (f"/consultations/commitment/{w.consulted.id}",
                               f"Consulta pública · {w.consulted.title}"),
    "election": lambda w: (f"/elections/{w.election.id}", w.election.title),
    "announcement": lambda w: (f"/news/{w.announcement.id}", w.announcement.title),
    "document": lambda w: (f"/documents/{w.record.id}", w.record.title),
    "committee": lambda w: (f"/committees/{w.committee.slug}", w.committee.name),
}
SHARERS = {"wa.me": "text", "www.facebook.com": "u", "x.com": "url"}


class _Head(HTMLParser):
    """The meta tags (property or name → content) and the share box's links and fields."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.inputs: list[dict] = []
        self.scripts: list[str] = []
        self._link: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "a":
            self._link = {**attrs, "text": ""}
            self.links.append(self._link)
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "script":
            self.scripts.append(attrs.get("src") or "")

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None


def parsed(response) -> _Head:
    assert response.status_code == 200, response.status_code
    head = _Head()
    head.feed(response.get_data(as_text=True))
    return head


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


@pytest.mark.parametrize("kind", ITEMS)
def test_every_public_item_page_has_share_links_and_a_preview(client, world, kind):
    path, title = ITEMS[kind](world)
    page = parsed(client.get(path))
    address = f"http://localhost{path}"

    # Link preview: the item's own title and address, a plain summary, the default image.
    assert page.meta["og:url"] == address
    assert page.meta["og:title"] == page.meta["twitter:title"] == title
    assert page.meta["og:type"] == "article" and page.meta["og:locale"] == "es_MX"
    assert page.meta["twitter:card"] == "summary_large_image"
    assert page.meta["og:image"] == "http://localhost/static/img/share.png"
    description = page.meta["og:description"]
    assert description and len(description) <= 200
    assert not re.search(r"\*\*|&lt;|&amp;|</?p>", description)

    # The share box: the address to copy, and one plain link per service, to it.
    assert {"id": "share-url", "class": "share-url", "type": "url", "value": address,
            "readonly": None} in page.inputs
    shares = [link for link in page.links if link.get("rel") == "noopener noreferrer"]
    names = sorted(link["text"] for link in shares)
    assert names == ["Compartir en Facebook", "Compartir en WhatsApp", "Compartir en X",
                     "Compartir por correo"]
    for link in shares:
        href = link["href"]
        assert '"' not in href and " " not in href and "<" not in href
        parts = urlsplit(href)
        query = parse_qs(parts.query)
        assert not any(key.startswith("utm_") or key in ("fbclid", "ref") for key in query)
        if parts.scheme == "mailto":
            assert query["subject"] == [title] and query["body"] == [f"{title} {address}"]
        elif parts.netloc == "wa.me":
            assert query["text"] == [f"{title} {address}"]
        else:
            assert parts.scheme == "https" and parts.netloc in SHARERS
            assert query[SHARERS[parts.netloc]] == [address]
    # Only the site's own script (the copy button), no third party's.
    assert page.scripts == ["/static/js/share.js"]


def test_user_text_cannot_leave_the_meta_attributes(client, world):
    """The world's titles and bodies hold markup and quotes: they stay inside `content`."""
    body = client.get(f"/news/{world.announcement.id}").get_data(as_text=True)
    head = body.split("</head>")[0]
    assert "<script>alert" not in head and "onerror=alert(1)>" not in head
    assert 'content="Aviso &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#34;&gt;&lt;img' in head
    page = parsed(client.get(f"/news/{world.announcement.id}"))
    assert page.meta["og:title"].startswith('Aviso <script>alert("x")</script>">')


def test_a_hidden_proposal_shares_no_text_of_it(client, world):
    from app.core.clock import now
    from app.extensions import db

    world.proposal.hidden_at = now()
    db.session.flush()
    page = parsed(client.get(f"/proposals/{world.proposal.reference}"))
    assert world.proposal.title not in page.meta["og:title"]
    assert world.proposal.reference in page.meta["og:title"]
    assert "Ñandú" not in page.meta["og:description"]


def test_other_pages_get_the_site_preview(client, world):
    page = parsed(client.get("/proposals/"))
    assert page.meta["og:type"] == "website" and page.meta["og:url"] == "http://localhost/proposals/"
    assert page.meta["og:description"] and page.meta["og:image"].endswith("/static/img/share.png")
    assert "share-url" not in {field.get("id") for field in page.inputs}
