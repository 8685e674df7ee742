"""The headline: stated titles (meta, JSON-LD, <title>, <h1>) without the site name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cstosearch.ingest.html.structured import first_meta, ld_first
from cstosearch.ingest.html.tree_text import clean_text, element_text
from cstosearch.ingest.normalize import site_host

TITLE_SPLIT_RE = re.compile(r"(\s+(?:\||-|–|—|·|»|::|/)\s+)")


def _strip_site_from_title(title: str, site_names: Iterable[str], heading: str) -> str:
    """Drop a leading or trailing ' | Site name' segment; keep the title otherwise."""
    pieces = TITLE_SPLIT_RE.split(title)  # text, separator, text, separator, ...
    if len(pieces) < 3:
        return title
    sites = {re.sub(r"\W+", "", s).casefold() for s in site_names if s}
    sites.discard("")

    def is_site(part: str) -> bool:
        key = re.sub(r"\W+", "", part).casefold()
        return bool(key) and any(key == s or key in s or s in key for s in sites)

    while len(pieces) >= 3 and is_site(pieces[-1]):
        pieces = pieces[:-2]
    while len(pieces) >= 3 and is_site(pieces[0]):
        pieces = pieces[2:]
    if len(pieces) >= 3 and heading:
        head_key = clean_text(heading).casefold()
        for end in range(len(pieces) - 2, 0, -2):
            if clean_text("".join(pieces[:end])).casefold() == head_key:
                return clean_text(heading)
    return clean_text("".join(pieces))


def _same_title(a: str, b: str) -> bool:
    a, b = (re.sub(r"\W+", " ", t).strip().casefold() for t in (a, b))
    return bool(a and b) and (a == b or (len(a) > 15 and a in b) or (len(b) > 15 and b in a))


def extract_title(
    tree: Any,
    meta: dict[str, list[str]],
    ld: list[dict[str, Any]],
    outlet: str,
    url: str,
    authors: Iterable[str] = (),
) -> str:
    """The headline: the first stated title another source on the page confirms, else the first."""
    headings = [element_text(h) for h in tree.xpath("//h1")]
    headings = [h for h in headings if 3 <= len(h) <= 300]
    heading = headings[0] if len(headings) == 1 else ""
    site_names = [outlet, site_host(url).split(".")[0] if url else "", *authors]
    ld_headline = ld_first(ld, "headline")
    # One candidate per independent source: meta tags often repeat each other.
    stated = [
        first_meta(
            meta,
            "dc:title",
            "dc.title",
            "dcterms:title",
            "dcterms.title",
            "og:title",
            "twitter:title",
            "parsely-title",
            "sailthru.title",
        ),
        clean_text(ld_headline) if isinstance(ld_headline, str) else "",
        clean_text(tree.findtext(".//title")),
        heading,
    ]
    candidates = [_strip_site_from_title(clean_text(c), site_names, heading) for c in stated]
    candidates = [c for c in candidates if c]
    for i, candidate in enumerate(candidates):
        if any(_same_title(candidate, other) for j, other in enumerate(candidates) if j != i):
            return candidate
    return candidates[0] if candidates else ""
