"""Titles: the one the page states (JSON-LD, meta, <title>) and the headline without the site name."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from cstosearch.ingest.html.structured import ARTICLE_TYPES, first_meta, json_ld_types, ld_first
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


STATED_TITLE_KEYS = (
    "dc:title",
    "dc.title",
    "dcterm:title",
    "dcterms:title",
    "dcterms.title",
    "og:title",
    "weibo:article:title",
    "weibo:webpage:title",
    "title",
    "twitter:title",
    "parsely-title",
)
DOCUMENT_TITLE_SEPARATOR_RE = re.compile(r" [|\-–—\\/>»] ")
HIERARCHY_SEPARATOR_RE = re.compile(r" [\\/>»] ")
MIN_TITLE_WORDS = 3
SHORT_TITLE_WORDS = 4
SIMILAR_TITLE_SHARE = 0.75


def _words(text: str) -> int:
    return len(text.split())


def _title_key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _repeated_by(title: str, document_title: str) -> bool:
    """True when most of the title's words are in the document's <title>."""
    words = _title_key(title).split()
    page = set(_title_key(document_title).split())
    return bool(words) and sum(w in page for w in words) >= SIMILAR_TITLE_SHARE * len(words)


def _ld_title(ld: list[dict[str, Any]], document_title: str) -> str:
    """The article's JSON-LD name or headline; when they differ, the one the <title> repeats."""
    for node in ld:
        name, headline = node.get("name"), node.get("headline")
        name = clean_text(name) if isinstance(name, str) else ""
        headline = clean_text(headline) if isinstance(headline, str) else ""
        if not (name or headline) or not (json_ld_types(node) & ARTICLE_TYPES) or "webpage" in json_ld_types(node):
            continue
        if name and headline and name != headline:
            # "headline" is the article's own property; some sites put their name in "name".
            if _repeated_by(name, document_title) and not _repeated_by(headline, document_title):
                return name
            return headline
        return name or headline
    return ""


def _from_document_title(tree: Any) -> str:
    """The <title> with a site name cut off when a separator sets one apart."""
    original = clean_text(tree.findtext(".//title"))
    title = original
    hierarchical = bool(HIERARCHY_SEPARATOR_RE.search(original))
    if DOCUMENT_TITLE_SEPARATOR_RE.search(original):
        title = original[: max(m.start() for m in DOCUMENT_TITLE_SEPARATOR_RE.finditer(original))]
        if _words(title) < MIN_TITLE_WORDS:
            title = original[DOCUMENT_TITLE_SEPARATOR_RE.search(original).end() :]
    elif ": " in original:
        headings = {element_text(h) for h in tree.xpath("//h1 | //h2")}
        if original not in headings:
            title = original[original.rindex(":") + 1 :].strip()
            if _words(title) < MIN_TITLE_WORDS:
                title = original[original.index(":") + 1 :].strip()
            elif _words(original[: original.index(":")]) > 5:
                title = original
    elif not 15 <= len(original) <= 150:
        headings = tree.xpath("//h1")
        if len(headings) == 1:
            title = element_text(headings[0])
    title = clean_text(title)
    # A title cut down to a few words lost more than a site name: keep the whole.
    if _words(title) <= SHORT_TITLE_WORDS and (
        not hierarchical or _words(title) != _words(DOCUMENT_TITLE_SEPARATOR_RE.sub(" ", original)) - 1
    ):
        title = original
    return title


def stated_title(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]]) -> str:
    """The title as the page states it for sharing: JSON-LD, then meta tags, then <title>.

    Kept whole, site name included when the page includes it: it is what the page calls itself.
    """
    document_title = clean_text(tree.findtext(".//title"))
    return (
        _ld_title(ld, document_title)
        or clean_text(html.unescape(first_meta(meta, *STATED_TITLE_KEYS)))
        or _from_document_title(tree)
    )
