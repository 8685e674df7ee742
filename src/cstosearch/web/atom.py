"""A followed search's feed as an Atom 1.0 document (RFC 4287), written with xml.etree so text is escaped."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from xml.etree import ElementTree as ET

from cstosearch.feeds import Feed, FeedEntry

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
OUTLET_SCHEME = "urn:cstosearch:outlet"
# Characters XML 1.0 cannot hold at all, even escaped; scraped text sometimes carries them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _atom_date(value: str) -> str:
    """RFC 3339 as Atom wants it; a bare published date is taken as midnight UTC."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value + "T00:00:00Z"
    return value


def _add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attributes.items()})
    if text:
        element.text = _text(text)
    return element


def atom_feed(feed: Feed, self_url: str, search_url: str, article_url: Callable[[str], str]) -> bytes:
    """The feed as UTF-8 XML; ``article_url`` gives the absolute URL of an article's page here."""
    root = ET.Element("feed", {"xmlns": ATOM_NAMESPACE})
    _add(root, "id", f"urn:cstosearch:follow:{feed.search.id}")
    _add(root, "title", f"cstosearch: {feed.search.label}")
    _add(root, "subtitle", "Articles matching this search, as each nightly re-index added or changed them.")
    _add(root, "updated", _atom_date(feed.updated))
    _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(root, "link", rel="alternate", type="text/html", href=search_url)
    author = _add(root, "author")
    _add(author, "name", "cstosearch")
    _add(root, "generator", "cstosearch")
    for entry in feed.entries:
        _entry(root, entry, article_url(entry.hit.id))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(root: ET.Element, entry: FeedEntry, page_url: str) -> None:
    hit = entry.hit
    element = _add(root, "entry")
    # One entry per article and run: an article changed again later is a new entry.
    _add(element, "id", f"urn:cstosearch:article:{hit.id}:run:{entry.run}")
    _add(element, "title", hit.title or "(untitled)", type="text")
    _add(element, "updated", _atom_date(entry.run_finished_at))
    if hit.published:
        _add(element, "published", _atom_date(hit.published))
    source_link = hit.url if hit.url.lower().startswith(("http://", "https://")) else page_url
    _add(element, "link", rel="alternate", type="text/html", href=source_link)
    _add(element, "link", rel="related", type="text/html", href=page_url, title="The cleaned article on cstosearch")
    author = _add(element, "author")
    _add(author, "name", hit.author or hit.outlet or "unknown")
    if hit.outlet:
        _add(element, "category", term=hit.outlet, label=hit.outlet, scheme=OUTLET_SCHEME)
    # The snippet is already HTML (escaped text, matches in <mark>); etree escapes it once more
    # for the type="html" content, as Atom requires.
    outlet_line = " · ".join(escape(part) for part in (hit.outlet, hit.published or "", hit.author) if part)
    html = (f"<p>{outlet_line}</p><p>{hit.snippet}</p>"
            f'<p><a href="{escape(page_url)}">Read the cleaned article</a></p>')
    _add(element, "content", html, type="html")
