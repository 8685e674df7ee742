"""A bulk-built segment's term table and postings file, written from sorted arrays.

The files are the ones Whoosh's field writer makes with ``ArrayCodec`` (the same term keys and
statistics, the same blocks of at most ``blocklimit`` postings, byte for byte), but each block is
cut from numpy arrays instead of being gathered one posting at a time.
"""

from __future__ import annotations

import pickle
import zlib

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from cstosearch.engines.whoosh.bulk_postings import SortedPostings
from cstosearch.whoosh_codec import BLOCK_TAG, ArrayCodec, pack_unsigned_array

# A length byte as a block header stores it: the byte of the length Whoosh reads back for it.
_LENGTH_BYTE = [length_to_byte(byte_to_length(b)) for b in range(256)]


class TermTableWriter:
    """Writes one segment's term table and postings file, a field at a time in name order."""

    def __init__(self, storage, segment, codec: ArrayCodec) -> None:
        self._terms = OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        self._field_numbers: dict[str, int] = {}
        self._terms.extras["fieldmap"] = self._field_numbers
        self._postings = segment.create_file(storage, W3Codec.POSTS_EXT)
        self._blocklimit = codec._blocklimit
        self._compression = codec._compression or 1

    def add_field(self, name: str, value_format: str, postings: SortedPostings,
                  length_bytes: np.ndarray | None) -> None:
        """Writes a field's posting lists; ``length_bytes`` holds each document's length byte, for
        the fields that keep lengths."""
        if not postings.terms:
            return
        prefix = pack_ushort(self._field_numbers.setdefault(name, len(self._field_numbers)))
        add_term = self._terms.add
        starts = postings.term_starts.tolist()
        for number, term in enumerate(postings.terms):
            info = self._write_posting_list(postings, starts[number], starts[number + 1], value_format, length_bytes)
            add_term(prefix + term, info.to_bytes())

    def _write_posting_list(self, postings: SortedPostings, start: int, end: int, value_format: str,
                            length_bytes: np.ndarray | None) -> W3TermInfo:
        postfile = self._postings
        offset = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        info = W3TermInfo()
        info._df = end - start
        for first in range(start, end, self._blocklimit):
            last = min(first + self._blocklimit, end)
            infobytes, databytes = self._block(postings, first, last, value_format, length_bytes, info)
            size = len(infobytes) + len(databytes)
            postfile.write_int(-size if last == end else size)
            postfile.write(infobytes)
            postfile.write(databytes)
        info._minid = int(postings.docs[start])
        info._maxid = int(postings.docs[end - 1])
        info.set_extent(offset, postfile.tell() - offset)
        return info

    def _block(self, postings: SortedPostings, first: int, last: int, value_format: str,
               length_bytes: np.ndarray | None, info: W3TermInfo) -> tuple[bytes, bytes]:
        """(block header, block data) for postings ``first:last``; the term's statistics updated."""
        ids = postings.docs[first:last]
        freqs = postings.freqs[first:last]
        gaps = ids.copy()
        gaps[1:] -= ids[:-1]
        top = int(freqs.max())
        if top == 1:
            weights = None
        elif int(freqs.min()) == top:
            weights = float(top)
        else:
            weights = pack_unsigned_array(freqs)
        if value_format == "positions":
            token_starts = postings.token_starts
            count_code, counts = pack_unsigned_array(freqs)
            gap_code, flat = pack_unsigned_array(postings.position_gaps[token_starts[first]:token_starts[last]])
            values = (None, (count_code, gap_code, len(counts), zlib.compress(counts + flat, self._compression)))
        elif value_format == "frequency":
            values = (freqs.astype(">u4").tobytes(), None)
        else:
            values = (None, None)
        databytes = pickle.dumps((BLOCK_TAG, pack_unsigned_array(gaps), weights, *values), pickle.HIGHEST_PROTOCOL)
        if length_bytes is not None:
            lengths = length_bytes[ids]
            low, high = int(lengths.min()), int(lengths.max())
            min_byte, max_byte = _LENGTH_BYTE[low], _LENGTH_BYTE[high]
            min_length, max_length = byte_to_length(low), byte_to_length(high)
            info._minlength = min_length if info._minlength is None else min(info._minlength, min_length)
            info._maxlength = max(info._maxlength, max_length)
        else:
            min_byte = max_byte = 0
        info._weight += float(freqs.sum())
        info._maxweight = max(info._maxweight, float(top))
        infobytes = pickle.dumps((last - first, int(ids[-1]), float(top), 0, min_byte, max_byte), 2)
        return infobytes, databytes

    def close(self) -> None:
        self._terms.close()
        self._postings.close()
