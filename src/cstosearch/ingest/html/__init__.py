"""Turn a saved news web page into an Article: body paragraphs, metadata and photo captions.

The page is read in small steps: decode the bytes, parse once, read metadata (JSON-LD, meta
tags, byline markup), take photo captions and hover cards out of the tree, then find the body
text with trafilatura and readability-lxml on what is left.
"""

from __future__ import annotations

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.html.body import MIN_BODY_WORDS, clean_paragraphs, extract_body, word_count
from cstosearch.ingest.html.captions import caption_elements, extract_captions
from cstosearch.ingest.html.decoding import declared_charset, decode_html, parse_html
from cstosearch.ingest.html.hover_cards import remove_hover_cards
from cstosearch.ingest.html.metadata import extract_metadata
from cstosearch.ingest.html.tree_text import clean_text, remove_keep_tail
from cstosearch.ingest.normalize import normalize_url

__all__ = ["decode_html", "declared_charset", "parse_html", "read_html"]


def read_html(raw: bytes, source_path: str, url_hint: str = "") -> Article:
    """The Article in a saved web page; raises UnreadableSource when the page holds none."""
    text = decode_html(raw, source_path)
    tree = parse_html(text, source_path)
    metadata, ld = extract_metadata(tree, url_hint)
    captions_found = caption_elements(tree)
    captions = extract_captions(captions_found, ld)
    for element in captions_found:
        remove_keep_tail(element)
    remove_hover_cards(tree)
    lines = extract_body(tree, metadata.url or normalize_url(url_hint), metadata.authors)
    paragraphs = clean_paragraphs(lines, captions)
    if paragraphs and clean_text(paragraphs[0]) in (metadata.title, metadata.headline):
        paragraphs = paragraphs[1:]
    if word_count(paragraphs) < MIN_BODY_WORDS:
        raise UnreadableSource(source_path, "no article text found")
    return Article(
        paragraphs=paragraphs,
        url=metadata.url,
        title=metadata.title,
        subtitle=metadata.subtitle,
        authors=metadata.authors,
        published_at=metadata.published_at,
        outlet_name=metadata.outlet_name,
        captions=captions,
        source_path=source_path,
        language=metadata.language,
    )
