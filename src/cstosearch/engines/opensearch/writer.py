"""Writing articles into OpenSearch: bulk upserts keyed by article id, and rebuilds behind an alias.

A rebuild fills a new index and then moves the alias to it in one ``_aliases`` call, so searches
are served from the old index until that moment; the old index is deleted afterwards. An
incremental run upserts (and deletes) in the index the alias points at, with periodic refresh
paused so the run's changes become searchable together at its end.
"""

from __future__ import annotations

import time
import uuid

from opensearchpy import NotFoundError, OpenSearch, helpers
from opensearchpy.exceptions import OpenSearchException

from cstosearch.article import Article
from cstosearch.engines.opensearch.mapping import article_document, index_body
from cstosearch.engines.opensearch.name_corpus import OpenSearchNameCorpus
from cstosearch.errors import CstoSearchError, IndexMissing

BULK_DOCUMENTS = 500
BULK_BYTES = 8 * 1024 * 1024
NORMAL_REFRESH = "1s"


class ClusterWriteFailed(CstoSearchError):
    """The cluster refused documents or an index operation."""


class OpenSearchStore:
    """The articles under one alias on a cluster, as the ingester reads and writes them."""

    def __init__(self, client: OpenSearch, alias: str, shards: int = 3, replicas: int = 1) -> None:
        self.client = client
        self.alias = alias
        self.shards = shards
        self.replicas = replicas

    def __repr__(self) -> str:
        return f"OpenSearchStore({self.alias!r})"

    # --- reading -------------------------------------------------------------------------------
    def served_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def exists(self) -> bool:
        return bool(self.served_indices())

    def document_count(self) -> int:
        if not self.exists():
            return 0
        return int(self.client.count(index=self.alias)["count"])

    def size_bytes(self) -> int:
        if not self.exists():
            return 0
        stats = self.client.indices.stats(index=self.alias, metric="store")
        return int(stats["_all"]["total"]["store"]["size_in_bytes"])

    def name_corpus(self) -> OpenSearchNameCorpus:
        """What name learning reads: the articles the alias serves."""
        if not self.exists():
            raise IndexMissing(f"no index behind the alias {self.alias!r}; build one with `cstosearch index`")
        return OpenSearchNameCorpus(self.client, self.alias)

    def known_articles(self) -> tuple[dict[str, tuple[str, str]], dict[str, set[str]]]:
        """id -> (content hash, group) for every article the alias serves, and source file -> ids."""
        known: dict[str, tuple[str, str]] = {}
        by_file: dict[str, set[str]] = {}
        if not self.exists():
            return known, by_file
        for hit in helpers.scan(self.client, index=self.alias, size=2000, query={"query": {"match_all": {}}},
                                _source=["content_hash", "group_id", "source_path"]):
            source = hit["_source"]
            known[hit["_id"]] = (source.get("content_hash", ""), source.get("group_id", hit["_id"]))
            if source.get("source_path"):
                by_file.setdefault(source["source_path"], set()).add(hit["_id"])
        return known, by_file

    def stored_article(self, article_id: str) -> dict | None:
        """The stored article record, or None."""
        try:
            found = self.client.get(index=self.alias, id=article_id, _source=["article"])
        except NotFoundError:
            return None
        return found["_source"].get("article")

    # --- writing -------------------------------------------------------------------------------
    def session(self, rebuild: bool) -> BulkSession:
        """A run's writes (``cstosearch.store.StoreSession``)."""
        return BulkSession(self, rebuild)

    def create_index(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        body = index_body(self.shards, self.replicas)
        # No periodic refresh while it fills: nothing searches it before the alias moves.
        body["settings"]["index"]["refresh_interval"] = "-1"
        self.client.indices.create(index=name, body=body)
        return name

    def switch_alias(self, new_index: str) -> None:
        """Point the alias at ``new_index`` alone, in one atomic step, then drop what it served."""
        old = [name for name in self.served_indices() if name != new_index]
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new_index, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(body={"actions": actions})
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        self.drop_orphans(keep=new_index)

    def drop_orphans(self, keep: str) -> None:
        """Delete indices earlier rebuilds left behind (a run killed before its switch)."""
        served = set(self.served_indices())
        for name in self.client.indices.get(index=f"{self.alias}-*", expand_wildcards="open,closed"):
            if name != keep and name not in served:
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def live_index(self) -> str:
        served = self.served_indices()
        if not served:
            raise IndexMissing(f"no index behind the alias {self.alias!r}; build one with `cstosearch index`")
        return served[0]


class BulkSession:
    """One indexing run's writes: buffered bulk requests, applied by ``commit`` or abandoned by ``cancel``."""

    def __init__(self, store: OpenSearchStore, rebuild: bool) -> None:
        self.store = store
        self.client = store.client
        self.rebuild = rebuild or not store.exists()
        self.index = store.create_index() if self.rebuild else store.live_index()
        if not self.rebuild:
            self._set_refresh("-1")
        self._actions: list[dict] = []
        self._pending_bytes = 0
        self.written = 0
        self.deleted = 0
        self._live: dict[str, tuple[str, str]] | None = None
        self._by_file: dict[str, set[str]] = {}

    def live_articles(self) -> dict[str, tuple[str, str]]:
        if self._live is None:
            self._live, self._by_file = ({}, {}) if self.rebuild else self.store.known_articles()
        return self._live

    def ids_from(self, source_key: str) -> set[str]:
        self.live_articles()
        return set(self._by_file.get(source_key, ()))

    def source_keys(self) -> list[str]:
        self.live_articles()
        return list(self._by_file)

    def stored_article(self, article_id: str) -> dict | None:
        return None if self.rebuild else self.store.stored_article(article_id)

    def write(self, article: Article, group_id: str, source_key: str, again: bool = False) -> None:
        """Index (or replace) one article under its id: running it twice changes nothing.

        A later version in the same run simply follows the earlier one: bulk actions on one id
        reach its shard in order.
        """
        document = article_document(article, group_id, source_key)
        self._queue({"_op_type": "index", "_index": self.index, "_id": document["id"], "_source": document},
                    len(article.body_text) + 1024)

    def delete(self, article_ids) -> int:
        """Delete articles the alias served before the run; the number of them."""
        live = self.live_articles()
        count = 0
        for article_id in sorted(article_ids):
            self._queue({"_op_type": "delete", "_index": self.index, "_id": article_id}, 128)
            count += article_id in live
        return count

    def _queue(self, action: dict, size: int) -> None:
        self._actions.append(action)
        self._pending_bytes += size
        if len(self._actions) >= BULK_DOCUMENTS or self._pending_bytes >= BULK_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._actions:
            return
        failures = []
        for ok, item in helpers.streaming_bulk(self.client, self._actions, raise_on_error=False,
                                               max_retries=3, initial_backoff=1, chunk_size=BULK_DOCUMENTS):
            ((op, result),) = item.items()
            if ok:
                if op == "delete":
                    self.deleted += 1
                else:
                    self.written += 1
            elif not (op == "delete" and result.get("status") == 404):
                failures.append(result)
        self._actions.clear()
        self._pending_bytes = 0
        if failures:
            raise ClusterWriteFailed(f"{len(failures)} documents were refused, first: {failures[0]}")

    def commit(self) -> None:
        """Make the run's writes searchable together (a rebuild: move the alias to the new index)."""
        try:
            self.flush()
            self._set_refresh(NORMAL_REFRESH)
            self.client.indices.refresh(index=self.index)
            if self.rebuild:
                # Serve the new index only once every shard has its replica copies.
                self.client.cluster.health(index=self.index, wait_for_status="green", params={"timeout": "120s"},
                                           request_timeout=130)
                self.store.switch_alias(self.index)
        except OpenSearchException as exc:
            raise ClusterWriteFailed(f"could not commit to {self.index}: {exc}") from exc

    def cancel(self) -> None:
        self._actions.clear()
        try:
            if self.rebuild:
                self.client.indices.delete(index=self.index, ignore_unavailable=True)
            else:
                # Writes already sent stay; they become searchable with the next refresh.
                self._set_refresh(NORMAL_REFRESH)
        except OpenSearchException:
            pass  # the next run tidies up (orphaned indices, the refresh interval)

    def _set_refresh(self, interval: str) -> None:
        self.client.indices.put_settings(index=self.index, body={"index": {"refresh_interval": interval}})

