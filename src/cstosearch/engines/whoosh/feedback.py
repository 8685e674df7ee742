"""Pseudo-relevance feedback: words that stand out in the best-ranked articles of a longer query
re-rank its matches (they never add or remove a match, so totals and facets stay as they are)."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
from whoosh import query as wq

from cstosearch.analysis import STOP_WORDS, WORD, index_term

FEEDBACK_FIELD = "body"


def expansion_query(searcher, top_docnums: list[int], query_stems: set[str], terms: int,
                    weight: float) -> wq.Query | None:
    """Weighted terms that are frequent in these articles and rare in the index (relevance-model style)."""
    if not top_docnums or terms <= 0:
        return None
    reader = searcher.reader()
    total_docs = max(1, searcher.doc_count())
    evidence: Counter[str] = Counter()
    for docnum in top_docnums:
        article = json.loads(searcher.stored_fields(docnum)["article"])
        text = " ".join([article.get("title", ""), *article.get("paragraphs", [])])
        counts = Counter(index_term(m.group()) for m in WORD.finditer(text)
                         if not m.group().isdigit() and m.group().lower() not in STOP_WORDS)
        length = sum(counts.values()) or 1
        for stem, count in counts.items():
            evidence[stem] += count / length
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


def best(scores: np.ndarray, tier: np.ndarray, targets: np.ndarray, count: int) -> list[int]:
    order = np.lexsort((targets, -scores, -tier))[:count]
    return [int(targets[i]) for i in order if scores[i] > 0]
