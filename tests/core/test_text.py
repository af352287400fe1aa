"""User text's HTML and plain text (app/core/text.py): one sanitising pass, plain text from tokens.

The plain text (excerpts, feeds, link previews) is read from the Markdown tokens instead of from
a second HTML pass that strips every tag; it must say exactly what that pass said, for any text.
No database: these run once (tests/README.md).
"""
import html

import bleach
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.core import text as app_text
from app.core.text import plain_excerpt, plain_summary, render_markdown, render_text

pytestmark = pytest.mark.single_backend

# Pieces that reach every kind of token markdown-it makes with the options used here.
PIECES = [
    "hola", "Ñandú 🌵", "**negrita**", "_cursiva_", "`código`", "```\nbloque <b>\n```", "    sangrado & x",
    "http://example.com/a?b=1&c=2", "www.durango.gob.mx", "[enlace](http://example.org)",
    "![imagen](/static/a.png)", "![fuera](http://evil.example/a.png)", "<script>alert(1)</script>",
    "&amp; &lt; &copy; &#169; &nbsp;", "# Título", "> cita", "- a\n- b", "1. uno", "| a | b |\n|---|---|\n| 1 | 2 |",
    "línea  \nrota", "a@b.org", "---", "\"comillas\" 'simples'", "[x](javascript:alert(1))", "<http://auto.link>",
    "~~tachado~~", "\\*escapado\\*", "x<y>z", '"><img src=x onerror=alert(1)>', "tab\tulador", "\u00a0",
]
SEPARATORS = ["", " ", "\n", "\n\n"]


def _stripped(source: str) -> str:
    """What the plain text was before: the rendered HTML with every tag stripped by bleach."""
    rendered = app_text._pipeline().markdown.render(source)
    stripper = bleach.sanitizer.Cleaner(tags=[], strip=True)
    return html.unescape(" ".join(stripper.clean(rendered).split()))


# Any text a person can store: clean_text takes control characters out before anything is written.
typed = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
markdownish = st.lists(st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(PIECES) | typed),
                       min_size=1, max_size=8).map(lambda parts: "".join(sep + piece for sep, piece in parts))


@settings(max_examples=400, deadline=None)
@given(markdownish)
@example("```\nhttp://no-es-enlace.example\n```\n\n![foto](/static/x.png) y **b**\n\n> cita")
def test_the_plain_text_read_from_the_tokens_is_the_html_with_its_tags_stripped(source):
    assert app_text._plain.__wrapped__(source) == _stripped(source)
    assert render_text(source)[1] == _stripped(source)[: app_text.PLAIN_CHARS + 1]


def test_a_code_block_is_escaped_once():
    html_text, plain = render_text("```\n<b>negrita</b> & más\n```\n\n`<i>`")

    assert "<pre><code>&lt;b&gt;negrita&lt;/b&gt; &amp; más\n</code></pre>" in html_text
    assert "<code>&lt;i&gt;</code>" in html_text
    assert "&amp;lt;" not in html_text
    assert plain == "<b>negrita</b> & más <i>"


def test_a_link_ends_where_the_address_does():
    html_text = str(render_markdown('Ver http://example.org/a?b=1&c=2"citado" y www.durango.gob.mx<br>'))

    assert ('<a href="http://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
            "http://example.org/a?b=1&amp;c=2</a>&quot;citado&quot;") in html_text
    assert '<a href="http://www.durango.gob.mx" rel="nofollow ugc noopener">www.durango.gob.mx</a>&lt;br&gt;' in html_text


def test_links_in_code_stay_text_and_hostile_markup_stays_inert():
    html_text = str(render_markdown(
        "```\nhttps://no-es-enlace.example\n```\n\n<script>alert(1)</script> [x](javascript:alert(1)) "
        "![fuera](https://evil.example/x.png) ![local](/static/img/logo.png)"))

    assert "<a" not in html_text.split("</pre>")[0]
    assert "<script" not in html_text and "href=\"javascript" not in html_text
    assert "evil.example" not in html_text
    assert '<img src="/static/img/logo.png" alt="local">' in html_text


def test_plain_text_is_unescaped_for_every_caller():
    source = "Tom &amp; Jerry <b>x</b> **y**"

    assert plain_excerpt(source) == "Tom & Jerry <b>x</b> y"
    assert plain_summary(source) == "Tom & Jerry <b>x</b> y"
    assert render_text(source)[1] == "Tom & Jerry <b>x</b> y"


def test_only_short_texts_are_kept_so_a_workers_memory_stays_bounded():
    """Renders are kept per process for texts up to CACHED_CHARS characters (the repeated ones);
    a long report is rendered each time instead of holding its HTML in every worker."""
    app_text._rendered_text.cache_clear()
    short = "Un comentario breve con *énfasis*."
    long = "Un reporte largo. " * (app_text.CACHED_CHARS // 10)
    assert render_text(short) == render_text(short)
    assert render_text(long) == render_text(long)
    info = app_text._rendered_text.cache_info()
    assert (info.currsize, info.hits) == (1, 1)
    assert app_text.CACHED_TEXTS * (app_text.CACHED_CHARS * 3) < 8 * 1024 * 1024  # each cache's worst case
