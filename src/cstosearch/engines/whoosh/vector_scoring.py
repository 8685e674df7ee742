"""BM25F scores of many documents at once: a term's postings read a block at a time, scored with numpy.

Whoosh scores one document per matcher step in Python, and a common word matches tens of
thousands of articles. The term parts of a query (words, prefix expansions, spellings, feedback
terms) are scored here as arrays, with Whoosh's own scorer statistics (idf, average field length,
k1, b) and the same byte-coded field lengths, so the numbers are Whoosh's. A phrase scores as
Whoosh scores it (its words' scores where it stands), found through ``phrases.py`` on the
best-placed documents only.
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from cstosearch.engines.whoosh.deadline import Deadline
from cstosearch.engines.whoosh.phrases import known_phrase_documents
from cstosearch.engines.whoosh.ranking import idf_for
from cstosearch.engines.whoosh.spellings import SpellingsTerm

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


def split_terms(query: wq.Query, boost: float = 1.0) -> tuple[list[tuple[str, str | tuple, float]], list[wq.Query]]:
    """The (field, term, boost) parts of a sum of terms, and the other parts (phrases) as queries.

    Only plain ``Or`` (a sum of its parts' scores), ``Term`` and ``SpellingsTerm`` (a tuple of
    spellings scored as one term) are taken apart; their boosts multiply.
    """
    if type(query) is wq.Term:
        return [(query.fieldname, query.text, boost * query.boost)], []
    if type(query) is SpellingsTerm:
        return [(query.fieldname, tuple(query.texts), boost * query.boost)], []
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


def add_term_scores(scores: np.ndarray, generation, weighting, fieldname: str, term: str | tuple, boost: float,
                    deadline: Deadline) -> None:
    """Add ``boost`` times the term's BM25F score to each document (global numbers) that holds it.

    ``generation`` gives the searcher, its field lengths and its decoded postings. A tuple of
    spellings scores as one term: their frequencies summed, the idf of their document frequencies
    summed (as Lucene's SynonymQuery does).
    """
    searcher, lengths, postings = generation.searcher, generation.lengths, generation.postings
    spellings = term if isinstance(term, tuple) else (term,)
    segments = []
    held = 0  # documents holding the term, as Whoosh counts them (deleted ones too)
    for subsearcher, offset in searcher.leaf_searchers():
        parts = [postings.of(subsearcher.reader(), offset, fieldname, t) for t in spellings]
        parts = [(ids, counts) for ids, counts in parts if len(ids)]
        held += sum(len(ids) for ids, _ in parts)
        if parts:
            segments.append((offset, parts))
    if not segments:
        return
    idf, average, k1, b = bm25_statistics(searcher, weighting, fieldname, held)
    field_lengths = lengths.of(fieldname)
    for offset, parts in segments:
        if len(parts) == 1:
            ids, frequencies = parts[0][0], parts[0][1].astype(np.float64)
        else:  # one document may hold several spellings: their frequencies add up
            ids, where = np.unique(np.concatenate([ids for ids, _ in parts]), return_inverse=True)
            frequencies = np.zeros(len(ids), dtype=np.float64)
            np.add.at(frequencies, where, np.concatenate([counts for _, counts in parts]))
        docs = ids + offset
        norm = k1 * ((1 - b) + b * field_lengths[docs] / average)
        scores[docs] += boost * idf * (frequencies * (k1 + 1)) / (frequencies + norm)
        deadline.check()


def bm25_statistics(searcher, weighting, fieldname: str, held: int) -> tuple[float, float, float, float]:
    """(idf, average field length, k1, b) as Whoosh's ``BM25FScorer`` takes them, for a term held by
    ``held`` documents; read from numbers at hand instead of looking the term up again."""
    if not isinstance(weighting, scoring.BM25F) or not searcher.schema[fieldname].scorable:
        raise TypeError(f"vector scoring needs BM25F on a scorable field, not {type(weighting).__name__} "
                        f"on {fieldname}")
    documents = searcher.doc_count_all()
    idf = idf_for(weighting, documents, min(held, documents))
    average = searcher.avg_field_length(fieldname) or 1
    return idf, average, weighting.K1, weighting._field_B.get(fieldname, weighting.B)


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
        holds = known_phrase_documents(generation, phrase.fieldname, tuple(phrase.words), phrase.slop, deadline,
                                       within=within)[within]
        scores[chosen] += np.where(holds, words[chosen], 0.0)
    return scores
