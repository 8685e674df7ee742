"""Ranking: BM25F with per-field weights; a plain search puts documents with every word first,
then the rest by score scaled by the share of the words they have (a coordination factor).

The weights and BM25 parameters were chosen by measurement (``benchmarks/relevance.py``);
each field is weighted once, in the query, never again in the schema.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from whoosh import scoring


@dataclass(frozen=True)
class Ranking:
    title: float = 1.0
    body: float = 1.0
    captions: float = 1.0
    author: float = 1.0
    outlet: float = 1.0
    k1: float = 1.2
    b: float = 0.75
    # A document with some of a plain search's words scores (matched / all words) ** this
    # of its BM25 score; documents with every word come first whatever their score.
    coordination: float = 1.0
    idf: str = "whoosh"
    # Neighbouring words of a plain search found within ``proximity_slop`` positions of each
    # other add this share of their scores again.
    proximity: float = 0.0
    proximity_slop: int = 4
    # Pseudo-relevance feedback for queries of at least ``feedback_min_words`` words: this many
    # words from the ``feedback_docs`` best articles, weighted up to ``feedback_weight``.
    feedback_terms: int = 0
    feedback_docs: int = 8
    feedback_weight: float = 0.3
    feedback_min_words: int = 3
    # Each feedback article counts exp(-sharpness * (best score - its score)): articles that match
    # the query far less well than the best one lend it few words (0: all count alike).
    feedback_sharpness: float = 0.0

    def field_weights(self) -> dict[str, float]:
        data = asdict(self)
        return {name: data[name] for name in ("title", "body", "captions", "author", "outlet")}

    def weighting(self) -> scoring.WeightingModel:
        if self.idf == "probabilistic":
            return ProbabilisticBM25F(B=self.b, K1=self.k1)
        return scoring.BM25F(B=self.b, K1=self.k1)


class ProbabilisticBM25F(scoring.BM25F):
    """BM25F with the probabilistic idf of Lucene and FTS5, ln(1 + (N - n + 0.5) / (n + 0.5)):
    a word in most documents weighs next to nothing (Whoosh's own idf keeps it at 1 or more)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        found = super().scorer(searcher, fieldname, text, qf)
        if isinstance(found, scoring.BM25FScorer):
            parent = searcher.get_parent()
            found.idf = idf_for(self, parent.doc_count_all(), parent.doc_frequency(fieldname, text))
        return found


def idf_for(weighting: scoring.WeightingModel, documents: int, frequency: int) -> float:
    """The idf ``weighting`` gives a term found in ``frequency`` of ``documents`` documents."""
    if isinstance(weighting, ProbabilisticBM25F):
        return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
    return math.log(documents / (frequency + 1)) + 1


DEFAULT_RANKING = Ranking(title=0.5, k1=1.6, idf="probabilistic", coordination=0.25, proximity=0.25,
                          feedback_terms=20, feedback_weight=0.7, feedback_min_words=4, feedback_sharpness=1.0)


def coordinated(scores: np.ndarray, matched: np.ndarray, words: int, power: float) -> np.ndarray:
    """Scores scaled by the share of the query's words each document has."""
    if words <= 1 or power == 0:
        return scores
    return scores * (matched.astype(np.float64) / words) ** power


def fold_groups(order: np.ndarray, group_codes: np.ndarray) -> np.ndarray:
    """``order`` keeping only the first (best-ranked) document of each story group."""
    if not len(order):
        return order
    _, first = np.unique(group_codes[order], return_index=True)
    return order[np.sort(first)]
