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

WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
_TERMS: dict[str, str] = {}
_TERM_CACHE_LIMIT = 400_000
# Snowball's English (Porter2) stemmer: Whoosh's own Porter stems "getting" to "gett".
_STEMMER = snowballstemmer.stemmer("english")


def index_term(word: str) -> str:
    """The term one word is indexed under (cached: news text repeats its words)."""
    term = _TERMS.get(word)
    if term is None:
        term = _STEMMER.stemWord(word.lower().translate(accent_map))
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
            word = match.group()
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


def news_analyzer() -> NewsTokenizer:
    return NewsTokenizer()
