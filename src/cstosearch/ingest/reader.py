"""Walk raw scrape paths and dispatch each file to the reader for its shape."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.files import decode_text, looks_binary, read_raw_bytes
from cstosearch.ingest.jsonl import read_jsonl_lines
from cstosearch.ingest.text import read_text

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SKIPPED_NAMES = re.compile(r"^(\.|~)|\.(lock|tmp|part|json)$")


def raw_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every file under the given paths, in a stable order, hidden and partial files left out."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts) \
                        and not SKIPPED_NAMES.search(child.name):
                    yield child
        else:
            yield path


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


def read_file(path: Path) -> Iterator[Article | UnreadableSource]:
    """Articles from one raw file; problems come back as UnreadableSource values, not raised."""
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
            yield read_text(decode_text(raw, str(path)), str(path))
    except UnreadableSource as exc:
        yield exc
    except (ValueError, LookupError, RecursionError) as exc:
        yield UnreadableSource(str(path), f"unreadable: {exc}")


def _read_jsonl(path: Path) -> Iterator[Article | UnreadableSource]:
    try:
        if path.suffix.lower() == ".gz":
            handle = io.TextIOWrapper(gzip.open(path), encoding="utf-8", errors="replace", newline="\n")
        else:
            with path.open("rb") as probe:
                if looks_binary(probe.read(8192)):
                    raise UnreadableSource(str(path), "binary data, not JSON lines")
            handle = path.open(encoding="utf-8", errors="replace", newline="\n")
    except OSError as exc:
        raise UnreadableSource(str(path), f"cannot read file: {exc}") from exc
    outcomes = 0
    with handle:
        try:
            for outcome in read_jsonl_lines(handle, str(path)):
                outcomes += 1
                yield outcome
        except (OSError, EOFError) as exc:
            outcomes += 1
            yield UnreadableSource(str(path), f"broken compressed data: {exc}")
    if not outcomes:
        yield UnreadableSource(str(path), "no articles: the file holds only blank lines")


def read_paths(paths: Iterable[Path]) -> Iterator[Article | UnreadableSource]:
    for path in raw_files(paths):
        yield from read_file(path)
