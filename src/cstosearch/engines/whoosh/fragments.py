"""Snippet fragments as Whoosh's ``ContextFragmenter`` cuts them, read straight off the text.

Whoosh's highlighter pulls every word through the analyzer as a Token object, marks it, and
walks the tokens; for ten hits of a common word that is most of a search's time. Here the same
words (the tokenizer's pattern and index terms) are found with one regular-expression pass, and
the fragmenter's rules are followed only where they can act: from a matched word until its
fragment closes. Between fragments the fragmenter only remembers the words of the last
``surround`` characters, which is read back from the word spans when the next match comes. Only
the matched words become Whoosh tokens, so Whoosh's scorer, ordering and formatter give exactly
the snippet they gave before (``tests/test_whoosh_shortcuts.py``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from whoosh import highlight
from whoosh.analysis import Token

from cstosearch.analysis import TERMS_SEEN, WORD, index_term, matched_word


class TermMatcher:
    """Whether a word as written is one of ``terms``, remembered per written form (one query)."""

    def __init__(self, terms: frozenset[str]) -> None:
        self.terms = terms
        self._known: dict[str, bool] = {}

    def matched_indexes(self, matches: list) -> list[int]:
        """The positions in ``matches`` (``WORD`` matches) of the words that are query terms.

        A written form always reads as the same word (whether it is an acronym with dots
        depends on the form alone), so each form is looked up once per query.
        """
        known = self._known
        written = [m[0] for m in matches]
        new = {word: match for word, match in zip(written, matches, strict=True) if word not in known}
        terms = self.terms
        for word, match in new.items():
            # A word without dots is indexed as written (the tokenizer's cache holds most of them).
            term = TERMS_SEEN.get(word) if "." not in word else None
            known[word] = (term or index_term(matched_word(match))) in terms
        return [i for i, word in enumerate(written) if known[word]]


def context_fragments(text: str, terms: frozenset[str] | TermMatcher, maxchars: int, surround: int,
                      charlimit: int = highlight.DEFAULT_CHARLIMIT) -> Iterator[highlight.Fragment]:
    """What ``ContextFragmenter(maxchars, surround, charlimit).fragment_tokens`` yields for ``text``
    analysed by ``NewsTokenizer``, with the words whose index term is in ``terms`` matched."""
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    words = list(WORD.finditer(text))
    count = len(words)
    if charlimit and count and words[-1].end() > charlimit:
        # Whoosh stops at the first word ending past the limit; its end still closes a fragment.
        count = bisect_right(words, charlimit, key=_end)
    if not count:
        return
    last_end = words[min(count, len(words) - 1)].end()
    matched = matcher.matched_indexes(words[:count])
    is_matched = set(matched)
    countdown = -1  # below 0: between fragments
    first = None
    length = 0
    tokens: list[Token] = []
    since = 0  # the first word after the last fragment closed
    i = 0
    while i < count:
        if countdown < 0:
            # Between fragments a word only slides the window of the last ``surround``
            # characters, so go straight to the next matched word.
            k = bisect_left(matched, i)
            if k == len(matched):
                break
            i = matched[k]
            start, end = words[i].span()
            if end - start > maxchars:
                countdown = 0
            else:
                countdown = surround
                first = _window_start(words, since, i, surround)
                if first is None:
                    first = start
                    countdown += surround
                tokens.append(_token(words[i]))
        else:
            start, end = words[i].span()
            if length + end - start > maxchars:
                countdown = 0
            elif i in is_matched:
                countdown = surround
                if first is None:  # right after a fragment closed at exactly zero
                    first = start
                    countdown += surround
                tokens.append(_token(words[i]))
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


def _window_start(words: list, since: int, j: int, surround: int) -> int | None:
    """Where Whoosh's fragment starts when word ``j`` matches after idle words ``since..j-1``:
    the first of them that starts within ``surround`` characters of the end of word ``j - 1``."""
    if j <= since:
        return None
    limit = words[j - 1].end() - surround
    k = j - 1
    if words[k].start() < limit:
        return None
    while k > since and words[k - 1].start() >= limit:
        k -= 1
    return words[k].start()


def _end(match) -> int:
    return match.end()


def _token(match) -> Token:
    start, end = match.span()
    return Token(text=index_term(matched_word(match)), startchar=start, endchar=end, boost=1.0, matched=True)
