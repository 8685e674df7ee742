"""How text becomes index terms: words lower-cased, accent-folded and stemmed, stop words kept.

One tokenizer does in a single pass what Whoosh's four-stage chain (RegexTokenizer |
LowercaseFilter | CharsetFilter | StemFilter) does; indexing spends most of its time here.
Stop words are kept so positions are never renumbered and phrases match only adjacent words.
"""

from __future__ import annotations

import re

import snowballstemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.support.charset import accent_map

# An acronym written with dots (U.N., U.S.A., u.s) is one word without them, however it is
# written, so "U.N." and "UN" meet; other words may hold inner dots (3.5, example.com).
_ACRONYM = r"[^\W\d_](?:\.[^\W\d_])+\.?"
_PLAIN_WORD = r"\w+(?:\.?\w+)*"
WORD = re.compile(rf"(?P<acronym>{_ACRONYM}(?!\w))|{_PLAIN_WORD}", re.UNICODE)
# The same words as the one group of a splitter: ``WORD_SPLITTER.split(text)`` alternates the
# text between words and a word, the words exactly as ``WORD.finditer`` finds them.
WORD_SPLITTER = re.compile(rf"((?:{_ACRONYM}(?!\w))|{_PLAIN_WORD})", re.UNICODE)
_WHOLE_ACRONYM = re.compile(_ACRONYM, re.UNICODE)
_TERMS: dict[str, str] = {}
_TERM_CACHE_LIMIT = 400_000
# Snowball's English (Porter2) stemmer: Whoosh's own Porter stems "getting" to "gett".
_STEMMER = snowballstemmer.stemmer("english")


def index_term(word: str) -> str:
    """The term one word is indexed under (cached: news text repeats its words)."""
    term = _TERMS.get(word)
    if term is None:
        term = _STEMMER.stemWord(fold(word))
        if len(_TERMS) < _TERM_CACHE_LIMIT:
            _TERMS[word] = term
    return term


class NewsTokenizer(Tokenizer):
    """Yields one stemmed, folded, lower-case term per word, with positions and character spans."""

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = index_term(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        position = start_pos
        for match in WORD.finditer(value):
            word = matched_word(match)
            token.text = index_term(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = position
                position += 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def split_words(text: str) -> list[str]:
    """The words of ``text`` as the tokenizer sees them (acronym dots dropped), not yet stemmed."""
    return [matched_word(m) for m in WORD.finditer(text)]


def matched_word(match: re.Match) -> str:
    """The word a ``WORD`` match stands for: an acronym without its dots, anything else as written."""
    return match.group().replace(".", "") if match.group("acronym") else match.group()


def written_term(written: str) -> str:
    """The term a word as written in the text (a whole ``WORD`` match) is indexed under."""
    return index_term(written_word(written))


def written_word(written: str) -> str:
    """The word a form as written in the text (a whole ``WORD`` match) stands for, as ``matched_word``.

    Whether ``WORD`` reads a form as an acronym depends on the form alone (single letters and
    dots are an acronym wherever they stand), so no match object is needed.
    """
    if "." in written and _WHOLE_ACRONYM.fullmatch(written):
        return written.replace(".", "")
    return written


def fold(word: str) -> str:
    """A word lower-cased and accent-folded, not stemmed (the form prefixes are matched on)."""
    return word.lower().translate(accent_map)


def news_analyzer() -> NewsTokenizer:
    return NewsTokenizer()


# Function words a plain search passes over (they are still indexed, so phrases keep them):
# matching "what" or "the" says nothing about an article, and walking them costs the most.
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves
""".split())
