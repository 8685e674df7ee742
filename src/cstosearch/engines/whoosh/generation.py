"""A searcher and everything cached for it, replaced as a whole when the index commits anew.

Column-stored fields are read once per generation as one integer code per document, so a
filter is a numpy comparison and a facet is one ``bincount``; match sets are boolean masks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from cstosearch.engines.whoosh.postings import PostingArrays, posting_bytes
from cstosearch.engines.whoosh.spelling import SpellingLexicon
from cstosearch.engines.whoosh.vector_scoring import FieldLengths
from cstosearch.index import AUTHOR_SEPARATOR

# Per worker: cached match masks hold at most this many bytes in all (one byte per document),
# and at most this many answered pages and facet tallies are kept.
MASK_CACHE_BYTES = 48_000_000
POSTING_CACHE_BYTES = 96_000_000
# Every position of a word phrases have looked in widely (document << 24 | position keys).
POSITION_CACHE_BYTES = 64_000_000
RESULT_CACHE_ENTRIES = 512


class CodedColumn:
    """A column-stored field as integer codes: one per document, or (document, code) pairs."""

    def __init__(self, values: list[str], separator: str | None = None) -> None:
        codes: dict[str, int] = {}
        self.size = len(values)
        if separator is None:
            self.codes = np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.int32,
                                     count=len(values))
            self.pair_docs = None
        else:
            docs, labels = [], []
            for docnum, value in enumerate(values):
                for part in value.split(separator) if value else ():
                    docs.append(docnum)
                    labels.append(codes.setdefault(part, len(codes)))
            self.pair_docs = np.array(docs, dtype=np.int64)
            self.codes = np.array(labels, dtype=np.int32)
        self.labels = list(codes)
        self.code_of = codes
        self._rank: np.ndarray | None = None
        self._label_rank: np.ndarray | None = None

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """How many of the documents in ``mask`` carry each code."""
        if self.pair_docs is None:
            return np.bincount(self.codes[mask], minlength=len(self.labels))
        return np.bincount(self.codes[mask[self.pair_docs]], minlength=len(self.labels))

    def mask_where(self, keep_label) -> np.ndarray:
        """The documents with a value for which ``keep_label(value)`` is true."""
        wanted = np.fromiter((bool(keep_label(label)) for label in self.labels), dtype=bool, count=len(self.labels))
        if self.pair_docs is None:
            return wanted[self.codes] if len(self.labels) else np.zeros(self.size, dtype=bool)
        mask = np.zeros(self.size, dtype=bool)
        mask[self.pair_docs[wanted[self.codes]]] = True
        return mask

    def label_rank(self) -> np.ndarray:
        """Each code's position when the values are sorted."""
        if self._label_rank is None:
            order = sorted(range(len(self.labels)), key=self.labels.__getitem__)
            label_rank = np.empty(len(self.labels), dtype=np.int32)
            label_rank[order] = np.arange(len(order), dtype=np.int32)
            self._label_rank = label_rank
        return self._label_rank

    def sort_rank(self) -> np.ndarray:
        """Each document's position when the values are sorted (single-valued columns)."""
        if self._rank is None:
            label_rank = self.label_rank()
            self._rank = label_rank[self.codes] if len(self.labels) else np.zeros(self.size, dtype=np.int32)
        return self._rank

    def most_common(self, tally: np.ndarray, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` non-empty values counted most in ``tally``, ties by value."""
        present = self._present(tally)
        if len(present) > limit:
            # Only values counted at least as often as the limit-th one can make the list.
            cut = np.partition(tally[present], len(present) - limit)[len(present) - limit]
            present = present[tally[present] >= cut]
        pairs = [(self.labels[code], int(tally[code])) for code in present.tolist()]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:limit]

    def latest(self, tally: np.ndarray, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` greatest non-empty values counted in ``tally``, greatest first."""
        present = self._present(tally)
        chosen = present[np.argsort(-self.label_rank()[present], kind="stable")][:limit]
        return [(self.labels[code], int(tally[code])) for code in chosen.tolist()]

    def _present(self, tally: np.ndarray) -> np.ndarray:
        present = np.flatnonzero(tally)
        empty = self.code_of.get("")
        return present if empty is None else present[present != empty]


class BoundedCache:
    """A least-recently-used cache whose entries weigh something; the oldest go past the budget."""

    def __init__(self, budget: int, weigh=lambda value: 1) -> None:
        self.budget = budget
        self.weigh = weigh
        self.entries: OrderedDict = OrderedDict()
        self.held = 0
        self.lock = threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = make()
        with self.lock:
            if key not in self.entries:
                self.entries[key] = value
                self.held += self.weigh(value)
            while self.held > self.budget and len(self.entries) > 1:
                _, evicted = self.entries.popitem(last=False)
                self.held -= self.weigh(evicted)
        return value

    def peek(self, key):
        """The entry for ``key`` if it is held, else None (nothing is made)."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        return None


class Generation:
    """One searcher and its caches (columns, match masks, facet tallies, answered pages)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.columns: dict[str, CodedColumn] = {}
        self.masks = BoundedCache(MASK_CACHE_BYTES, weigh=lambda mask: mask.nbytes)
        self.facets = BoundedCache(RESULT_CACHE_ENTRIES)
        self.pages = BoundedCache(RESULT_CACHE_ENTRIES)
        self.lock = threading.Lock()
        self._live: np.ndarray | None = None
        self._warm = False
        self.lengths = FieldLengths(searcher)
        self.postings = PostingArrays(BoundedCache(POSTING_CACHE_BYTES, weigh=posting_bytes))
        self.spelling = SpellingLexicon(searcher.reader())
        self.positions = BoundedCache(POSITION_CACHE_BYTES, weigh=lambda keys: keys.nbytes + 64)
        # The name groups searches expand with, and the groups file they were read from.
        self.variants = None
        self.names_signature = None

    def column(self, fieldname: str) -> CodedColumn:
        with self.lock:
            if fieldname not in self.columns:
                values = list(self.searcher.reader().column_reader(fieldname))
                separator = AUTHOR_SEPARATOR if fieldname == "authors" else None
                self.columns[fieldname] = CodedColumn(values, separator)
            return self.columns[fieldname]

    def live(self) -> np.ndarray:
        """Every document not deleted."""
        if self._live is None:
            mask = np.zeros(self.size, dtype=bool)
            mask[np.fromiter(self.searcher.reader().all_doc_ids(), dtype=np.int64)] = True
            self._live = mask
        return self._live

    def warm(self, columns: tuple[str, ...], length_fields: tuple[str, ...]) -> None:
        """Load what nearly every search reads (live documents, columns, field lengths, the lexicon
        did-you-mean looks in), once."""
        if self._warm:
            return
        self.live()
        for fieldname in columns:
            self.column(fieldname)
        for fieldname in length_fields:
            self.lengths.of(fieldname)
        self.spelling.load()
        self._warm = True

    def mask(self, key, make) -> np.ndarray:
        return self.masks.get(key, make)
