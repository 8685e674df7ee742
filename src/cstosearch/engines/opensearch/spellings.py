"""Spellings of one name ranked as equals over OpenSearch: each spelling's clause is boosted so that
its BM25 idf becomes the group's (the documents holding any of the spellings), as the Whoosh
engine scores a group as one term.

The document frequencies are counts of live documents, asked in one ``_msearch`` per query; the
search then runs as ``dfs_query_then_fetch`` so that each clause's own idf is the cluster-wide
one these boosts were computed against (not one shard's). Lucene's frequencies also count
replaced documents until segments merge; the counts here do not, a small difference after many
incremental runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from cstosearch.engines.opensearch.mapping import FIELD_BOOSTS

# counts(queries) -> the number of live documents each query matches, in order.
CountQueries = Callable[[list[dict]], list[int]]


def bm25_idf(documents: int, frequency: int) -> float:
    """Lucene's BM25 idf: log(1 + (N - n + 0.5) / (n + 0.5))."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


class SpellingWeights:
    """The idf of each counted word in each field, and of the group each spelling belongs to."""

    def __init__(self, documents: dict[str, int], frequency: dict[tuple[str, str], int],
                 group_frequency: dict[tuple[str, str], int]) -> None:
        self.documents = documents
        self.frequency = frequency
        self.group_frequency = group_frequency

    def __bool__(self) -> bool:
        return bool(self.group_frequency)

    def _idf(self, name: str, text: str, grouped: bool) -> float | None:
        found = (self.group_frequency if grouped else self.frequency).get((name, text))
        documents = self.documents.get(name, 0)
        if not found or not documents:
            return None
        return bm25_idf(documents, found)

    def boost(self, name: str, spelling: str) -> float:
        """The factor that turns the spelling's idf in ``name`` into its group's (1 when not counted)."""
        return self.phrase_boost(name, (spelling,))

    def phrase_boost(self, name: str, texts: tuple[str, ...]) -> float:
        """The same for a phrase, whose idf Lucene sums over its words."""
        own, grouped = 0.0, 0.0
        for text in texts:
            idf = self._idf(name, text, False)
            if idf is None:
                return 1.0
            own += idf
            group_idf = self._idf(name, text, True)
            grouped += idf if group_idf is None else group_idf
        return grouped / own if own > 0 else 1.0


NO_WEIGHTS = SpellingWeights({}, {}, {})


def count_weights(groups: Iterable[tuple[str | None, tuple[str, ...]]], neighbours: Iterable[tuple[str, str]],
                  counts: CountQueries) -> SpellingWeights:
    """Counts for each group of word spellings (searched in one field, or every field), and for
    ``neighbours``, (field, word) pairs that stand in a phrase beside a spelling."""
    wanted: dict[tuple, dict] = {}
    members: dict[tuple[str, str], tuple] = {}
    for fieldname, spellings in groups:
        for name in ((fieldname,) if fieldname else tuple(FIELD_BOOSTS)):
            wanted.setdefault(("documents", name), {"exists": {"field": name}})
            for spelling in spellings:
                wanted.setdefault(("word", name, spelling), _word(name, spelling))
                members[(name, spelling)] = ("group", name, spellings)
            wanted.setdefault(("group", name, spellings), {"bool": {
                "should": [_word(name, s) for s in spellings], "minimum_should_match": 1}})
    if not members:
        return NO_WEIGHTS
    for name, word in neighbours:
        wanted.setdefault(("documents", name), {"exists": {"field": name}})
        wanted.setdefault(("word", name, word), _word(name, word))
    keys = list(wanted)
    counted = dict(zip(keys, counts([wanted[k] for k in keys]), strict=True))
    return SpellingWeights(
        documents={key[1]: n for key, n in counted.items() if key[0] == "documents"},
        frequency={(key[1], key[2]): n for key, n in counted.items() if key[0] == "word"},
        group_frequency={member: counted[group] for member, group in members.items()})


def _word(name: str, text: str) -> dict:
    return {"match": {name: {"query": text, "operator": "and"}}}
