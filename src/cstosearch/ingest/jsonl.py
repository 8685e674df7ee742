"""Reader for scrapers' JSONL: one article a line (id, url, title, author, date, outlet, text)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.normalize import normalize_date, normalize_url, outlet_from_url, split_authors


def read_jsonl_lines(lines: Iterator[str], source_path: str) -> Iterator[Article | UnreadableSource]:
    """Yield an Article per good line and an UnreadableSource per bad one; never stop early."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source_path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield UnreadableSource(where, f"invalid JSON: {exc.msg}")
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
    authors = [a for a in author if isinstance(a, str)] if isinstance(author, list) else split_authors(str(author))
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
