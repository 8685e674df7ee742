"""Folding syndicated copies and rewrites of one story into a group.

Exact copies share a content hash. Rewrites (the same facts in other words) share much of
their vocabulary but few word pairs with unrelated stories on the same topic, so a candidate
found by MinHash LSH over content-word sets is confirmed by the exact overlap of both its
words and its word pairs.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from cstosearch.analysis import index_term

NUM_PERM = 128
# LSH finds candidates generously; the exact checks below decide.
CANDIDATE_THRESHOLD = 0.3
MIN_WORD_OVERLAP = 0.4
MIN_PAIR_OVERLAP = 0.1
MIN_WORDS = 30
# Candidates whose estimated word overlap is this far below the bar are not checked exactly.
ESTIMATE_SLACK = 0.1

STOP_WORDS = frozenset(
    "a an the of to in and or for on at by with from that this is are was were be been has have had it its as "
    "not but he she they we i his her their our you will would can could said says which who what when where "
    "than then there after before about over into also more most such".split()
)


_WORD = re.compile(r"[^\W\d_]+")


def content_words(text: str) -> list[str]:
    return [index_term(word) for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


class Fingerprint:
    """What near-duplicate detection needs to know of one article's text.

    Word pairs are only needed to confirm a candidate, which is rare, so they are built on demand;
    the MinHash is kept once made (it may be made in another process, ahead of grouping).
    """

    __slots__ = ("_minhash", "_sequence", "_pairs", "words")

    def __init__(self, sequence: list[str]) -> None:
        self._sequence = sequence
        self._pairs: frozenset[tuple[str, str]] | None = None
        self._minhash: MinHash | None = None
        self.words = frozenset(sequence)

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        return cls(content_words(text))

    @property
    def pairs(self) -> frozenset[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = frozenset(zip(self._sequence, self._sequence[1:], strict=False))
        return self._pairs

    def minhash(self) -> MinHash:
        if self._minhash is None:
            # Permutations are drawn once and shared: drawing them costs more than hashing an article.
            minhash = MinHash(num_perm=NUM_PERM, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
            minhash.update_batch([w.encode("utf-8") for w in self.words])
            self._minhash = minhash
        return self._minhash

    def is_near_duplicate_of(self, other: Fingerprint) -> bool:
        return (_jaccard(self.words, other.words) >= MIN_WORD_OVERLAP
                and _jaccard(self.pairs, other.pairs) >= MIN_PAIR_OVERLAP)


_TEMPLATE = MinHash(num_perm=NUM_PERM)


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _empty_signatures(count: int) -> np.ndarray:
    return np.zeros((count, NUM_PERM), dtype=_TEMPLATE.hashvalues.dtype)


class StoryGrouper:
    """Assigns each article a group: its own id, or the group of an earlier copy or rewrite."""

    def __init__(self, lsh: MinHashLSH | None = None, rows: dict[str, int] | None = None,
                 signatures: np.ndarray | None = None) -> None:
        self.lsh = lsh or MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
        # One signature row per article, so all candidates are screened in one numpy call.
        self.rows = rows if rows is not None else {}
        self.signatures = signatures if signatures is not None else _empty_signatures(1024)

    def group_for(self, article_id: str, fingerprint: Fingerprint, group_of: Callable[[str], str | None],
                  fingerprint_of: Callable[[str], Fingerprint | None]) -> str:
        """The group for this article; ``group_of`` and ``fingerprint_of`` look up earlier articles."""
        minhash = fingerprint.minhash()
        group = None
        if len(fingerprint.words) >= MIN_WORDS:
            candidates = sorted(c for c in self.lsh.query(minhash) if c != article_id and c in self.rows)
            if candidates:
                rows = [self.rows[c] for c in candidates]
                agreeing = np.count_nonzero(self.signatures[rows] == minhash.hashvalues, axis=1)
                bar = (MIN_WORD_OVERLAP - ESTIMATE_SLACK) * NUM_PERM
                for candidate, agree in zip(candidates, agreeing, strict=True):
                    if agree < bar:
                        continue
                    other = fingerprint_of(candidate)
                    if other is not None and fingerprint.is_near_duplicate_of(other):
                        group = group_of(candidate)
                        if group:
                            break
        self.remember(article_id, minhash)
        return group or article_id

    def remember(self, article_id: str, minhash: MinHash) -> None:
        row = self.rows.get(article_id)
        if row is not None:
            self.lsh.remove(article_id)
        else:
            row = self.rows[article_id] = len(self.rows)
            if row >= len(self.signatures):
                grown = _empty_signatures(len(self.signatures) * 2)
                grown[: len(self.signatures)] = self.signatures
                self.signatures = grown
        self.lsh.insert(article_id, minhash, check_duplication=False)
        self.signatures[row] = minhash.hashvalues

    def knows(self, article_id: str) -> bool:
        return article_id in self.rows

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump((self.lsh, self.rows, self.signatures[: len(self.rows)]), handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> StoryGrouper:
        if not path.exists():
            return cls()
        with path.open("rb") as handle:
            lsh, rows, signatures = pickle.load(handle)
        return cls(lsh, rows, np.concatenate([signatures, _empty_signatures(1024)]))
