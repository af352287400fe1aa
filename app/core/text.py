"""User text: Markdown rendered and then sanitised with an allow-list (bleach).

Thread safety: bleach documents its Cleaner (and the linkify filter in it) as not thread-safe (their HTML parser and
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
import re
import threading
import unicodedata
from functools import lru_cache, partial, wraps
from urllib.parse import urlparse

import bleach
from bleach.linkifier import LinkifyFilter
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
    """One thread's Markdown renderer and sanitiser (never shared).

    The sanitiser links URLs as a filter of its own pass (bleach's LinkifyFilter), so each text is
    parsed as HTML once. Linking the sanitised output in a second pass, as before, parsed it twice,
    escaped `&` again inside code blocks (`<b>` in a fenced block showed as "&lt;b&gt;") and let a
    URL run on into an escaped quote or angle bracket after it."""

    def __init__(self):
        # "js-default" disables raw HTML and validates links; headings are demoted by the allow-list.
        self.markdown = MarkdownIt("js-default").enable("table")
        self.cleaner = bleach.sanitizer.Cleaner(
            tags=ALLOWED_TAGS, attributes=_only_local_images, protocols=ALLOWED_PROTOCOLS,
            strip=True,
            filters=[partial(LinkifyFilter, callbacks=[_link_attributes], skip_tags=["pre", "code"])],
        )

    def render(self, source: str) -> tuple[str, list]:
        """The sanitised HTML of `source` and the Markdown tokens it came from."""
        tokens = self.markdown.parse(source)
        return self.cleaner.clean(self.markdown.renderer.render(tokens, self.markdown.options, {})), tokens


def _plain_of(tokens) -> str:
    """The words of rendered Markdown with every tag dropped and runs of white space made one
    space: the text inside each block, blocks apart by a space, read from the tokens instead of
    parsing the HTML again. Images and rules carry no text; a line break is a space."""
    parts = []
    for token in tokens:
        if token.type == "inline":
            parts.append("".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or () if child.type in _TEXT_TOKENS))
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
    return " ".join(" ".join(parts).split())


_TEXT_TOKENS = frozenset({"text", "code_inline", "softbreak", "hardbreak"})


# Per thread by construction: each thread sees only the pipeline it built.
_local = threading.local()


def _pipeline() -> _Pipeline:
    pipeline = getattr(_local, "pipeline", None)
    if pipeline is None:
        pipeline = _local.pipeline = _Pipeline()
    return pipeline


# Raise it whenever a change here changes the HTML of some text (an allowed tag, the link rules, the
# Markdown options): `flask content rerender` then renders every stored text older than it again.
RENDERER_VERSION = 2  # 2: one sanitising pass (code blocks escaped once, links end before `"`)

# Stored plain text is cut to this many characters (and one more, which tells that the text goes
# on): excerpts, link previews and feed summaries (app/feeds, 400) show at most this much.
PLAIN_CHARS = 400

# The renders kept per process (three caches below): only of texts up to CACHED_CHARS characters,
# which are the ones rendered again and again (comments, short answers, titles); a long report is
# rendered when written and then read from its row. So each cache holds at most about
# CACHED_TEXTS × (CACHED_CHARS + its HTML) ≈ 2,048 × 3 KB ≈ 6 MB, whatever people write (a
# 10,000-character report kept 4,096 times would be ~90 MB of a worker's memory).
CACHED_TEXTS = 2048
CACHED_CHARS = 1000


def _kept(render):
    """`render`, with its results kept for short sources (above); long ones are rendered each time."""
    cached = lru_cache(maxsize=CACHED_TEXTS)(render)  # thread-safe (functools documents it); values immutable

    @wraps(render)  # __wrapped__: the render itself, uncached
    def kept_or_rendered(source: str):
        return cached(source) if len(source) <= CACHED_CHARS else render(source)

    kept_or_rendered.cache_info = cached.cache_info
    kept_or_rendered.cache_clear = cached.cache_clear
    return kept_or_rendered


def render_markdown(source: str | None) -> Markup:
    if not source:
        return Markup("")
    return Markup(_rendered(source))


@_kept
def _rendered(source: str) -> str:
    return _pipeline().render(source)[0]


def render_text(source: str | None) -> tuple[str, str]:
    """The sanitised HTML of Markdown `source` and its plain text (unescaped, as plain_summary gives
    it, cut to PLAIN_CHARS + 1 characters), both from one Markdown pass: what is stored."""
    if not source:
        return "", ""
    return _rendered_text(source)


# Texts are rendered again as they were (a row's other Markdown fields when one changes, a copy,
# the rerender command, the same short comment): the last ones are kept, not rendered again.
@_kept
def _rendered_text(source: str) -> tuple[str, str]:
    html_text, tokens = _pipeline().render(source)
    return html_text, _plain_of(tokens)[: PLAIN_CHARS + 1]


def cut_plain(text: str, length: int) -> str:
    """`text` cut to `length` characters, with an ellipsis when something was cut."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plain_excerpt(source: str | None, length: int = 200) -> str:
    """Plain text of Markdown, unescaped, cut to `length` (as plain_summary, always rendering)."""
    return cut_plain(_plain(source or ""), length)


@_kept
def _plain(source: str) -> str:
    return _plain_of(_pipeline().markdown.parse(source))


def plain_summary(source: str | None, length: int = 200) -> str:
    """Plain text of Markdown, unescaped (the template escapes it once), cut to `length`: for
    link previews and mail, where neither HTML nor Markdown mean anything."""
    if isinstance(source, PlainText):  # already plain (stored): nothing to render
        return cut_plain(source, length)
    return cut_plain(_plain(source or ""), length)


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
