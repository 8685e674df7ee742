"""BM25F scores of many documents at once: a term's postings read a block at a time, scored with numpy.

Whoosh scores one document per matcher step in Python, and a common word matches tens of
thousands of articles. The term parts of a query (words, prefix expansions, feedback terms) are
scored here as arrays, with Whoosh's own scorer statistics (idf, average field length, k1, b)
and the same byte-coded field lengths, so the numbers are Whoosh's; phrases, which need
positions, still go through matchers, on the documents that can hold them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

from cstosearch.engines.whoosh.deadline import Deadline

# Whoosh keeps each document's field length as one byte; this is what each byte stands for.
LENGTH_OF_BYTE = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)], dtype=np.float64)


class FieldLengths:
    """Every document's length in each field, as Whoosh's scorer sees it (one array per field, per generation)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self._by_field: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def of(self, fieldname: str) -> np.ndarray:
        with self._lock:
            if fieldname not in self._by_field:
                self._by_field[fieldname] = self._read(fieldname)
            return self._by_field[fieldname]

    def _read(self, fieldname: str) -> np.ndarray:
        lengths = np.zeros(self.size, dtype=np.float64)
        for subsearcher, offset in self.searcher.leaf_searchers():
            count = subsearcher.doc_count_all()
            column = subsearcher.reader()._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                continue
            codes = np.zeros(count, dtype=np.uint8)
            stored = min(count, getattr(column, "_count", 0))
            if stored and hasattr(column, "_dbfile"):
                raw = column._dbfile.get(column._basepos, stored)
                codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
            else:  # another column layout: one value at a time
                codes[:] = np.fromiter(iter(column), dtype=np.uint8, count=count)
            lengths[offset:offset + count] = LENGTH_OF_BYTE[codes]
        return lengths


def split_terms(query: wq.Query, boost: float = 1.0) -> tuple[list[tuple[str, str, float]], list[wq.Query]]:
    """The (field, term, boost) parts of a sum of terms, and the other parts (phrases) as queries.

    Only plain ``Or`` (a sum of its parts' scores) and ``Term`` are taken apart; their boosts multiply.
    """
    if type(query) is wq.Term:
        return [(query.fieldname, query.text, boost * query.boost)], []
    if type(query) is wq.Or and query.scale is None:
        terms, others = [], []
        for sub in query.subqueries:
            sub_terms, sub_others = split_terms(sub, boost * query.boost)
            terms += sub_terms
            others += sub_others
        return terms, others
    if boost != 1.0:
        query = query.copy()
        query.boost = query.boost * boost
    return [], [query]


def add_term_scores(scores: np.ndarray, searcher, lengths: FieldLengths, weighting, fieldname: str, term: str,
                    boost: float, deadline: Deadline) -> None:
    """Add ``boost`` times the term's BM25F score to each document (global numbers) that holds it."""
    if (fieldname, term) not in searcher.reader():
        return
    scorer = weighting.scorer(searcher, fieldname, term)
    if not isinstance(scorer, BM25FScorer):
        raise TypeError(f"vector scoring needs BM25F, not {type(scorer).__name__}")
    idf, average, k1, b = scorer.idf, scorer.avgfl, scorer.K1, scorer.B
    field_lengths = lengths.of(fieldname)
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if (fieldname, term) not in reader:
            continue
        for ids, frequencies in posting_blocks(reader.postings(fieldname, term)):
            docs = ids + offset
            norm = k1 * ((1 - b) + b * field_lengths[docs] / average)
            scores[docs] += boost * idf * (frequencies * (k1 + 1)) / (frequencies + norm)
        deadline.check()


def posting_blocks(matcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """A term's postings as (document numbers, frequencies) arrays, one pair per stored block."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
        return
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        start = matcher._i
        yield (np.asarray(matcher._ids[start:], dtype=np.int64),
               np.asarray(matcher._weights[start:], dtype=np.float64))
        matcher._next_block()


def scores_of(searcher, lengths: FieldLengths, query: wq.Query | None, targets: np.ndarray, tier: np.ndarray,
              weighting, deadline: Deadline, candidates: int, exact) -> np.ndarray:
    """The score of each target (sorted global numbers) under ``query``; 0 where it does not match.

    Term parts are scored for every target. Phrase parts are scored by ``exact`` (matchers) on
    at most ``candidates`` targets: the first by tier and by the score their words alone give.
    """
    scores = np.zeros(len(targets), dtype=np.float64)
    if query is None or not len(targets):
        return scores
    terms, others = split_terms(query)
    every = np.zeros(lengths.size, dtype=np.float64)
    for fieldname, term, boost in terms:
        add_term_scores(every, searcher, lengths, weighting, fieldname, term, boost, deadline)
    scores = every[targets]
    if not others:
        return scores
    chosen = np.arange(len(targets))
    if len(targets) > candidates:
        proxy = np.zeros(lengths.size, dtype=np.float64)
        for phrase in others:
            for word in dict.fromkeys(getattr(phrase, "words", ())):
                add_term_scores(proxy, searcher, lengths, weighting, phrase.fieldname, word, phrase.boost, deadline)
        approximate = scores + proxy[targets]
        chosen = np.sort(np.lexsort((-approximate, -tier))[:candidates])
    phrases = others[0] if len(others) == 1 else wq.Or(others)
    scores[chosen] += exact(searcher, phrases, targets[chosen], weighting, deadline)
    return scores
