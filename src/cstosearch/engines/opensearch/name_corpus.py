"""The articles under an OpenSearch alias as name learning reads them: live ids, any-case word
counts (batched in ``_msearch`` requests), stored articles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import OpenSearchException

from cstosearch.engines.opensearch.mapping import TEXT_FIELDS
from cstosearch.errors import CstoSearchError

# Counts per _msearch request: a few thousand candidate words make a few dozen requests.
COUNTS_PER_REQUEST = 150
SCROLL_PAGE = 2000


class NameCountsFailed(CstoSearchError):
    """The cluster could not count the words name learning asked about."""


class OpenSearchNameCorpus:
    """Reads the alias's searchable (refreshed) documents; deleted ones are never counted."""

    counts_one_by_one = False

    def __init__(self, client: OpenSearch, alias: str) -> None:
        self.client = client
        self.alias = alias

    def __enter__(self) -> OpenSearchNameCorpus:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def live_ids(self) -> set[str]:
        return {hit["_id"] for hit in helpers.scan(self.client, index=self.alias, size=SCROLL_PAGE,
                                                    query={"query": {"match_all": {}}}, _source=False)}

    def any_case_counts(self, bounds: Mapping[str, int]) -> dict[str, int]:
        """Articles holding each word in any field's folded, unstemmed ``.words`` twin (as the Whoosh
        index's ``words`` field counts them); each count stops one past its bound."""
        words = list(bounds)
        counts: dict[str, int] = {}
        for start in range(0, len(words), COUNTS_PER_REQUEST):
            batch = words[start:start + COUNTS_PER_REQUEST]
            lines: list[dict] = []
            for word in batch:
                lines += [{"index": self.alias}, _count_body(word, bounds[word])]
            try:
                answers = self.client.msearch(body=lines)["responses"]
            except OpenSearchException as exc:
                raise NameCountsFailed(f"could not count words in {self.alias}: {exc}") from exc
            for word, answer in zip(batch, answers, strict=True):
                if "error" in answer:
                    raise NameCountsFailed(f"could not count {word!r} in {self.alias}: {answer['error']}")
                counts[word] = int(answer["hits"]["total"]["value"])
        return counts

    def stored_articles(self) -> Iterator[tuple[str, dict]]:
        for hit in helpers.scan(self.client, index=self.alias, size=SCROLL_PAGE,
                                query={"query": {"match_all": {}}}, _source=["article"]):
            yield hit["_id"], hit["_source"].get("article") or {}


def _count_body(word: str, at_most: int) -> dict:
    # The word goes through the folding analyzer, so it is matched as the index wrote it.
    in_any_field = [{"match": {f"{name}.words": {"query": word, "operator": "and"}}} for name in TEXT_FIELDS]
    return {"size": 0, "track_total_hits": max(0, at_most) + 1,
            "query": {"bool": {"should": in_any_field, "minimum_should_match": 1}}}
