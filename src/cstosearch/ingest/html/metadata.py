"""Page metadata in one record: URL, outlet, title, authors, date, language."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from cstosearch.ingest.html.bylines import extract_authors
from cstosearch.ingest.html.structured import first_meta, json_ld_objects, ld_first, ld_names, meta_values
from cstosearch.ingest.html.titles import extract_title, stated_title
from cstosearch.ingest.html.tree_text import clean_text
from cstosearch.ingest.normalize import normalize_url, outlet_from_url

ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass
class PageMetadata:
    """Metadata gathered from one parsed page; empty when the page does not say."""

    title: str = ""
    headline: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: str = ""
    outlet_name: str = ""
    url: str = ""
    language: str = ""


def iso_date(value: Any) -> str:
    """YYYY-MM-DD from an ISO-like date string, or '' when it holds no valid date."""
    if not isinstance(value, str):
        return ""
    found = ISO_DATE_RE.search(value)
    if not found:
        return ""
    year, month, day = (int(g) for g in found.groups())
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def extract_date(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]], url: str) -> str:
    for value in (
        ld_first(ld, "datePublished"),
        ld_first(ld, "dateCreated"),
        first_meta(
            meta,
            "article:published_time",
            "og:published_time",
            "article:published",
            "datepublished",
            "publishdate",
            "pubdate",
            "publish-date",
            "date",
            "dc.date.issued",
            "dcterms.issued",
            "dc.date",
            "dcterms.date",
            "parsely-pub-date",
            "sailthru.date",
            "article.published",
            "published_time",
        ),
    ):
        found = iso_date(value)
        if found:
            return found
    for node in tree.xpath("//time[@itemprop='datePublished' or @pubdate or contains(@class, 'publish')]"):
        found = iso_date(node.get("datetime") or "")
        if found:
            return found
    try:
        from htmldate import find_date

        found = find_date(copy.deepcopy(tree), url=url or None, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate fails on odd trees; a missing date is not an error
        found = None
    return found or ""


def extract_language(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]]) -> str:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not value:
        body = tree.find("body")
        value = body.get("lang", "") if body is not None else ""
    if not value:
        value = first_meta(meta, "content-language", "og:locale", "dc.language", "language")
    if not value:
        in_language = ld_first(ld, "inLanguage")
        value = in_language if isinstance(in_language, str) else ""
    primary = re.split(r"[-_,;\s]", value.strip().lower())[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary or "") else ""


def extract_metadata(tree: Any, url_hint: str = "") -> tuple[PageMetadata, list[dict[str, Any]]]:
    meta = meta_values(tree)
    ld = json_ld_objects(tree)
    base = url_hint
    canonical = ""
    for link in tree.xpath("//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = link.get("href")
            break
    og_url = first_meta(meta, "og:url")
    url = normalize_url(canonical, base or og_url) or normalize_url(og_url, base) or normalize_url(url_hint)
    publisher = ld_first(ld, "publisher") or ld_first(ld, "publisher", article_only=False)
    outlet = (
        first_meta(meta, "og:site_name", "application-name", "al:android:app_name")
        or next(iter(ld_names(publisher)), "")
        or outlet_from_url(url or url_hint)
    )
    outlet = clean_text(outlet)
    subtitle = ld_first(ld, "alternativeHeadline")
    authors = extract_authors(tree, meta, ld)
    data = PageMetadata(
        title=stated_title(tree, meta, ld),
        headline=extract_title(tree, meta, ld, outlet, url or url_hint, authors),
        subtitle=clean_text(subtitle) if isinstance(subtitle, str) else "",
        authors=authors,
        published_at=extract_date(tree, meta, ld, url or url_hint),
        outlet_name=outlet,
        url=url,
        language=extract_language(tree, meta, ld),
    )
    return data, ld
