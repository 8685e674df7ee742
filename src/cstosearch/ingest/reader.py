"""Dispatch each raw file to the reader for its shape, and vet what the readers produce."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from cstosearch.article import Article
from cstosearch.errors import SourceWarning, UnreadableSource
from cstosearch.ingest.files import MAX_FILE_BYTES, decode_text, decompressed, looks_binary, read_raw_bytes
from cstosearch.ingest.jsonl import read_jsonl_stream
from cstosearch.ingest.sanitize import MAX_ARTICLE_CHARS, vet_article
from cstosearch.ingest.sources import SKIPPED_NAMES, raw_files, walk_sources
from cstosearch.ingest.text import read_text

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}

Outcome = Article | UnreadableSource | SourceWarning

__all__ = ["MAX_FILE_BYTES", "SKIPPED_NAMES", "Outcome", "raw_files", "read_file", "read_paths", "shape_of"]


def shape_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in JSONL_SUFFIXES:
        return "jsonl"
    if last in HTML_SUFFIXES:
        return "html"
    return "text"


def read_file(path: Path) -> Iterator[Outcome]:
    """Articles from one raw file, vetted; problems come back as UnreadableSource values, not raised."""
    for outcome in _read_unvetted(path):
        if isinstance(outcome, Article):
            yield from vet_article(outcome)
        else:
            yield outcome


def _read_unvetted(path: Path) -> Iterator[Article | UnreadableSource]:
    shape = shape_of(path)
    try:
        if shape == "jsonl":
            yield from _read_jsonl(path)
            return
        raw = read_raw_bytes(path)
        if shape == "text" and raw.lstrip()[:1] == b"<" and b"<html" in raw[:2048].lower():
            shape = "html"
        if shape == "html":
            from cstosearch.ingest.html import read_html

            yield read_html(raw, str(path))
        else:
            text = decode_text(raw, str(path))
            # A text dump is the article plus a little furniture: past the article limit it cannot fit.
            if len(text) > MAX_ARTICLE_CHARS:
                raise UnreadableSource(str(path), f"text is {len(text):,} characters, over the article limit "
                                                  f"of {MAX_ARTICLE_CHARS:,}")
            yield read_text(text, str(path))
    except UnreadableSource as exc:
        yield exc
    except (ValueError, LookupError, RecursionError) as exc:
        yield UnreadableSource(str(path), f"unreadable: {exc}")


def _read_jsonl(path: Path) -> Iterator[Article | UnreadableSource]:
    outcomes = 0
    try:
        with decompressed(path) as (stream, compressed):
            if not compressed:
                head = stream.peek(8192)[:8192] if hasattr(stream, "peek") else b""
                if looks_binary(head):
                    raise UnreadableSource(str(path), "binary data, not JSON lines")
            for outcome in read_jsonl_stream(stream, str(path)):
                outcomes += 1
                yield outcome
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        outcomes += 1
        yield UnreadableSource(str(path), f"broken compressed data: {exc}")
    except OSError as exc:
        outcomes += 1
        yield UnreadableSource(str(path), f"cannot read file: {exc.strerror or exc}")
    if not outcomes:
        yield UnreadableSource(str(path), "no articles: the file holds only blank lines")


def read_paths(paths: Iterable[Path]) -> Iterator[Outcome]:
    """Everything under the given paths: articles, warnings, and a refusal per file that cannot be read."""
    for item in walk_sources(paths):
        if isinstance(item, UnreadableSource):
            yield item
        else:
            yield from read_file(item)
