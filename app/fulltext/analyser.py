"""The one Spanish analyser of search: what is indexed and what is asked go through the same steps.

Text → words (letters and digits) → lower case → Spanish stop words dropped → Snowball Spanish
stem → accents folded (á→a, ñ→n, ü→u). Stemming comes before folding because the Snowball
rules know the accented endings ("-ación"); folding the stem afterwards makes "señalética" and
"senaletica" the same token. Tokens hold only [a-z0-9] and a few other letters, never a
character that PostgreSQL's tsquery or SQLite's FTS5 syntax would read as an operator.
"""
import functools
import re
import threading
import unicodedata

import snowballstemmer

from app.core.text import fold  # accents off (á→a, ñ→n, ü→u) and lower case

# A word longer than this is not a word (a pasted hash or URL): PostgreSQL would refuse it.
MAX_TOKEN_LENGTH = 60
# More words than this in a query is not a search, it is a paste.
MAX_QUERY_WORDS = 12
# A query longer than this is cut before it is read at all.
MAX_QUERY_CHARS = 500

# Letters and digits of any script; underscores and punctuation separate words.
WORD = re.compile(r"[^\W_]+")

# Plain Spanish function words (articles, prepositions, pronouns, common auxiliaries), written
# for Cocrea: they match everything and mean nothing to a search. Compared after lower-casing
# and folding, so "más" and "mas" are both dropped.
STOP_WORDS = frozenset("""
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun aunque cada como con
contra cual cuales cuando de del desde donde durante e el ella ellas ello ellos en entre era
eran eres es esa esas ese eso esos esta estaba estan estar estas este esto estos estoy fue
fueron ha han has hasta hay he la las le les lo los mas me mi mis mucho muy nada ni no nos
nosotros o os otra otras otro otros para pero poco por porque que quien quienes se sea ser
si sin sobre solo son su sus tambien tan tanto te ti tiene tienen toda todas todo todos tu
tus u un una unas uno unos usted ustedes y ya yo
""".split())


class _Stemmers(threading.local):
    # Snowball stemmer objects keep state between calls (and a cache): one per thread.
    def __init__(self):
        self.spanish = snowballstemmer.stemmer("spanish")


# Thread-safe: a threading.local, so each thread builds and uses its own stemmer.
_stemmers = _Stemmers()


def words(text: str | None) -> list[str]:
    """The words of a text as written (for snippets, which mark words where they stand)."""
    # Composed first: a decomposed "ñ" (n + combining tilde) would otherwise split the word.
    return WORD.findall(unicodedata.normalize("NFC", text or ""))


def token(word: str) -> str | None:
    """The token of one word, or None for a stop word or a word too long to be one."""
    lower = word.lower()
    if len(lower) > MAX_TOKEN_LENGTH:
        return None
    return _token_of(lower)


# The words of a language repeat: the pure-Python stemmer (about 35 µs a word) runs once per word.
# lru_cache is safe to call from several threads (CPython locks its bookkeeping).
@functools.lru_cache(maxsize=100_000)
def _token_of(lower: str) -> str | None:
    if fold(lower) in STOP_WORDS:
        return None
    stemmed = fold(_stemmers.spanish.stemWord(lower))
    # Folding can leave nothing of a word made only of combining marks.
    return stemmed or None


def analyse(text: str | None) -> list[str]:
    """The tokens of a text, in order, repeated as they occur (what the index stores)."""
    return [t for t in map(token, words(text)) if t]


def query_tokens(text: str | None) -> list[str]:
    """The distinct tokens of a query, in order, at most MAX_QUERY_WORDS of them."""
    seen: list[str] = []
    for t in analyse((text or "")[:MAX_QUERY_CHARS]):
        if t not in seen:
            seen.append(t)
    return seen[:MAX_QUERY_WORDS]
