"""Whoosh's postings format with each block stored as plain arrays, so a block reads in one call.

Whoosh 3 pickles every block of a posting list as a tuple of Python ints, floats and one
pickled position list per posting; reading a common word means unpickling hundreds of such
blocks, object by object, for every query that has it. ``ArrayCodec`` writes the same blocks,
with the same block statistics (so Whoosh's skipping and scoring work unchanged), but the
document numbers, weights and positions of a block are each one array of the smallest unsigned
type that holds them:

- document numbers as gaps (the first one absolute), summed when read;
- weights as whole numbers (term frequencies), or nothing when they are all 1, or one number
  when they are all equal, or float32 for anything else;
- for Whoosh's ``Positions`` format, each posting's number of positions and the gaps between
  positions (restarting at each posting) as two arrays, compressed together on their own, so
  reading a block's document numbers never inflates its positions; any other format's values
  as Whoosh stores them.

Whoosh's own matcher interface reads these blocks too (a posting's value is re-encoded on
demand), so every Whoosh query works; ``ArrayLeafMatcher.id_array``, ``weight_array`` and
``position_arrays`` hand the arrays out as they are. Segments remember their codec, so an index
written before keeps being read with Whoosh's codec, and merging rewrites it in this one.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
    W3Segment,
)
from whoosh.formats import Positions
from whoosh.util.numeric import length_to_byte

from cstosearch.errors import IndexOutdated

BLOCK_TAG = "arrays-2"
# Type codes shared by the array module (writing) and numpy (reading): 1, 2, 4 and 8 bytes.
_UNSIGNED = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFFFFFF), ("Q", 0xFFFFFFFFFFFFFFFF))


def pack_unsigned(values) -> tuple[str, bytes]:
    """Non-negative integers as (type code, bytes) in the narrowest type that holds them.

    Most posting lists are a few postings long, so this stays in plain Python and the array
    module, which cost far less than numpy for a handful of numbers.
    """
    top = max(values, default=0)
    for code, limit in _UNSIGNED:
        if top <= limit:
            return code, array(code, values).tobytes()
    raise ValueError("integer too large for a posting block")


def pack_unsigned_array(values: np.ndarray) -> tuple[str, bytes]:
    """``pack_unsigned`` for a numpy array of non-negative integers: the same type code and bytes."""
    top = int(values.max()) if len(values) else 0
    for code, limit in _UNSIGNED:
        if top <= limit:
            return code, values.astype(code, copy=False).tobytes()
    raise ValueError("integer too large for a posting block")


def unpack_unsigned(packed: tuple[str, bytes]) -> np.ndarray:
    code, data = packed
    return np.frombuffer(data, dtype=np.dtype(code)).astype(np.int64)


def _gaps(ids) -> list[int]:
    return [ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))]


def _joined_gap_lists(values: list[bytes]) -> list[list[int]]:
    """The gap lists of values in Whoosh's ``Positions`` format, read in one C call.

    Each value is a 4-byte count and a protocol-2 pickle of the gaps (its final STOP sometimes
    cut off); the pickles are joined into one pickled list of lists.
    """
    bodies = b"".join(value[6:-1] if value.endswith(b".") else value[6:] for value in values)
    return pickle.loads(b"\x80\x02](" + bodies + b"e.")


def position_gaps(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(positions per posting, gaps between positions) from values in Whoosh's ``Positions`` format."""
    gaps = _joined_gap_lists(values)
    counts = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    flat = np.fromiter(chain.from_iterable(gaps), dtype=np.int64, count=int(counts.sum()))
    return counts, flat


