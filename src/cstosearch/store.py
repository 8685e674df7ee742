"""Where the ingester keeps indexed articles: the seam between a run's bookkeeping and an engine's storage.

A run opens one session on the store, reads what the store held before the run (content hashes,
story groups, the file each article came from), writes and deletes articles, and ends with one
commit that makes the run's changes searchable together (or a cancel that leaves what is served).
The Whoosh store lives in ``cstosearch.engines.whoosh.store``, the OpenSearch one in
``cstosearch.engines.opensearch.writer``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from cstosearch.article import Article
from cstosearch.names.corpus import NameCorpus


class StoreSession(Protocol):
    """One run's view of a store."""

    def live_articles(self) -> dict[str, tuple[str, str]]:
        """id -> (content hash, story group) of every article served before the run ({} on a rebuild)."""

    def ids_from(self, source_key: str) -> set[str]:
        """Ids of the articles served before the run that the file ``source_key`` produced."""

    def source_keys(self) -> Iterable[str]:
        """The files that produced the articles served before the run."""

    def stored_article(self, article_id: str) -> dict | None:
        """The stored record of an article served before the run, or None."""

    def write(self, article: Article, group_id: str, source_key: str, again: bool = False) -> None:
        """Add or replace an article; ``again`` when the run already wrote an earlier version of it."""

    def delete(self, article_ids: Iterable[str]) -> int:
        """Delete articles served before the run; the number deleted."""

    def commit(self) -> None:
        """Make every write of the run searchable at once."""

    def cancel(self) -> None:
        """Abandon the run's writes as far as the store allows; what is served stays served."""


class ArticleStore(Protocol):
    """Where indexed articles live, as the ingester sees it."""

    def session(self, rebuild: bool) -> StoreSession: ...

    def exists(self) -> bool: ...

    def document_count(self) -> int: ...

    def size_bytes(self) -> int: ...

    def name_corpus(self) -> NameCorpus:
        """The committed articles as name learning reads them (a context manager)."""
