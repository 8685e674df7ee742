"""The extractors compared: the project's HTML reader, trafilatura and readability-lxml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cstosearch.evaluation.pages import Page, html_to_text


@dataclass
class Extraction:
    """What one extractor returned for one page (empty fields when it returned nothing)."""

    body: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    site_name: str = ""
    captions: list[str] = field(default_factory=list)
    captions_in_body: bool = False
    error: str = ""


Extractor = Callable[[Page], Extraction]


def project_extractor(page: Page) -> Extraction:
    from cstosearch.ingest.html import extract_article

    # The extractor alone: the ingester's refusal of very short articles is not extraction.
    article = extract_article(page.html, page.page_id, url_hint=page.url)
    return Extraction(
        body="\n".join(article.paragraphs),
        title=article.title,
        authors=list(article.authors),
        date=article.published_at,
        site_name=article.outlet_name,
        captions=[f"{c.text} {c.credit}".strip() for c in article.captions],
    )


def trafilatura_extractor(page: Page) -> Extraction:
    import trafilatura

    document = trafilatura.bare_extraction(page.html, url=page.url or None, favor_precision=True, with_metadata=True)
    if document is None:
        return Extraction()
    date = document.date or ""
    return Extraction(
        body=document.text or "",
        title=document.title or "",
        authors=[a.strip() for a in (document.author or "").split(";") if a.strip()],
        date=date[:10],
        site_name=document.sitename or "",
        captions_in_body=True,
    )


def readability_extractor(page: Page) -> Extraction:
    from readability import Document

    document = Document(page.html, url=page.url or None)
    return Extraction(
        body=html_to_text(document.summary(html_partial=True)),
        title=document.title() or "",
        captions_in_body=True,
    )


EXTRACTORS: dict[str, Extractor] = {
    "cstosearch": project_extractor,
    "trafilatura": trafilatura_extractor,
    "readability": readability_extractor,
}
