"""Highlighted snippets: the query's terms marked in the paragraphs and captions of one hit.

Highlighting re-tokenises text, the costliest step per hit, so a quick scan first picks the
paragraphs that can hold a query term. Each caption is highlighted on its own, its credit
after it, so one caption never runs into the next.
"""

from __future__ import annotations

import re

from whoosh import highlight

from cstosearch.analysis import NewsTokenizer
from cstosearch.engines.whoosh.fragments import TermMatcher, context_fragments

SNIPPET_CHARS = 240
# Two fragments are shown; the first paragraphs that can hold a query term are enough to pick from.
LIKELY_PARAGRAPHS = 4
CAPTION_SEPARATOR = " · "
LONG_PARAGRAPH = 1200


class Snippets:
    """Snippets for one query, given the index terms it looks for in each field."""

    def __init__(self, terms_by_field: dict[str, frozenset[str]], analyzer) -> None:
        self.terms = terms_by_field
        self.analyzer = analyzer
        stems = sorted(set().union(*self.terms.values()), key=len, reverse=True) if self.terms else []
        # Snowball stems are word prefixes but for a changed last letter (economy -> economi).
        prefixes = [re.escape(t[:-1] if len(t) > 3 else t) for t in stems]
        self.scan = re.compile(r"\b(?:" + "|".join(prefixes) + ")", re.IGNORECASE) if prefixes else None
        self.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
        self.whole = highlight.WholeFragmenter()
        self.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        # Which written words are body terms, remembered across the hits of the query.
        self.body_words = TermMatcher(frozenset(self.terms.get("body", ())))

    def body(self, paragraphs: list[str], top: int = 2) -> str:
        terms = self.terms.get("body")
        if not terms or not paragraphs:
            return ""
        likely = []
        if self.scan:
            for paragraph in paragraphs:
                if self.scan.search(paragraph):
                    likely.append(self._around_match(paragraph))
                    if len(likely) == LIKELY_PARAGRAPHS:
                        break
        text = "\n".join(likely) if likely else "\n".join(paragraphs)[:LONG_PARAGRAPH]
        if not isinstance(self.analyzer, NewsTokenizer):
            return highlight.highlight(text, terms, self.analyzer, self.fragmenter, self.formatter, top=top)
        fragments = context_fragments(text, self.body_words, self.fragmenter.maxchars, self.fragmenter.surround,
                                      self.fragmenter.charlimit)
        best = highlight.top_fragments(fragments, top, highlight.BasicFragmentScorer(), highlight.FIRST)
        return self.formatter(text, best)

    def _around_match(self, paragraph: str) -> str:
        """A long paragraph cut to a window around its first likely match (re-analysis is per token)."""
        if len(paragraph) <= LONG_PARAGRAPH:
            return paragraph
        start = max(0, self.scan.search(paragraph).start() - LONG_PARAGRAPH // 2)
        return paragraph[start: start + LONG_PARAGRAPH]

    def captions(self, captions: list[str], top: int = 2) -> str:
        terms = self.terms.get("captions")
        if not terms or not captions:
            return ""
        marked = []
        for caption in captions:
            if self.scan is not None and not self.scan.search(caption):
                continue
            found = highlight.highlight(caption, terms, self.analyzer, self.whole, self.formatter, top=1)
            if found:
                marked.append(found)
            if len(marked) == top:
                break
        return CAPTION_SEPARATOR.join(marked)


def lead(text: str) -> str:
    """The opening of a text, cut at a word, for hits with nothing to highlight."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
