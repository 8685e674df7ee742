"""Author names: JSON-LD and meta authors first, then the byline nearest the headline."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cstosearch.ingest.html.structured import ld_first, ld_names
from cstosearch.ingest.html.tree_text import clean_text, element_text

BY_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|posted|reported|words|story|text|photos?)\s+)?"
    r"(?:by:?|par|von|por|di|door|av|af|autor(?:in)?:?|автор:?|author:?)\s+",
    re.IGNORECASE,
)
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,|;|\s&\s|\s\+\s|\b(?:and|und|et|y|i|e|with|avec|mit|con)\b)\s*")
MONTH_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# A date or age glued after the name on the page: "Dan GoodinApr 16", "James Akinaka • 8h".
TRAILING_DATE_RE = re.compile(
    rf"(?:(?<=[a-z])(?={MONTH_NAME}\s*\d)|\s*[•·|,]?\s+)"
    rf"(?:{MONTH_NAME}\s*\d{{1,2}}\b|\d{{1,2}}\s+{MONTH_NAME}|\d{{4}}-\d\d-\d\d|\d+\s*(?:h|hrs?|hours?|m|mins?|d|days?)\b)"
    r".*$"
)
NAME_JUNK_RE = re.compile(
    r"https?://|www\.|@|\d{3,}|\b(?:updated|published|posted|staff|editor|correspondent|"
    r"reporter|contributor|follow|email|twitter|min read|share)\b",
    re.IGNORECASE,
)


def clean_author_names(values: Iterable[str]) -> list[str]:
    """Person names from raw author strings: 'By A and B' -> ['A', 'B']; URLs and junk dropped."""
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = clean_text(value)
        if not value or value.startswith(("http://", "https://", "/")):
            continue
        value = TRAILING_DATE_RE.sub("", BY_PREFIX_RE.sub("", value)).replace("(", ",").replace(")", ",")
        value = re.split(r"\s[|–—•·]\s|\s-\s", value)[0]
        for part in AUTHOR_SPLIT_RE.split(value):
            name = BY_PREFIX_RE.sub("", part).strip(" .,:;-–—|")
            if not name or NAME_JUNK_RE.search(name) or len(name) > 60:
                continue
            if len(name.split()) > 5 or not re.search(r"[^\W\d_]", name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names


BYLINE_XPATH = (
    "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(.//*[@itemprop='name'])]"
    " | //a[@rel='author'] | //*[contains(@class, 'byline') or contains(@class, 'author-name')"
    " or @class='author' or contains(@class, 'article-author') or contains(@class, 'byline__name')]"
)
OFF_ARTICLE_XPATH = (
    "ancestor::footer | ancestor::nav | ancestor::aside[not(ancestor::article or ancestor::main)]"
    " | ancestor::*[contains(@class, 'comment')"
    " or contains(@class, 'related') or contains(@class, 'recommend') or contains(@id, 'comment')"
    " or contains(@class, 'sidebar') or contains(@class, 'promo') or contains(@class, 'teaser')]"
)
IN_ARTICLE_XPATH = "ancestor::article | ancestor::main | ancestor::*[@itemprop='articleBody' or @role='main']"


def _byline_names(tree: Any) -> list[str]:
    """Names in the byline nearest the headline (pages list other stories' bylines too)."""
    nodes = [n for n in tree.xpath(BYLINE_XPATH) if not n.xpath(OFF_ARTICLE_XPATH)]
    nodes = [n for n in nodes if 0 < len(element_text(n)) < 120]
    if not nodes:
        return []
    order = {node: i for i, node in enumerate(tree.iter())}
    headings = tree.xpath("//h1")
    anchor = order.get(headings[0], 0) if len(headings) == 1 else 0
    # A byline inside the article's own container beats one elsewhere on the page.
    chosen = min(nodes, key=lambda n: (not n.xpath(IN_ARTICLE_XPATH), order[n] < anchor, abs(order[n] - anchor)))
    return clean_author_names([element_text(chosen)])


def extract_authors(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]]) -> list[str]:
    ld_author = ld_first(ld, "author") or ld_first(ld, "creator")
    if ld_author:
        names = clean_author_names(ld_names(ld_author))
        if names:
            return names
    for key in (
        "dc:creator",
        "dc.creator",
        "dcterms:creator",
        "dcterms.creator",
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "byl",
    ):
        names = clean_author_names(meta.get(key, []))
        if names:
            return names
    return _byline_names(tree)
