"""Atom 1.0 documents built with ElementTree, so every text is escaped by the serialiser."""
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all, not even escaped: a pasted control code would make the
# whole feed unreadable, so it is dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The date part of tag: URIs (RFC 4151): fixed, so that ids never change.
TAG_DATE = "2026"


@dataclass
class Entry:
    key: str  # unique within the site, e.g. "proposal/ABC-2026-0042"
    title: str
    url: str  # absolute
    updated: datetime
    summary: str
    published: datetime | None = None


def clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def rfc3339(value: datetime | None) -> str:
    value = value or datetime.now(UTC)
    if value.tzinfo is None:  # stored in UTC; SQLite may hand it back naive
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def tag_uri(base_url: str, key: str) -> str:
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{key}"


def _text(parent, tag: str, value, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = clean(value)
    return element


def build_feed(*, base_url: str, key: str, title: str, self_url: str, alternate_url: str,
               author: str, lang: str, entries: list[Entry]) -> bytes:
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: lang})
    _text(feed, "id", tag_uri(base_url, key))
    _text(feed, "title", title, type="text")
    newest = max((e.updated for e in entries), default=None, key=lambda d: rfc3339(d))
    _text(feed, "updated", rfc3339(newest))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": alternate_url})
    _text(ET.SubElement(feed, "author"), "name", author)
    for item in entries:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", tag_uri(base_url, item.key))
        _text(entry, "title", item.title, type="text")
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": item.url})
        if item.published is not None:
            _text(entry, "published", rfc3339(item.published))
        _text(entry, "updated", rfc3339(item.updated))
        _text(entry, "summary", item.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
