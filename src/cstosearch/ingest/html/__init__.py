"""Read a saved news web page for the index: the extracted Article, refused when its body is too short.

Extraction itself (`page.extract_article`) returns whatever body the page has; the refusal of a
body under MIN_ARTICLE_WORDS words is the ingester's policy and lives here.
"""

from __future__ import annotations

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.html.body import word_count
from cstosearch.ingest.html.decoding import declared_charset, decode_html, parse_html
from cstosearch.ingest.html.page import extract_article

__all__ = ["MIN_ARTICLE_WORDS", "decode_html", "declared_charset", "extract_article", "parse_html", "read_html"]

# Fewer words than this is a search page, an error page or a stub, not an article worth a hit.
MIN_ARTICLE_WORDS = 5


def read_html(raw: bytes, source_path: str, url_hint: str = "") -> Article:
    """The Article in a saved web page; raises UnreadableSource when the page holds none."""
    article = extract_article(raw, source_path, url_hint)
    if word_count(article.paragraphs) < MIN_ARTICLE_WORDS:
        raise UnreadableSource(source_path, "no article text found")
    return article
