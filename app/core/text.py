"""User text: Markdown rendered and then sanitised with an allow-list (bleach).

Thread safety: bleach documents its Cleaner and Linker as not thread-safe (their HTML parser and
tree walker keep state between calls), and markdown-it-py does not promise that a MarkdownIt
object may render from several threads at once. gunicorn's threaded workers run requests in
threads, so every thread builds its own pipeline (`_pipeline()`, kept in a threading.local) and
nothing here is shared between requests but the caches of finished results below.

Rendering costs about 1–2 ms a text, so pages never render what is stored: models keep the HTML
and the plain text of their Markdown fields, rendered when written (app/core/rendered.py), and
`flask content rerender` renders them again when RENDERER_VERSION changes. What is rendered here on
a request (previews of unsaved text, rows written before their HTML was stored) goes through a
bounded per-process cache keyed by the source: functools.lru_cache is documented thread-safe, and
its values are immutable strings.
"""
import html
import re
import threading
import unicodedata
from functools import lru_cache
from urllib.parse import urlparse

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = [
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
]
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "img": ["src", "alt", "title"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


def _link_attributes(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


def _only_local_images(tag, name, value):
    if tag == "img":
        if name in ("alt", "title"):
            return True
        if name == "src":
            parsed = urlparse(value)
            return not parsed.scheme and not parsed.netloc and value.startswith("/")
        return False
    return name in ALLOWED_ATTRIBUTES.get(tag, [])


class _Pipeline:
    """One thread's Markdown renderer, sanitiser, linker and tag stripper (never shared)."""

    def __init__(self):
        # "js-default" disables raw HTML and validates links; headings are demoted by the allow-list.
        self.markdown = MarkdownIt("js-default").enable("table")
        self.cleaner = bleach.sanitizer.Cleaner(
            tags=ALLOWED_TAGS, attributes=_only_local_images, protocols=ALLOWED_PROTOCOLS,
            strip=True, filters=[],
        )
        self.linker = bleach.linkifier.Linker(callbacks=[_link_attributes], skip_tags=["pre", "code"])
        self.stripper = bleach.sanitizer.Cleaner(tags=[], strip=True)


# Per thread by construction: each thread sees only the pipeline it built.
_local = threading.local()


def _pipeline() -> _Pipeline:
    pipeline = getattr(_local, "pipeline", None)
    if pipeline is None:
        pipeline = _local.pipeline = _Pipeline()
    return pipeline


# Raise it whenever a change here changes the HTML of some text (an allowed tag, the link rules, the
# Markdown options): `flask content rerender` then renders every stored text older than it again.
RENDERER_VERSION = 1

# Stored plain text is cut to this many characters (and one more, which tells that the text goes
# on): excerpts, link previews and feed summaries (app/feeds, 400) show at most this much.
PLAIN_CHARS = 400

# Entries: texts of comments, proposals and commitments; a few MiB at most per process.
CACHED_TEXTS = 4096


def render_markdown(source: str | None) -> Markup:
    if not source:
        return Markup("")
    return Markup(_rendered(source))


@lru_cache(maxsize=CACHED_TEXTS)  # thread-safe (functools documents it); values are immutable str
def _rendered(source: str) -> str:
    pipeline = _pipeline()
    cleaned = pipeline.cleaner.clean(pipeline.markdown.render(source))
    return pipeline.linker.linkify(cleaned)


def render_text(source: str | None) -> tuple[str, str]:
    """The sanitised HTML of Markdown `source` and its plain text (unescaped, as plain_summary gives
    it, cut to PLAIN_CHARS + 1 characters), both from one Markdown pass: what is stored."""
    if not source:
        return "", ""
    pipeline = _pipeline()
    rendered = pipeline.markdown.render(source)
    html_text = pipeline.linker.linkify(pipeline.cleaner.clean(rendered))
    plain = html.unescape(" ".join(pipeline.stripper.clean(rendered).split()))
    return html_text, plain[: PLAIN_CHARS + 1]


def cut_plain(text: str, length: int) -> str:
    """`text` cut to `length` characters, with an ellipsis when something was cut."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plain_excerpt(source: str | None, length: int = 200) -> str:
    return cut_plain(_plain(source or ""), length)


@lru_cache(maxsize=CACHED_TEXTS)  # thread-safe (functools documents it); values are immutable str
def _plain(source: str) -> str:
    pipeline = _pipeline()
    return " ".join(pipeline.stripper.clean(pipeline.markdown.render(source)).split())


def plain_summary(source: str | None, length: int = 200) -> str:
    """Plain text of Markdown, unescaped (the template escapes it once), cut to `length`: for
    link previews and mail, where neither HTML nor Markdown mean anything."""
    if isinstance(source, PlainText):  # already plain (stored): nothing to render
        return cut_plain(source, length)
    return cut_plain(html.unescape(_plain(source or "")), length)


class PlainText(str):
    """Plain text, unescaped, taken from what is stored: plain_summary passes it through."""

    __slots__ = ()


def fold(text: str | None) -> str:
    """Lower-case without accents, for search that ignores both ("poblacion" finds "Población")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# C0 controls but tab and newline, DEL and the C1 controls: never part of what a person typed,
# and PostgreSQL refuses to store NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value, limit: int | None = None) -> str:
    """Text as stored: line ends normalised, control characters out, stripped; "" for None or a
    non-string. `limit` cuts it to that many characters."""
    if not isinstance(value, str):
        return ""
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text[:limit] if limit else text


def clean_line(value, limit: int | None = None) -> str:
    """One line: clean_text with every run of white space (newlines too) made one space."""
    text = " ".join(clean_text(value).split())
    return text[:limit] if limit else text
