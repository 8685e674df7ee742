"""Snippet fragments as Whoosh's ``ContextFragmenter`` cuts them, read straight off the text.

Whoosh's highlighter pulls every word through the analyzer as a Token object, marks it, and
walks the tokens; for ten hits of a common word that is most of a search's time. Here the same
words (the tokenizer's pattern and index terms) are walked as plain numbers by the same rules,
and only the matched words become Whoosh tokens, so Whoosh's scorer, ordering and formatter
give exactly the snippet they gave before (``tests/test_whoosh_shortcuts.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from whoosh import highlight
from whoosh.analysis import Token

from cstosearch.analysis import WORD, index_term, matched_word


def context_fragments(text: str, terms: frozenset[str], maxchars: int, surround: int,
                      charlimit: int = highlight.DEFAULT_CHARLIMIT) -> Iterator[highlight.Fragment]:
    """What ``ContextFragmenter(maxchars, surround, charlimit).fragment_tokens`` yields for ``text``
    analysed by ``NewsTokenizer``, with the words whose index term is in ``terms`` matched."""
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    matches: list[Token] = []
    endchar = None
    length = 0
    for match in WORD.finditer(text):
        startchar, endchar = match.span()
        if charlimit and endchar > charlimit:
            break
        term = index_term(matched_word(match))
        matched = term in terms
        size = endchar - startchar
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif length + size > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            matches.append(Token(text=term, startchar=startchar, endchar=endchar, boost=1.0, matched=True))
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                yield highlight.mkfrag(text, matches, startchar=first, endchar=endchar)
                matches = []
                firsts = deque()
                first = None
                length = 0
    if matches:
        yield highlight.mkfrag(text, matches, startchar=first, endchar=endchar)
