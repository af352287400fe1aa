"""User text: Markdown rendered and then sanitised with an allow-list (bleach)."""
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


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "js-default" disables raw HTML and validates links; headings are demoted by bleach's list.
    return MarkdownIt("js-default").enable("table")


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


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_only_local_images,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[],
)


def render_markdown(source: str | None) -> Markup:
    if not source:
        return Markup("")
    html = _markdown().render(source)
    cleaned = _cleaner.clean(html)
    linked = bleach.linkify(cleaned, callbacks=[_link_attributes], skip_tags=["pre", "code"])
    return Markup(linked)


def plain_excerpt(source: str | None, length: int = 200) -> str:
    text = bleach.clean(_markdown().render(source or ""), tags=[], strip=True)
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def fold(text: str | None) -> str:
    """Lower-case without accents, for search that ignores both ("poblacion" finds "Población")."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
