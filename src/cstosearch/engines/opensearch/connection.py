"""Reaching the cluster: a client from one or more node URLs, and the alias the articles live under."""

from __future__ import annotations

import os

from opensearchpy import OpenSearch

DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_ALIAS = "cstosearch-articles"
REQUEST_TIMEOUT_S = 10


def default_url() -> str:
    return os.environ.get("CSTOSEARCH_OPENSEARCH_URL", DEFAULT_URL)


def default_alias() -> str:
    return os.environ.get("CSTOSEARCH_OPENSEARCH_INDEX", DEFAULT_ALIAS)


def connect(url: str | None = None, timeout_s: float = REQUEST_TIMEOUT_S) -> OpenSearch:
    """A client over every node named in ``url`` (comma-separated).

    A request that fails to connect, times out or meets a 502/503/504 is retried on the next
    node, and a node that fails is set aside for a while, so losing one node loses no request.
    """
    hosts = [part.strip() for part in (url or default_url()).split(",") if part.strip()]
    return OpenSearch(hosts=hosts, timeout=timeout_s, max_retries=len(hosts) + 2, retry_on_timeout=True,
                      http_compress=True)
