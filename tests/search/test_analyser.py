"""The Spanish analyser: what is indexed and what is asked become the same tokens."""
import threading

import pytest

from app.fulltext import analyser


def test_lower_case_accents_folded_and_stemmed():
    assert analyser.analyse("Señalética VIAL") == ["senalet", "vial"]
    assert analyser.analyse("senaletica vial") == ["senalet", "vial"]
    assert analyser.analyse("Pingüino Ñandú") == analyser.analyse("pinguino nandu")


@pytest.mark.parametrize(("one", "other"), [
    ("basura separada", "basura por separado"),
    ("señalética", "senalética vial"),
    ("participación", "participacion"),
    ("separaciones", "separación"),
    ("lámparas", "lampara"),
])
def test_forms_of_a_word_share_a_token(one, other):
    assert set(analyser.analyse(one)) <= set(analyser.analyse(other))


def test_stop_words_dropped_with_or_without_accents():
    assert analyser.analyse("de la por y más mas también tambien") == []
    assert analyser.analyse("agua de la colonia") == ["agu", "coloni"]


def test_words_are_letters_and_digits_only():
    tokens = analyser.analyse('"NEAR(a, b)" * -x : 100% predial_urbano <script> \x00 ')
    assert all(t.isalnum() for t in tokens)
    assert "100" in tokens and "predial" in tokens and "script" in tokens


def test_decomposed_accents_keep_the_word_whole():
    assert analyser.analyse("sen\u0303al") == analyser.analyse("señal")


def test_query_tokens_distinct_capped_and_length_limited():
    assert analyser.query_tokens("agua agua Agua") == ["agu"]
    many = " ".join(f"palabra{n}" for n in range(50))
    assert len(analyser.query_tokens(many)) == analyser.MAX_QUERY_WORDS
    assert analyser.query_tokens("x" * 5000) == []  # one word too long to be a word
    assert analyser.query_tokens("") == [] and analyser.query_tokens(None) == []


def test_stemmers_per_thread_give_the_same_tokens():
    results = []

    def work():
        results.append([analyser.analyse("basura separada señalética") for _ in range(200)][-1])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [["basur", "separ", "senalet"]] * 4


def test_a_snippet_escapes_everything_but_its_marks():
    """The snippet is built as text and marked safe once: every piece around and inside the marks
    is escaped, the window keeps its ellipses."""
    from app.fulltext.matching import Query
    from app.search.queries import highlight

    query = Query.of("agua")
    html = highlight('<b>Agua</b> & "luz" para <i>todos</i>', query)
    assert str(html) == ('&lt;b&gt;<mark>Agua</mark>&lt;/b&gt; &amp; &#34;luz&#34; para '
                         '&lt;i&gt;todos&lt;/i&gt;')
    long = "inicio " * 40 + "<agua> potable" + " final" * 40
    window = str(highlight(long, query, 60))
    assert window.startswith("…") and window.endswith("…")
    assert "&lt;<mark>agua</mark>&gt;" in window and "<agua>" not in window
