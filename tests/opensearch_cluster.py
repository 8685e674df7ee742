"""The live OpenSearch cluster tests search against: one started for the session, or a running one.

``CSTOSEARCH_TEST_OPENSEARCH_URL`` points at a running cluster; otherwise three local nodes are
started with ``scripts/opensearch_cluster.py`` and stopped at the end. Without a Java that runs
OpenSearch 2.x, or without the distribution (no cache and no Maven Central), the tests skip.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
_SPEC = importlib.util.spec_from_file_location("opensearch_cluster_script", REPO_ROOT / "scripts" /
                                               "opensearch_cluster.py")
cluster_script = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(cluster_script)


def _free_port_block(start: int = 9400, nodes: int = 3) -> int:
    """The first HTTP port from ``start`` on with its nodes' HTTP and transport ports all free."""
    for base in range(start, start + 500, 10):
        ports = [base + i for i in range(nodes)] + [base + 100 + i for i in range(nodes)]
        if all(_is_free(port) for port in ports):
            return base
    raise RuntimeError("no free block of ports for a local OpenSearch cluster")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session")
def opensearch_cluster():
    """A LocalCluster this session started, or None when the tests use a running cluster."""
    if os.environ.get("CSTOSEARCH_TEST_OPENSEARCH_URL"):
        yield None
        return
    try:
        cluster_script.distribution_home()
        cluster_script.find_java_home()
    except cluster_script.ClusterError as exc:
        pytest.skip(f"no local OpenSearch cluster can run here: {exc}")
    # Not under the pytest temp folder: the nodes may run as `nobody`, who cannot enter it.
    workdir = cluster_script.CACHE / f"test-cluster-{os.getpid()}"
    cluster = cluster_script.LocalCluster(workdir, http_port=_free_port_block())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def opensearch_url(opensearch_cluster) -> str:
    if opensearch_cluster is None:
        return os.environ["CSTOSEARCH_TEST_OPENSEARCH_URL"]
    return opensearch_cluster.url


class OpenSearchIndexes:
    """Article aliases this session creates on the cluster, each built like a Whoosh test index."""

    def __init__(self, url: str) -> None:
        from cstosearch.engines.opensearch.connection import connect

        self.url = url
        self.client = connect(url, timeout_s=120)
        self.aliases: list[str] = []

    def store(self, name: str, replicas: int = 1):
        from cstosearch.engines.opensearch.writer import OpenSearchStore

        alias = f"cstosearch-test-{os.getpid()}-{name}"
        self.aliases.append(alias)
        return OpenSearchStore(self.client, alias, shards=3, replicas=replicas)

    def app_config(self, store, index_dir: Path) -> dict:
        """The web app's configuration for an alias (the index folder holds only run bookkeeping)."""
        return {"ENGINE": "opensearch", "OPENSEARCH_URL": self.url, "OPENSEARCH_INDEX": store.alias,
                "INDEX_DIR": str(index_dir), "TESTING": True}

    def drop_all(self) -> None:
        for alias in self.aliases:
            self.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)


@pytest.fixture(scope="session")
def opensearch_indexes(opensearch_url):
    indexes = OpenSearchIndexes(opensearch_url)
    yield indexes
    indexes.drop_all()
