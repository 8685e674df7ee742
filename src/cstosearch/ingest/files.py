"""Reading raw bytes from disk (gzip aware) and decoding them to text."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from charset_normalizer import from_bytes

from cstosearch.errors import UnreadableSource

GZIP_MAGIC = b"\x1f\x8b"
WESTERN_CHARSETS = {"cp1252", "latin_1", "iso8859_15"}


def read_raw_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when gzip; raises UnreadableSource."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    if raw.startswith(GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableSource(str(path), f"broken gzip data: {exc}") from exc
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


def decode_text(raw: bytes, path: str, declared_charset: str | None = None) -> str:
    """Decode bytes as UTF-8, the declared charset, or a sniffed one; raises UnreadableSource."""
    if looks_binary(raw):
        raise UnreadableSource(path, "binary data, not text")
    if raw.startswith(b"\xef\xbb\xbf"):
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
