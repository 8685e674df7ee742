"""Which documents hold a phrase in a field: words intersected as arrays, positions chained as arrays.

Whoosh checks a phrase one document at a time through span matchers. Here the documents that
hold every word of the phrase are found by intersecting posting arrays, and only their
positions are decoded, as ``document << POSITION_BITS | position`` keys: a word follows the
words before it when its key minus 1..slop is one of theirs. The rule is Whoosh's (``Phrase``
with ``slop``: each word within ``slop`` positions after the one before it, in order).
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher

from cstosearch.engines.whoosh.deadline import Deadline
from cstosearch.engines.whoosh.postings import block_ids
from cstosearch.whoosh_codec import ArrayLeafMatcher, position_gaps, positions_from_gaps

POSITION_BITS = 24  # positions within one field of one article stay far below 16 million
# A phrase looking in at least this share of a word's documents decodes (and keeps) all of them.
WHOLE_WORD_SHARE = 4


def known_phrase_documents(generation, fieldname: str, stems: tuple[str, ...], slop: int, deadline: Deadline,
                           within: np.ndarray | None = None) -> np.ndarray:
    """``phrase_documents``, kept for the generation when asked for every document (a query's match
    set), and read from there when only ``within`` is asked for (its scoring, right after)."""
    key = ("phrase", fieldname, tuple(stems), slop)
    if within is None:
        return generation.mask(key, lambda: phrase_documents(generation, fieldname, stems, slop, deadline))
    known = generation.masks.peek(key)
    if known is not None:
        return known
    return phrase_documents(generation, fieldname, stems, slop, deadline, within=within)


def phrase_documents(generation, fieldname: str, stems: tuple[str, ...], slop: int, deadline: Deadline,
                     within: np.ndarray | None = None) -> np.ndarray:
    """A mask of the documents (global numbers) whose ``fieldname`` holds ``stems`` as a phrase.

    ``generation`` gives the searcher and its decoded postings; ``within`` (sorted global
    numbers) limits the documents looked at.
    """
    searcher, postings = generation.searcher, generation.postings
    mask = np.zeros(generation.size, dtype=bool)
    if not stems:
        return mask
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if any((fieldname, stem) not in reader for stem in stems):
            continue
        holding = None
        if within is not None:
            end = offset + subsearcher.doc_count_all()
            first, last = np.searchsorted(within, [offset, end])
            holding = within[first:last] - offset
            if not len(holding):
                continue
        for stem in dict.fromkeys(stems):
            ids = postings.of(reader, offset, fieldname, stem)[0]
            holding = ids if holding is None else np.intersect1d(holding, ids, assume_unique=True)
            if not len(holding):
                break
        deadline.check()
        if not len(holding):
            continue
        if len(stems) == 1:
            mask[holding + offset] = True
            continue
        keys = {stem: _keys_in(generation, reader, offset, fieldname, stem, holding, deadline)
                for stem in dict.fromkeys(stems)}
        ends = keys[stems[0]]
        for stem in stems[1:]:
            following = keys[stem]
            near = np.zeros(len(following), dtype=bool)
            for distance in range(1, max(1, slop) + 1):
                near |= _held(ends, following - distance)
            ends = following[near]
            if not len(ends):
                break
        mask[np.unique(ends >> POSITION_BITS) + offset] = True
    return mask


def _keys_in(generation, reader, offset: int, fieldname: str, stem: str, documents: np.ndarray,
             deadline: Deadline) -> np.ndarray:
    """The position keys of ``stem`` in ``documents`` (local numbers, sorted).

    When the documents are a large share of the word's, all its positions are decoded and kept
    for the generation: a common word is then read once for every phrase that has it.
    """
    key = (offset, fieldname, stem)
    every = generation.positions.peek(key)
    if every is None:
        holding = generation.postings.of(reader, offset, fieldname, stem)[0]
        if len(documents) * WHOLE_WORD_SHARE < len(holding):
            return _position_keys(reader.postings(fieldname, stem), documents, deadline)
        every = generation.positions.get(key, lambda: _position_keys(reader.postings(fieldname, stem), holding,
                                                                      deadline))
    return every[_held(documents, every >> POSITION_BITS)]


def _position_keys(matcher, documents: np.ndarray, deadline: Deadline) -> np.ndarray:
    """``document << POSITION_BITS | position`` for each position of the term in ``documents``."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    keys: list[int] = []
    if not isinstance(matcher, W3LeafMatcher):
        wanted = set(documents.tolist())
        while matcher.is_active():
            if matcher.id() in wanted:
                keys.extend((matcher.id() << POSITION_BITS) | p for p in matcher.value_as("positions"))
            matcher.next()
        return np.asarray(keys, dtype=np.int64)
    decode = matcher.format.decode_positions
    # Whoosh's own position format is decoded a block at a time; any other one value by value.
    batch = type(matcher.format) is Positions
    parts: list[np.ndarray] = []
    below = -1  # every document number up to here is in blocks already passed
    while matcher.is_active():
        block_max = matcher.block_max_id()
        if matcher._ids is None:
            # A block holding none of the documents is passed without decoding it.
            first = np.searchsorted(documents, below, side="right")
            if first == len(documents) or documents[first] > block_max:
                below = block_max
                matcher._next_block()
                continue
        start = matcher._i
        ids = block_ids(matcher)[start:]
        chosen = np.flatnonzero(_held(documents, ids))
        arrays = matcher.position_arrays() if len(chosen) and isinstance(matcher, ArrayLeafMatcher) else None
        if arrays is not None:
            parts.append(_chosen_keys(ids, start, chosen, *arrays))
        elif len(chosen):
            if matcher._values is None:
                matcher._read_values()
            values = matcher._values
            if batch:
                parts.append(_block_keys(ids[chosen], [values[start + i] for i in chosen.tolist()]))
            else:
                for i in chosen.tolist():
                    base = int(ids[i]) << POSITION_BITS
                    keys.extend(base | p for p in decode(values[start + i]))
            deadline.check()
        below = block_max
        matcher._next_block()
    parts.append(np.asarray(keys, dtype=np.int64))
    return np.concatenate(parts)


def _block_keys(documents: np.ndarray, values: list[bytes]) -> np.ndarray:
    """Position keys of ``documents`` from their values in Whoosh's ``Positions`` format."""
    counts, gaps = position_gaps(values)
    return (np.repeat(documents, counts) << POSITION_BITS) | positions_from_gaps(counts, gaps)


def _chosen_keys(ids: np.ndarray, start: int, chosen: np.ndarray, counts: np.ndarray,
                 positions: np.ndarray) -> np.ndarray:
    """Position keys of the block's postings ``start + chosen`` from the block's position arrays."""
    wanted = np.zeros(len(counts), dtype=bool)
    wanted[start + chosen] = True
    keep = np.repeat(wanted, counts)
    documents = np.repeat(ids[chosen], counts[start + chosen])
    return (documents << POSITION_BITS) | positions[keep]


def _held(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``wanted`` are in ``sorted_keys`` (ascending), by binary search."""
    if not len(sorted_keys):
        return np.zeros(len(wanted), dtype=bool)
    where = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
    return sorted_keys[where] == wanted
