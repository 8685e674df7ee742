"""Reader for scrapers' JSONL: one article a line (id, url, title, author, date, outlet, text).

Each line stands alone: a line that is too long, not JSON, too deeply nested or holding an
absurd number is reported with its line number and every other line is still read.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.normalize import normalize_date, normalize_url, outlet_from_url, split_authors

# One record: an article of the largest accepted size, even with every character escaped, fits.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


def bounded_lines(stream: BinaryIO, limit: int = MAX_RECORD_BYTES) -> Iterator[bytes | None]:
    """The stream's lines; a line longer than ``limit`` comes back as None, read past in chunks."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # the rest of an over-long line, without holding it
                rest = stream.readline(_SKIP_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def read_jsonl_stream(stream: BinaryIO, source_path: str) -> Iterator[Article | UnreadableSource]:
    """Articles from a binary stream of JSON lines, decoded as UTF-8 line by line."""
    for number, line in enumerate(bounded_lines(stream), start=1):
        where = f"{source_path}:{number}"
        if line is None:
            yield UnreadableSource(where, f"record longer than {MAX_RECORD_BYTES // (1024 * 1024)} MB: refused")
            continue
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        yield from read_jsonl_lines([line.decode("utf-8", errors="replace")], source_path, first_number=number)


def read_jsonl_lines(lines: Iterable[str], source_path: str, first_number: int = 1
                     ) -> Iterator[Article | UnreadableSource]:
    """Yield an Article per good line and an UnreadableSource per bad one; never stop early."""
    for number, line in enumerate(lines, start=first_number):
        line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        where = f"{source_path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield UnreadableSource(where, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield UnreadableSource(where, "JSON nested too deeply")
            continue
        except ValueError as exc:  # e.g. an integer of thousands of digits
            yield UnreadableSource(where, f"invalid JSON: {exc}")
            continue
        if not isinstance(record, dict):
            yield UnreadableSource(where, "a line must hold a JSON object")
            continue
        try:
            yield article_from_record(record, where)
        except UnreadableSource as exc:
            yield exc


def _text(record: dict, *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def article_from_record(record: dict, source_path: str) -> Article:
    body = record.get("text") or record.get("body") or record.get("content") or ""
    if not isinstance(body, str) or not body.strip():
        raise UnreadableSource(source_path, "no article text")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
    url = normalize_url(_text(record, "url", "link"))
    author = record.get("author") or record.get("authors") or ""
    if isinstance(author, list):
        authors = [a for a in author if isinstance(a, str)]
    else:
        authors = split_authors(author) if isinstance(author, str) else []
    outlet = _text(record, "outlet", "site_name", "source") or (outlet_from_url(url) if url else "")
    return Article(
        paragraphs=paragraphs,
        url=url,
        title=_text(record, "title", "headline"),
        subtitle=_text(record, "subtitle", "description"),
        authors=authors,
        published_at=normalize_date(_text(record, "date", "published", "published_at")),
        outlet_name=outlet,
        source_path=source_path,
    )
