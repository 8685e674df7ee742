"""Snippet fragments as Whoosh's ``ContextFragmenter`` cuts them, read straight off the text.

Whoosh's highlighter pulls every word through the analyzer as a Token object, marks it, and
walks the tokens; for ten hits of a common word that is most of a search's time. Here the same
words (the tokenizer's pattern and index terms) are found by one ``re.split``, their spans added
up from the pieces' lengths, and the fragmenter's rules are followed only where they can act:
from a matched word until its fragment closes. Between fragments the fragmenter only remembers
the words of the last ``surround`` characters, which is read back from the word spans when the
next match comes. Only the matched words become Whoosh tokens, so Whoosh's scorer, ordering and
formatter give exactly the snippet they gave before (``tests/test_whoosh_shortcuts.py``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import accumulate

from whoosh import highlight
from whoosh.analysis import Token

from cstosearch.analysis import WORD_SPLITTER, written_term


class TermMatcher:
    """Whether a word as written is one of ``terms``, remembered per written form (one query)."""

    def __init__(self, terms: frozenset[str]) -> None:
        self.terms = terms
        self._known: dict[str, bool] = {}

    def matched_indexes(self, written: list[str]) -> list[int]:
        """The positions in ``written`` of the words that are query terms; each form is looked up
        once per query."""
        known = self._known
        terms = self.terms
        for word in {word for word in written if word not in known}:
            known[word] = written_term(word) in terms
        return [i for i, word in enumerate(written) if known[word]]


def context_fragments(text: str, terms: frozenset[str] | TermMatcher, maxchars: int, surround: int,
                      charlimit: int = highlight.DEFAULT_CHARLIMIT) -> Iterator[highlight.Fragment]:
    """What ``ContextFragmenter(maxchars, surround, charlimit).fragment_tokens`` yields for ``text``
    analysed by ``NewsTokenizer``, with the words whose index term is in ``terms`` matched."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    pieces = WORD_SPLITTER.split(text)
    written = pieces[1::2]
    offsets = list(accumulate(map(len, pieces), initial=0))
    starts, ends = offsets[1::2], offsets[2::2]
    count = len(written)
    if charlimit and count and ends[-1] > charlimit:
        # Whoosh stops at the first word ending past the limit; its end still closes a fragment.
        count = bisect_right(ends, charlimit)
    if not count:
        return
    last_end = ends[min(count, len(written) - 1)]
    matched = matcher.matched_indexes(written[:count])
    is_matched = set(matched)
    countdown = -1  # below 0: between fragments
    first = None
    length = 0
    tokens: list[Token] = []
    since = 0  # the first word after the last fragment closed
    i = 0
    while i < count:
        start, end = starts[i], ends[i]
        if countdown < 0:
            # Between fragments a word only slides the window of the last ``surround``
            # characters, so go straight to the next matched word.
            k = bisect_left(matched, i)
            if k == len(matched):
                break
            i = matched[k]
            start, end = starts[i], ends[i]
            if end - start > maxchars:
                countdown = 0
            else:
                countdown = surround
                first = _window_start(starts, ends, since, i, surround)
                if first is None:
                    first = start
                    countdown += surround
                tokens.append(_token(written[i], start, end))
        else:
            if length + end - start > maxchars:
                countdown = 0
            elif i in is_matched:
                countdown = surround
                if first is None:  # right after a fragment closed at exactly zero
                    first = start
                    countdown += surround
                tokens.append(_token(written[i], start, end))
        length += end - start
        countdown -= end - start
        if countdown <= 0:
            yield highlight.mkfrag(text, tokens, startchar=first, endchar=end)
            tokens = []
            first = None
            length = 0
            since = i + 1
        i += 1
    if tokens:
        yield highlight.mkfrag(text, tokens, startchar=first, endchar=last_end)


def _window_start(starts: list[int], ends: list[int], since: int, j: int, surround: int) -> int | None:
    """Where Whoosh's fragment starts when word ``j`` matches after idle words ``since..j-1``:
    the first of them that starts within ``surround`` characters of the end of word ``j - 1``."""
    if j <= since:
        return None
    limit = ends[j - 1] - surround
    k = j - 1
    if starts[k] < limit:
        return None
    while k > since and starts[k - 1] >= limit:
        k -= 1
    return starts[k]


def _token(written: str, start: int, end: int) -> Token:
    return Token(text=written_term(written), startchar=start, endchar=end, boost=1.0, matched=True)
