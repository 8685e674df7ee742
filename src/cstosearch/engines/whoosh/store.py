"""The Whoosh index in an index folder, as the ingester writes it: one writer per run, one commit."""

from __future__ import annotations

import json
from collections.abc import Iterable

from whoosh import query as wq
from whoosh.writing import CLEAR

from cstosearch.article import Article
from cstosearch.engines.whoosh.bulk_writer import BulkWriter
from cstosearch.engines.whoosh.name_corpus import WhooshNameCorpus
from cstosearch.index import ArticleIndex, article_document


class WhooshStore:
    """The articles in one index folder's Whoosh segments.

    ``bulk``: rebuilds write their segments with the bulk writer; without it, with Whoosh's own
    (multi-process) writer, as incremental runs always do.
    """

    def __init__(self, index: ArticleIndex, procs: int = 1, limitmb: int = 256, bulk: bool = True) -> None:
        self.index = index
        self.procs = procs
        self.limitmb = limitmb
        self.bulk = bulk

    def __repr__(self) -> str:
        return f"WhooshStore({str(self.index.root)!r})"

    def session(self, rebuild: bool) -> WhooshSession:
        return WhooshSession(self.index, rebuild, self.procs, self.limitmb, self.bulk)

    def exists(self) -> bool:
        return self.index.exists()

    def document_count(self) -> int:
        return self.index.document_count()

    def size_bytes(self) -> int:
        return self.index.size_bytes()

    def name_corpus(self) -> WhooshNameCorpus:
        """What name learning reads, from the committed index (close it, or use it in ``with``)."""
        return WhooshNameCorpus(self.index.open())


class WhooshSession:
    """Where a run's documents go until its one commit.

    Documents stream into one writer as they are read: a rebuild hands them to builder
    processes that write a whole new generation of segments (``bulk_writer``), an incremental
    run replaces old versions with Whoosh's ``update_document``, so its memory stays flat. A
    later version of an article already written in the same run is held and applied right after
    the main commit, with Whoosh's writer: neither writer can replace an uncommitted document.
    """

    def __init__(self, index: ArticleIndex, rebuild: bool, procs: int, limitmb: int, bulk: bool = True) -> None:
        self.index = index
        self.rebuild = rebuild
        self.limitmb = limitmb
        ix = index.open_or_create(replace_outdated=rebuild)
        self.searcher = ix.searcher()
        self.bulk = rebuild and bulk
        if self.bulk:
            self.writer = BulkWriter(ix, procs)
        else:
            self.writer = index.writer(procs=procs if rebuild else 1, limitmb=limitmb)
        self.changed = rebuild
        self.held: dict[str, dict] = {}
        self._ids: list[str] | None = None

    def live_articles(self) -> dict[str, tuple[str, str]]:
        reader = self.searcher.reader()
        if self.rebuild or not reader.doc_count_all():
            return {}
        ids = self._column_ids()
        hashes = list(reader.column_reader("content_hash"))
        groups = list(reader.column_reader("group_id"))
        return {ids[d]: (hashes[d], groups[d]) for d in range(len(ids)) if not reader.is_deleted(d) and ids[d]}

    def _column_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = list(self.searcher.reader().column_reader("id"))
        return self._ids

    def ids_from(self, source_key: str) -> set[str]:
        if self.rebuild or not source_key:
            return set()
        ids = self._column_ids()
        docnums = self.searcher.docs_for_query(wq.Term("source_path", source_key))
        return {ids[d] for d in docnums if d < len(ids)}

    def source_keys(self) -> Iterable[str]:
        for term in self.searcher.reader().lexicon("source_path"):
            yield term.decode("utf-8") if isinstance(term, bytes) else term

    def stored_article(self, article_id: str) -> dict | None:
        stored = self.searcher.document(id=article_id)
        return json.loads(stored["article"]) if stored else None

    def write(self, article: Article, group_id: str, source_key: str, again: bool = False) -> None:
        if self.bulk and not again:
            self.writer.add_article(article, group_id, source_key)
            self.changed = True
            return
        document = article_document(article, group_id, source_key)
        if again:
            self.held[document["id"]] = document
        elif self.rebuild:
            self.writer.add_document(**document)
        else:
            self.writer.update_document(**document)
        self.changed = True

    def delete(self, article_ids: Iterable[str]) -> int:
        count = 0
        for article_id in sorted(article_ids):
            count += self.writer.delete_by_term("id", article_id) or 0
        if count:
            self.changed = True
        return count

    def cancel(self) -> None:
        self.searcher.close()
        self.writer.cancel()

    def commit(self) -> None:
        self.searcher.close()
        if not self.changed:
            self.writer.cancel()  # nothing new: searchers keep their generation
            return
        self.writer.commit(mergetype=CLEAR) if self.rebuild else self.writer.commit()
        if self.held:
            writer = self.index.writer(procs=1, limitmb=self.limitmb)
            try:
                for document in self.held.values():
                    writer.update_document(**document)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
