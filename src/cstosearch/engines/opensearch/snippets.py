"""Snippets as the Whoosh engine writes them: escaped text, matches in numbered ``<mark>`` tags.

OpenSearch marks matches with a plain ``<mark>``; each is given the class the Whoosh formatter
gives it (``match termN``, N by first appearance of the term on the page, five classes in turn).
"""

from __future__ import annotations

import re
from html import escape, unescape

from cstosearch.analysis import index_term
from cstosearch.engines.opensearch.search_body import MARK_CLOSE, MARK_OPEN, SNIPPET_CHARS

TERM_CLASSES = 5
FRAGMENT_SEPARATOR = " … "
_MARKED = re.compile(re.escape(MARK_OPEN) + "(.*?)" + re.escape(MARK_CLOSE), re.S)


class TermClasses:
    """The class number of each matched term, kept for one page of results."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def number(self, word: str) -> int:
        term = index_term(unescape(word))
        if term not in self.seen:
            self.seen[term] = len(self.seen) % TERM_CLASSES
        return self.seen[term]

    def mark(self, fragments: list[str], separator: str = FRAGMENT_SEPARATOR) -> str:
        # OpenSearch's HTML encoder also writes "/" as an entity; Python's escape() leaves it.
        text = separator.join(fragments).replace("&#x2F;", "/")
        return _MARKED.sub(lambda m: f'<mark class="match term{self.number(m.group(1))}">{m.group(1)}</mark>', text)


def lead(text: str) -> str:
    """The start of a text, escaped, for a hit without a marked snippet."""
    flat = " ".join(text.split())
    if len(flat) > SNIPPET_CHARS:
        flat = flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(flat)
