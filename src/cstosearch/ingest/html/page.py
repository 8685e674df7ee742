"""Extract an Article from a saved news web page: body paragraphs, metadata and photo captions.

The page is read in small steps: decode the bytes, parse once, read metadata (JSON-LD, meta
tags, byline markup), take photo captions and hover cards out of the tree, then find the body
text with trafilatura and readability-lxml on what is left. Whatever body the page has is
returned, however short: whether it is worth indexing is the ingester's call.
"""

from __future__ import annotations

from cstosearch.article import Article
from cstosearch.ingest.html.body import clean_paragraphs, extract_body
from cstosearch.ingest.html.captions import caption_elements, extract_captions
from cstosearch.ingest.html.decoding import decode_html, parse_html
from cstosearch.ingest.html.hover_cards import remove_hover_cards
from cstosearch.ingest.html.metadata import extract_metadata
from cstosearch.ingest.html.tree_text import clean_text, remove_keep_tail
from cstosearch.ingest.normalize import normalize_url

# The headline is stated within the first lines or not at all; what stands above it is the
# page's header (a section label, a kicker, a teaser of another story).
HEADER_MAX_LINES = 3
# Below the first line, a headline of a word or two may as well be a subheading.
HEADLINE_MIN_WORDS = 3


def without_page_header(paragraphs: list[str], titles: tuple[str, ...]) -> list[str]:
    """The paragraphs after the headline when one of the first lines repeats it, else all of them."""
    stated = {title for title in titles if title}
    for position, line in enumerate(paragraphs[:HEADER_MAX_LINES]):
        if clean_text(line) in stated and (position == 0 or len(line.split()) >= HEADLINE_MIN_WORDS):
            return paragraphs[position + 1 :]
    return paragraphs


def extract_article(raw: bytes, source_path: str, url_hint: str = "") -> Article:
    """The Article in a saved web page, its paragraphs possibly few or none.

    Raises UnreadableSource only when the bytes are no HTML page at all (binary, empty, unparsable).
    """
    text = decode_html(raw, source_path)
    tree = parse_html(text, source_path)
    metadata, ld = extract_metadata(tree, url_hint)
    captions_found = caption_elements(tree)
    captions = extract_captions(captions_found, ld)
    for element in captions_found:
        remove_keep_tail(element)
    remove_hover_cards(tree)
    lines = extract_body(tree, metadata.url or normalize_url(url_hint), metadata.authors)
    paragraphs = without_page_header(clean_paragraphs(lines, captions), (metadata.title, metadata.headline))
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