def positions_from_gaps(counts: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Absolute positions, the gaps summed within each posting."""
    running = np.cumsum(gaps)
    firsts = np.cumsum(counts) - counts
    return running - np.repeat(running[firsts] - gaps[firsts], counts)


class ArrayPostingsWriter(W3PostingsWriter):
    """Whoosh 3's postings writer with each block's contents written as arrays."""

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        data = (BLOCK_TAG, pack_unsigned(_gaps(ids)), self._packed_weights(), *self._packed_values())
        databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        # The block as a whole is not compressed (its positions are, on their own), so reading
        # document numbers never inflates positions.
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, 0,
                                  length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def _packed_weights(self):
        """None when every weight is 1, one number when all are equal, whole numbers packed as
        integers, anything else as float32 bytes."""
        weights = self._weights  # array("f")
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        listed = weights.tolist()
        whole = [int(w) for w in listed]
        if whole == listed and min(whole) >= 0:
            return pack_unsigned(whole)
        return weights.tobytes()

    def _packed_values(self):
        """(Whoosh's own form of the values, or None; positions packed and compressed, or None)."""
        if type(self._format) is Positions and len(self._values) == len(self._ids):
            gaps = _joined_gap_lists(self._values)
            count_code, counts = pack_unsigned([len(g) for g in gaps])
            gap_code, flat = pack_unsigned(list(chain.from_iterable(gaps)))
            return None, (count_code, gap_code, len(counts), zlib.compress(counts + flat, self._compression or 1))
        return self._mini_values(), None


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh 3's leaf matcher over blocks written by ``ArrayPostingsWriter``."""

    def _goto(self, position):
        self._id_array = self._weight_array = self._positions = None
        super()._goto(position)

    def _read_data(self):
        super()._read_data()
        if self._data[0] != BLOCK_TAG:
            raise IndexOutdated("the index's postings were written by another version of cstosearch; "
                                "rebuild it with `cstosearch index`")

    def id_array(self) -> np.ndarray:
        """The current block's document numbers (int64)."""
        if self._id_array is None:
            if self._data is None:
                self._read_data()
            self._id_array = np.cumsum(unpack_unsigned(self._data[1]))
        return self._id_array

    def weight_array(self) -> np.ndarray:
        """The current block's weights (float64)."""
        if self._weight_array is None:
            if self._data is None:
                self._read_data()
            weights = self._data[2]
            if weights is None or isinstance(weights, float):
                self._weight_array = np.full(self._blocklength, 1.0 if weights is None else weights)
            elif isinstance(weights, tuple):
                self._weight_array = unpack_unsigned(weights).astype(np.float64)
            else:
                self._weight_array = np.frombuffer(weights, dtype=np.float32).astype(np.float64)
        return self._weight_array

    def position_arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions per posting, absolute positions) of the current block; None for a format
        without positions stored as arrays."""
        if self._positions is None:
            if self._data is None:
                self._read_data()
            packed = self._data[4]
            if packed is None:
                return None
            count_code, gap_code, split, compressed = packed
            raw = zlib.decompress(compressed)
            counts = unpack_unsigned((count_code, raw[:split]))
            self._positions = (counts, positions_from_gaps(counts, unpack_unsigned((gap_code, raw[split:]))))
        return self._positions

    def _read_ids(self):
        self._ids = self.id_array().tolist()

    def _read_weights(self):
        self._weights = self.weight_array().tolist()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        arrays = self.position_arrays()
        if arrays is None:
            own = self._data[3]
            fixedsize = self._fixedsize
            if fixedsize is None or fixedsize < 0:
                self._values = own
            elif fixedsize == 0:
                self._values = (None,) * self._blocklength
            else:
                self._values = tuple(own[i:i + fixedsize] for i in range(0, len(own), fixedsize))
            return
        counts, positions = arrays
        ends = np.cumsum(counts).tolist()
        flat = positions.tolist()
        encode = self.format.encode
        self._values = tuple(encode(flat[end - count:end]) for count, end in zip(counts.tolist(), ends, strict=True))


class ArraySegment(W3Segment):
    """A segment written with ``ArrayCodec`` (the class is recorded in the index's table of contents)."""


class ArrayCodec(W3Codec):
    """Whoosh 3's codec with posting blocks stored as arrays (see the module's description).

    Blocks hold up to 1,024 postings (Whoosh's own hold 128): a block costs a fixed amount to
    find and unpack, and a common word's postings are read whole far more often than skipped
    through. On 10,000 articles, phrase searches took about a fifth less time.
    """

    def __init__(self, blocklimit=1024, compression=3, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors keep Whoosh's own blocks
            return super().postings_writer(dbfile, byteids=True)
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=False,
                                   compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def new_segment(self, storage, indexname):
        return ArraySegment(self, indexname)
