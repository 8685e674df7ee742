"""The Whoosh index: schema, turning Articles into documents, and writing them atomically.

Whoosh commits a new table of contents by renaming it into place, so readers keep
seeing the previous generation until a commit is complete; a killed writer leaves
only unreferenced segment files behind, which the next commit cleans up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from cstosearch.analysis import fold, news_analyzer, split_words
from cstosearch.article import Article
from cstosearch.errors import IndexMissing, IndexOutdated
from cstosearch.whoosh_codec import ArrayCodec
from cstosearch.whoosh_speedups import speed_up_whoosh_writing

speed_up_whoosh_writing()

INDEX_NAME = "articles"
AUTHOR_SEPARATOR = "\x1f"
WHOOSH_DIR = "whoosh"
# The text fields whose word forms the ``words`` field lists: every word of the article's title,
# subtitle, body, captions and credits, authors and outlet.
WORD_LIST_SOURCES = ("title", "body", "captions", "author", "outlet")


def build_schema() -> Schema:
    analyzer = news_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        url=ID(stored=True),
        # Field weights are applied once, at query time (engines/whoosh/ranking.py), never here.
        title=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer),
        captions=TEXT(analyzer=analyzer),
        author=TEXT(analyzer=analyzer),
        outlet=TEXT(analyzer=analyzer),
        # Each distinct word form once (folded, not stemmed): a prefix search expands these.
        words=KEYWORD(lowercase=False, commas=False, scorable=False),
        # Facet fields are column-stored so counting and sorting read one array.
        outlet_facet=ID(sortable=True),
        author_facet=KEYWORD(commas=True, lowercase=False, scorable=False),
        authors=ID(sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),
        published=ID(sortable=True),
        content_hash=ID(stored=True, sortable=True),
        group_id=ID(stored=True, sortable=True),
        source_path=ID(stored=True),
        article=STORED(),
    )


def article_document(article: Article, group_id: str = "", source_key: str = "", with_word_list: bool = True) -> dict:
    """The Whoosh document for an article; the whole record is stored once, as JSON.

    ``source_key`` names the file the article was read from (kept for removal, never shown):
    the server's file paths stay out of the stored record that pages and the API show.
    Without ``with_word_list`` the ``words`` field is left out, for a writer that lists the
    words as it splits the text fields (``engines/whoosh/bulk_postings.py``).
    """
    published = article.published_at
    record = article.public_record()
    document = {
        "id": article.article_id,
        "url": article.url,
        "title": article.title,
        "body": article.indexed_text,
        "captions": "\n".join(f"{c.text} {c.credit}".strip() for c in article.captions),
        "author": ", ".join(article.authors),
        "outlet": article.outlet_name,
        "outlet_facet": article.outlet_name,
        "author_facet": ",".join(a.replace(",", " ") for a in article.authors),
        "authors": AUTHOR_SEPARATOR.join(a.replace(",", " ") for a in article.authors),
        "year": published[:4],
        "month": published[:7],
        "published": published,
        "content_hash": record["content_hash"],  # hashing the body once
        "group_id": group_id or article.article_id,
        "source_path": source_key,
        "article": json.dumps(record, ensure_ascii=False),
    }
    if with_word_list:
        document["words"] = word_list(document)
    return document


def word_list(document: dict) -> str:
    """The ``words`` field: each word form of the text fields once, folded, not stemmed."""
    return " ".join({fold(word) for name in WORD_LIST_SOURCES for word in split_words(document[name])})


class ArticleIndex:
    """One index folder: the Whoosh segments under ``whoosh/`` and bookkeeping beside them."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.whoosh_dir = self.root / WHOOSH_DIR

    def exists(self) -> bool:
        return self.whoosh_dir.is_dir() and whoosh_index.exists_in(str(self.whoosh_dir), INDEX_NAME)

    def open(self) -> whoosh_index.Index:
        if not self.exists():
            raise IndexMissing(f"no index in {self.root}; build one with `cstosearch index`")
        ix = whoosh_index.open_dir(str(self.whoosh_dir), indexname=INDEX_NAME)
        if set(ix.schema.names()) != set(build_schema().names()):
            raise IndexOutdated(f"the index in {self.root} was built by another version of cstosearch; "
                                "rebuild it with `cstosearch index`")
        return ix

    def open_or_create(self, replace_outdated: bool = False) -> whoosh_index.Index:
        """The index, created when missing; an outdated one is replaced only when asked."""
        if self.exists():
            try:
                return self.open()
            except IndexOutdated:
                if not replace_outdated:
                    raise
        self.whoosh_dir.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(str(self.whoosh_dir), build_schema(), indexname=INDEX_NAME)

    def writer(self, procs: int = 1, limitmb: int = 256):
        # Segments stay as separate files: readers map them and share the pages between
        # workers, where a compound file is copied into each reader's private memory.
        # New segments store their posting blocks as arrays (``whoosh_codec``); segments written
        # before keep being read as they were written.
        ix = self.open_or_create()
        if procs > 1:
            return ix.writer(procs=procs, limitmb=limitmb, multisegment=True, compound=False, codec=ArrayCodec())
        return ix.writer(limitmb=limitmb, compound=False, codec=ArrayCodec())

    def size_bytes(self) -> int:
        """Everything under the index folder on disk, left-over temporary files included."""
        total = 0
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    try:
                        total += os.path.getsize(path)
                    except OSError:  # removed while counting
                        pass
        return total

    def document_count(self) -> int:
        if not self.exists():
            return 0
        return self.open().doc_count()


def default_index_dir() -> Path:
    return Path(os.environ.get("CSTOSEARCH_INDEX_DIR", "index"))
