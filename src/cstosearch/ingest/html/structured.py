"""Structured data a page states about itself: JSON-LD objects and <meta> tags."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from cstosearch.ingest.html.tree_text import clean_text

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenews",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "socialmediaposting",
        "webpage",
        "medicalwebpage",
        "posting",
    }
)


def walk_json(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from walk_json(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from walk_json(item)


def json_ld_types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type") or []
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def json_ld_objects(tree: Any) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page (article-like ones first)."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", raw)
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        found.extend(walk_json(data))
    articles = [n for n in found if json_ld_types(n) & ARTICLE_TYPES and "webpage" not in json_ld_types(n)]
    pages = [n for n in found if "webpage" in json_ld_types(n)]
    others = [n for n in found if n not in articles and n not in pages]
    return articles + pages + others


def ld_first(objects: list[dict[str, Any]], key: str, article_only: bool = True) -> Any:
    for node in objects:
        if article_only and not (json_ld_types(node) & ARTICLE_TYPES):
            continue
        value = node.get(key)
        if value:
            return value
    return None


def ld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name") or ""
        if isinstance(name, list):
            return [str(n) for n in name]
        return [str(name)] if name else []
    if isinstance(value, list):
        names: list[str] = []
        for item in value:
            names.extend(ld_names(item))
        return names
    return []


def meta_values(tree: Any) -> dict[str, list[str]]:
    """Content of <meta> tags by lower-cased name/property/itemprop."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        content = clean_text(content)
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                for part in key.lower().split():
                    values.setdefault(part, []).append(content)
    return values


def first_meta(meta: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in meta.get(key, []):
            if value:
                return value
    return ""
