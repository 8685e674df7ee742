"""A bulk-built segment's term table and postings file, written from sorted arrays.

The files are the ones Whoosh's field writer makes with ``ArrayCodec`` (the same term keys and
statistics, the same blocks of at most ``blocklimit`` postings, byte for byte), but each block is
cut from numpy arrays instead of being gathered one posting at a time. Most terms have a few
postings, for which a numpy call costs more than the work: their blocks are cut from Python lists.
"""

from __future__ import annotations

import pickle
import zlib

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from cstosearch.engines.whoosh.bulk_postings import SortedPostings
from cstosearch.whoosh_codec import BLOCK_TAG, ArrayCodec, pack_unsigned, pack_unsigned_array

# A length byte as a block header stores it: the byte of the length Whoosh reads back for it.
_LENGTH_BYTE = [length_to_byte(byte_to_length(b)) for b in range(256)]
# Blocks of up to this many postings are cut from lists, larger ones with numpy.
_SMALL_BLOCK = 48


class TermTableWriter:
    """Writes one segment's term table and postings file, a field at a time in name order."""

    def __init__(self, storage, segment, codec: ArrayCodec) -> None:
        self._terms = OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        self._field_numbers: dict[str, int] = {}
        self._terms.extras["fieldmap"] = self._field_numbers
        self._postings = segment.create_file(storage, W3Codec.POSTS_EXT)
        self._offset = self._postings.tell()
        self._blocklimit = codec._blocklimit
        self._compression = codec._compression or 1

    def add_field(self, name: str, value_format: str, postings: SortedPostings,
                  length_bytes: bytes | None) -> None:
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
                            length_bytes: bytes | None) -> W3TermInfo:
        info = W3TermInfo()
        info._df = end - start
        pieces = [WHOOSH3_HEADER_MAGIC]
        for first in range(start, end, self._blocklimit):
            last = min(first + self._blocklimit, end)
            if last - first <= _SMALL_BLOCK:
                infobytes, databytes = self._small_block(postings, first, last, value_format, length_bytes, info)
            else:
                infobytes, databytes = self._block(postings, first, last, value_format, length_bytes, info)
            size = len(infobytes) + len(databytes)
            pieces += (pack_int(-size if last == end else size), infobytes, databytes)
        written = b"".join(pieces)
        self._postings.write(written)
        info._minid = int(postings.docs[start])
        info._maxid = int(postings.docs[end - 1])
        info.set_extent(self._offset, len(written))
        self._offset += len(written)
        return info

    def _weights_and_values(self, postings: SortedPostings, first: int, last: int, freqs, top: int, bottom: int,
                            value_format: str, pack, frequency_bytes) -> tuple:
        """A block's weights (none when all are 1, one number when all are equal, else packed) and
        values (positions or frequencies), with ``pack`` for the list or the array the caller holds."""
        if top == 1:
            weights = None
        elif bottom == top:
            weights = float(top)
        else:
            weights = pack(freqs)
        if value_format == "positions":
            token_starts = postings.token_starts
            count_code, counts = pack(freqs)
            position_gaps = postings.position_gaps[token_starts[first]:token_starts[last]]
            gap_code, flat = pack(position_gaps.tolist() if pack is pack_unsigned else position_gaps)
            values = (None, (count_code, gap_code, len(counts), zlib.compress(counts + flat, self._compression)))
        elif value_format == "frequency":
            values = (frequency_bytes(), None)
        else:
            values = (None, None)
        return weights, values

    def _small_block(self, postings: SortedPostings, first: int, last: int, value_format: str,
                     length_bytes: bytes | None, info: W3TermInfo) -> tuple[bytes, bytes]:
        """``_block`` for a few postings, with lists and the array module."""
        ids = postings.docs[first:last].tolist()
        freqs = postings.freqs[first:last].tolist()
        top = max(freqs)
        weights, values = self._weights_and_values(postings, first, last, freqs, top, min(freqs), value_format,
                                                   pack_unsigned, lambda: b"".join(map(pack_uint, freqs)))
        gaps = [ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))]
        databytes = pickle.dumps((BLOCK_TAG, pack_unsigned(gaps), weights, *values), pickle.HIGHEST_PROTOCOL)
        if length_bytes is not None:
            lengths = [length_bytes[i] for i in ids]
            min_byte, max_byte = self._note_lengths(info, min(lengths), max(lengths))
        else:
            min_byte = max_byte = 0
        info._weight += float(sum(freqs))
        info._maxweight = max(info._maxweight, float(top))
        infobytes = pickle.dumps((last - first, ids[-1], float(top), 0, min_byte, max_byte), 2)
        return infobytes, databytes

    def _block(self, postings: SortedPostings, first: int, last: int, value_format: str,
               length_bytes: bytes | None, info: W3TermInfo) -> tuple[bytes, bytes]:
        """(block header, block data) for postings ``first:last``; the term's statistics updated."""
        ids = postings.docs[first:last]
        freqs = postings.freqs[first:last]
        gaps = ids.copy()
        gaps[1:] -= ids[:-1]
        top = int(freqs.max())
        weights, values = self._weights_and_values(postings, first, last, freqs, top, int(freqs.min()), value_format,
                                                   pack_unsigned_array, lambda: freqs.astype(">u4").tobytes())
        databytes = pickle.dumps((BLOCK_TAG, pack_unsigned_array(gaps), weights, *values), pickle.HIGHEST_PROTOCOL)
        if length_bytes is not None:
            lengths = np.frombuffer(length_bytes, dtype=np.uint8)[ids]
            min_byte, max_byte = self._note_lengths(info, int(lengths.min()), int(lengths.max()))
        else:
            min_byte = max_byte = 0
        info._weight += float(freqs.sum())
        info._maxweight = max(info._maxweight, float(top))
        infobytes = pickle.dumps((last - first, int(ids[-1]), float(top), 0, min_byte, max_byte), 2)
        return infobytes, databytes

    @staticmethod
    def _note_lengths(info: W3TermInfo, low: int, high: int) -> tuple[int, int]:
        """A block's shortest and longest document (length bytes) noted in the term's statistics;
        the two bytes its header stores."""
        min_length, max_length = byte_to_length(low), byte_to_length(high)
        info._minlength = min_length if info._minlength is None else min(info._minlength, min_length)
        info._maxlength = max(info._maxlength, max_length)
        return _LENGTH_BYTE[low], _LENGTH_BYTE[high]

    def close(self) -> None:
        self._terms.close()
        self._postings.close()
