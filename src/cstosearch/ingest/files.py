"""Reading raw bytes from disk (gzip aware, size capped, links refused) and decoding them to text."""

from __future__ import annotations

import codecs
import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from cstosearch.errors import UnreadableSource

GZIP_MAGIC = b"\x1f\x8b"
WESTERN_CHARSETS = {"cp1252", "latin_1", "iso8859_15"}
MEGABYTE = 1024 * 1024
# A text or HTML scrape, after decompression: real pages stay far below this, and a
# decompression bomb is stopped here instead of filling the memory of the whole run.
MAX_FILE_BYTES = 20 * MEGABYTE
# Beyond a stray NUL or two, NUL bytes mean a binary file (or UTF-16 without a BOM).
MAX_NUL_SHARE = 0.01


def open_source(path: Path) -> BinaryIO:
    """The file opened for reading; a symbolic link or anything but a regular file is refused."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        reason = "symbolic link, not followed" if path.is_symlink() else f"cannot read file: {exc.strerror or exc}"
        raise UnreadableSource(str(path), reason) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnreadableSource(str(path), "not a regular file")
    return os.fdopen(fd, "rb")


@contextmanager
def decompressed(path: Path) -> Iterator[tuple[BinaryIO, bool]]:
    """A stream of the file's bytes, decompressed on the fly when gzip; and whether it was gzip."""
    with open_source(path) as handle:
        magic = handle.read(2)
        handle.seek(0)
        if magic == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                yield stream, True
        else:
            yield handle, False


def read_raw_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, decompressed when gzip, at most ``limit`` of them; raises UnreadableSource."""
    compressed = False
    try:
        with decompressed(path) as (stream, compressed):
            raw = stream.read(limit + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise UnreadableSource(str(path), f"broken gzip data: {exc}") from exc
    except OSError as exc:
        raise UnreadableSource(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    if len(raw) > limit:
        after = " after decompression" if compressed else ""
        raise UnreadableSource(str(path), f"larger than {limit // MEGABYTE} MB{after}: refused")
    if not raw.strip():
        raise UnreadableSource(str(path), "empty file")
    return raw


def looks_binary(raw: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KiB: not a text scrape."""
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) * 0.05


def utf16_text(raw: bytes, path: str) -> str | None:
    """The text of a UTF-16 file that starts with a byte order mark, else None."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    if not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise UnreadableSource(path, f"broken UTF-16 text: {exc.reason}") from exc


def decode_text(raw: bytes, path: str, declared_charset: str | None = None) -> str:
    """Decode bytes as UTF-16 (with BOM), UTF-8, the declared charset, or a sniffed one; raises UnreadableSource."""
    text = utf16_text(raw, path)
    if text is not None:
        return text.replace("\x00", "")
    if looks_binary(raw) or raw.count(b"\x00") > len(raw) * MAX_NUL_SHARE:
        raise UnreadableSource(path, "binary data, not text")
    # A few NUL bytes deep in a text file (a broken scrape) are dropped, not stored.
    raw = raw.replace(b"\x00", b"")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared_charset:
        try:
            return raw.decode(declared_charset)
        except (LookupError, UnicodeDecodeError):
            pass
    matches = list(from_bytes(raw))
    if not matches:
        raise UnreadableSource(path, "undecodable text (no charset fits)")
    best = matches[0]
    # Short texts fit several charsets equally well; prefer Western ones, as browsers do.
    for match in matches:
        if match.encoding in WESTERN_CHARSETS and match.chaos <= best.chaos + 0.01:
            return str(match)
    return str(best)
