"""Spellings of one name scored as one term, as Lucene's SynonymQuery does: in each document the
spellings' frequencies are summed, and the idf is that of the group (the spellings' document
frequencies summed), so a rare spelling weighs no more than a common one."""

from __future__ import annotations

from whoosh import query as wq
from whoosh.matching import NullMatcher, UnionMatcher, WrappingMatcher
from whoosh.scoring import BM25FScorer
from whoosh.util import make_binary_tree

from cstosearch.engines.whoosh.ranking import idf_for


class SpellingsTerm(wq.Query):
    """Any of ``texts`` (index terms) in one field, scored as if they were one term."""

    def __init__(self, fieldname: str, texts: tuple[str, ...], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.texts = tuple(dict.fromkeys(texts))
        self.boost = boost

    def __eq__(self, other) -> bool:
        return (type(other) is type(self) and other.fieldname == self.fieldname and other.texts == self.texts
                and other.boost == self.boost)

    def __hash__(self) -> int:
        return hash((self.fieldname, self.texts, self.boost))

    def __repr__(self) -> str:
        return f"SpellingsTerm({self.fieldname!r}, {self.texts!r}, boost={self.boost})"

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases=False):
        for text in self.texts:
            yield (self.fieldname, text)

    def estimate_size(self, ixreader) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, text) for text in self.texts)

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        present = [text for text in self.texts if (self.fieldname, text) in reader]
        if not present:
            return NullMatcher()
        weighting = context.weighting if context is not None else searcher.weighting
        postings = [reader.postings(self.fieldname, text) for text in present]
        union = postings[0] if len(postings) == 1 else make_binary_tree(UnionMatcher, postings)
        scorer = weighting.scorer(searcher, self.fieldname, present[0])
        if isinstance(scorer, BM25FScorer):
            parent = searcher.get_parent()
            frequency = sum(parent.doc_frequency(self.fieldname, text) for text in self.texts)
            documents = parent.doc_count_all()
            scorer.idf = idf_for(weighting, documents, min(frequency, documents))
        return _OneTermMatcher(union, scorer, self.boost)


class _OneTermMatcher(WrappingMatcher):
    """The union of the spellings' postings; its weight is their frequencies summed, scored once."""

    def __init__(self, child, scorer, boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self.scorer = scorer

    def copy(self):
        return _OneTermMatcher(self.child.copy(), self.scorer, self.boost)

    def _replacement(self, newchild):
        return _OneTermMatcher(newchild, self.scorer, self.boost)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return float("inf")

    def weight(self) -> float:
        return self.child.weight()

    def score(self) -> float:
        return self.scorer.score(self) * self.boost
