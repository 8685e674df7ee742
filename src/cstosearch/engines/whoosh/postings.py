"""A term's postings read a stored block at a time, as arrays (Whoosh hands them out one by one).

Blocks written by ``ArrayCodec`` are arrays already; a segment written by Whoosh's own codec
stores each block as a pickle of Python numbers. A common word's postings are hundreds of
blocks, read again by every query that has the word: ``PostingArrays`` keeps them decoded, per
index generation.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from cstosearch.whoosh_codec import ArrayLeafMatcher


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
    if isinstance(matcher, ArrayLeafMatcher):
        while matcher.is_active():
            start = matcher._i
            yield matcher.id_array()[start:], matcher.weight_array()[start:]
            matcher._next_block()
        return
    while matcher.is_active():
        ids = block_ids(matcher)
        if matcher._weights is None:
            matcher._read_weights()
        start = matcher._i
        yield ids[start:], np.asarray(matcher._weights[start:], dtype=np.float64)
        matcher._next_block()


def block_ids(matcher: W3LeafMatcher) -> np.ndarray:
    """The document numbers of the matcher's current block, as an array.

    Whoosh stores them as gaps and adds them up in a Python generator; ``cumsum`` does it at once.
    """
    if isinstance(matcher, ArrayLeafMatcher):
        return matcher.id_array()
    if matcher._ids is None:
        if matcher._byteids:
            matcher._read_ids()
        else:
            if matcher._data is None:
                matcher._read_data()
            matcher._ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))
    return np.asarray(matcher._ids, dtype=np.int64)


class PostingArrays:
    """Each term's postings in each segment as (document numbers, frequencies), decoded once.

    ``cache`` is any object with ``get(key, make)`` (the generation's bounded cache).
    """

    def __init__(self, cache) -> None:
        self.cache = cache

    def of(self, reader, offset: int, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's postings in the segment read by ``reader`` (local numbers); empty when absent."""
        return self.cache.get((offset, fieldname, term), lambda: _decoded(reader, fieldname, term))


def _decoded(reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    try:  # one look-up of the term (asking first whether it is there would be a second)
        matcher = reader.postings(fieldname, term)
    except TermNotFound:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    blocks = list(posting_blocks(matcher))
    if not blocks:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    ids = np.concatenate([ids for ids, _ in blocks]).astype(np.int32)
    frequencies = np.concatenate([weights for _, weights in blocks]).astype(np.float32)
    return ids, frequencies


def posting_bytes(arrays: tuple[np.ndarray, np.ndarray]) -> int:
    return arrays[0].nbytes + arrays[1].nbytes + 64
