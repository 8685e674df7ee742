"""The OpenSearch index: settings with the article analyzer, field mappings, and article documents.

The analyzer reproduces ``cstosearch.analysis`` term for term: the same word pattern, acronym
dots dropped (``U.N.`` -> ``un``), lower-case, accent folding, Snowball English (Porter2)
stemming, and no stop-word removal, so positions match and phrases need adjacent words.
"""

from __future__ import annotations

from cstosearch.analysis import WORD
from cstosearch.article import Article
from cstosearch.engines.whoosh.ranking import DEFAULT_RANKING

ANALYZER = "news_text"
# The tokenizer's word pattern in Java's dialect: (?U) makes \w Unicode-aware as in Python.
WORD_PATTERN = "(?U)" + WORD.pattern.replace("?P<acronym>", "")
# Inside a token that is an acronym (single letters joined by dots), every dot.
ACRONYM_DOT = r"(?U)(?<=^(?:[^\W\d_]\.){0,40}[^\W\d_])\.(?=(?:[^\W\d_](?:\.[^\W\d_])*\.?)?$)"
# The searchable fields and their weights: the ones the Whoosh engine ranks with.
FIELD_BOOSTS = DEFAULT_RANKING.field_weights()
TEXT_FIELDS = tuple(FIELD_BOOSTS)


def index_settings(shards: int = 3, replicas: int = 1) -> dict:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # Deep pages are refused by the request bounds before they reach the cluster.
        "max_result_window": 10_000,
        # Term saturation and length normalisation as the Whoosh engine ranks.
        "similarity": {"default": {"type": "BM25", "k1": DEFAULT_RANKING.k1, "b": DEFAULT_RANKING.b}},
        "analysis": {
            "tokenizer": {"news_words": {"type": "pattern", "pattern": WORD_PATTERN, "group": 0}},
            "filter": {
                "acronym_dots": {"type": "pattern_replace", "all": True, "pattern": ACRONYM_DOT, "replacement": ""},
                "english_porter2": {"type": "snowball", "language": "English"},
            },
            "analyzer": {
                ANALYZER: {"type": "custom", "tokenizer": "news_words",
                           "filter": ["lowercase", "acronym_dots", "asciifolding", "english_porter2"]},
                # Prefix queries match word forms, not stems: a folded, unstemmed twin of each field.
                "news_words_folded": {"type": "custom", "tokenizer": "news_words",
                                      "filter": ["lowercase", "acronym_dots", "asciifolding"]},
            },
        },
    }


def _text_field() -> dict:
    return {"type": "text", "analyzer": ANALYZER,
            "fields": {"words": {"type": "text", "analyzer": "news_words_folded", "index_options": "docs"}},
            # Offsets let the unified highlighter mark words without re-analysing whole articles.
            "index_options": "offsets"}


def index_mappings() -> dict:
    properties = {name: _text_field() for name in TEXT_FIELDS}
    properties.update({
        "id": {"type": "keyword"},
        "url": {"type": "keyword", "index": False},
        "outlet_facet": {"type": "keyword"},
        "authors": {"type": "keyword"},
        "year": {"type": "keyword"},
        "month": {"type": "keyword"},
        "published": {"type": "date", "format": "strict_date"},
        "content_hash": {"type": "keyword"},
        "group_id": {"type": "keyword"},
        "source_path": {"type": "keyword", "index": False},
        # The whole cleaned article, returned as it was given; never searched.
        "article": {"type": "object", "enabled": False},
    })
    return {"dynamic": "strict", "properties": properties}


def index_body(shards: int = 3, replicas: int = 1) -> dict:
    return {"settings": {"index": index_settings(shards, replicas)}, "mappings": index_mappings()}


def article_document(article: Article, group_id: str = "", source_key: str = "") -> dict:
    """The OpenSearch document for an article; facet fields hold exact values, empty ones are absent.

    ``source_key`` names the file the article was read from (kept for removal, never shown).
    """
    published = article.published_at or None
    record = article.public_record()
    return {
        "id": article.article_id,
        "url": article.url,
        "title": article.title,
        "body": article.indexed_text,
        # One value per caption, so each is highlighted on its own, its credit after it.
        "captions": [f"{c.text} {c.credit}".strip() for c in article.captions],
        "author": ", ".join(article.authors),
        "outlet": article.outlet_name,
        "outlet_facet": article.outlet_name or None,
        "authors": [a.replace(",", " ") for a in article.authors],
        "year": published[:4] if published else None,
        "month": published[:7] if published else None,
        "published": published,
        "content_hash": article.content_hash,
        "group_id": group_id or article.article_id,
        "source_path": source_key,
        "article": record,
    }
