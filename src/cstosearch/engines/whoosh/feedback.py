"""Pseudo-relevance feedback: words that stand out in the best-ranked articles of a longer query
re-rank its matches (they never add or remove a match, so totals and facets stay as they are)."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
from whoosh import query as wq

from cstosearch.analysis import STOP_WORDS, index_term, split_words

FEEDBACK_FIELD = "body"


def expansion_query(searcher, top: list[tuple[int, float]], query_stems: set[str], terms: int,
                    weight: float) -> wq.Query | None:
    """Weighted terms that are frequent in these articles and rare in the index (relevance-model
    style); ``top`` pairs each article with how much it counts."""
    if not top or terms <= 0:
        return None
    reader = searcher.reader()
    total_docs = max(1, searcher.doc_count())
    evidence: Counter[str] = Counter()
    for docnum, share_of_article in top:
        article = json.loads(searcher.stored_fields(docnum)["article"])
        text = " ".join([article.get("title", ""), *article.get("paragraphs", [])])
        counts = Counter(index_term(word) for word in split_words(text)
                         if not word.isdigit() and word.lower() not in STOP_WORDS)
        length = sum(counts.values()) or 1
        for stem, count in counts.items():
            evidence[stem] += share_of_article * count / length
    scored = []
    for stem, share in evidence.items():
        if stem in query_stems or len(stem) < 3:
            continue
        frequency = reader.doc_frequency(FEEDBACK_FIELD, stem)
        if frequency < 2:
            continue
        scored.append((share * math.log(total_docs / frequency), stem))
    scored.sort(reverse=True)
    chosen = scored[:terms]
    if not chosen:
        return None
    top = chosen[0][0]
    return wq.Or([wq.Term(FEEDBACK_FIELD, stem, boost=weight * value / top) for value, stem in chosen])


def best(scores: np.ndarray, tier: np.ndarray, targets: np.ndarray, count: int,
         sharpness: float = 0.0) -> list[tuple[int, float]]:
    """The ``count`` best-ranked documents of a first pass that scored above nothing, each with
    exp(-sharpness * (best score - its score)), how much it counts as evidence."""
    order = [i for i in np.lexsort((targets, -scores, -tier))[:count] if scores[i] > 0]
    if not order:
        return []
    top_score = max(float(scores[i]) for i in order)
    return [(int(targets[i]), math.exp(-sharpness * (top_score - float(scores[i])))) for i in order]
