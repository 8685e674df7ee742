"""BM25F scores of many documents at once: a term's postings read a block at a time, scored with numpy.

Whoosh scores one document per matcher step in Python, and a common word matches tens of
thousands of articles. The term parts of a query (words, prefix expansions, feedback terms) are
scored here as arrays, with Whoosh's own scorer statistics (idf, average field length, k1, b)
and the same byte-coded field lengths, so the numbers are Whoosh's; phrases, which need
positions, still go through matchers, on the documents that can hold them.
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

from cstosearch.engines.whoosh.deadline import Deadline
from cstosearch.engines.whoosh.phrases import phrase_documents

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


def add_term_scores(scores: np.ndarray, generation, weighting, fieldname: str, term: str, boost: float,
                    deadline: Deadline) -> None:
    """Add ``boost`` times the term's BM25F score to each document (global numbers) that holds it.

    ``generation`` gives the searcher, its field lengths and its decoded postings.
    """
    searcher, lengths, postings = generation.searcher, generation.lengths, generation.postings
    if (fieldname, term) not in searcher.reader():
        return
    scorer = weighting.scorer(searcher, fieldname, term)
    if not isinstance(scorer, BM25FScorer):
        raise TypeError(f"vector scoring needs BM25F, not {type(scorer).__name__}")
    idf, average, k1, b = scorer.idf, scorer.avgfl, scorer.K1, scorer.B
    field_lengths = lengths.of(fieldname)
    for subsearcher, offset in searcher.leaf_searchers():
        ids, frequencies = postings.of(subsearcher.reader(), offset, fieldname, term)
        if not len(ids):
            continue
        docs = ids + offset
        frequencies = frequencies.astype(np.float64)
        norm = k1 * ((1 - b) + b * field_lengths[docs] / average)
        scores[docs] += boost * idf * (frequencies * (k1 + 1)) / (frequencies + norm)
        deadline.check()


def scores_of(generation, query: wq.Query | None, targets: np.ndarray, tier: np.ndarray, weighting,
              deadline: Deadline, candidates: int) -> np.ndarray:
    """The score of each target (sorted global numbers) under ``query``; 0 where it does not match.

    Term parts are scored for every target. A phrase scores as Whoosh scores it, the sum of its
    words' scores in its field where the phrase stands, but it is looked for only in the first
    ``candidates`` targets by tier and by the score its words alone would give.
    """
    if query is None or not len(targets):
        return np.zeros(len(targets), dtype=np.float64)
    terms, others = split_terms(query)
    phrases = [q for q in others if type(q) is wq.Phrase]
    if len(phrases) != len(others):
        raise TypeError(f"cannot score {[q for q in others if type(q) is not wq.Phrase]!r} as arrays")
    every = np.zeros(generation.size, dtype=np.float64)
    for fieldname, term, boost in terms:
        add_term_scores(every, generation, weighting, fieldname, term, boost, deadline)
    scores = every[targets]
    if not phrases:
        return scores
    words_of = []
    for phrase in phrases:
        words = np.zeros(generation.size, dtype=np.float64)
        for word in phrase.words:
            add_term_scores(words, generation, weighting, phrase.fieldname, word, phrase.boost, deadline)
        words_of.append(words[targets])
    chosen = np.arange(len(targets))
    if len(targets) > candidates:
        approximate = scores + np.sum(words_of, axis=0)
        chosen = np.sort(np.lexsort((-approximate, -tier))[:candidates])
    within = targets[chosen]
    for phrase, words in zip(phrases, words_of, strict=True):
        holds = phrase_documents(generation, phrase.fieldname, tuple(phrase.words), phrase.slop, deadline,
                                 within=within)[within]
        scores[chosen] += np.where(holds, words[chosen], 0.0)
    return scores
