"""Losing a node: searches keep being answered, the cluster goes yellow, and green again on restart."""

from __future__ import annotations

import threading
import time

import pytest

from cstosearch.engines.opensearch.connection import connect
from cstosearch.engines.opensearch.engine import OpenSearchEngine
from cstosearch.query import SearchRequest
from tests.conftest import build_index

VICTIM = 2


@pytest.mark.opensearch
@pytest.mark.slow
def test_no_search_lost_when_a_node_is_killed(opensearch_cluster, opensearch_indexes, sample_corpus, tmp_path):
    if opensearch_cluster is None:
        pytest.skip("kills a node: needs the cluster this test session started, not CSTOSEARCH_TEST_OPENSEARCH_URL")
    store = opensearch_indexes.store("failover", replicas=1)
    build_index(tmp_path, sample_corpus, store=store)
    # The client knows every node and retries a request on the next one when a node fails.
    engine = OpenSearchEngine(connect(",".join(opensearch_cluster.urls())), store.alias)
    request = SearchRequest(query="Pashinyan", group_duplicates=False)
    expected = engine.search(request).total
    answered: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                answered.append(engine.search(request).total)
            except Exception as exc:  # every failure is recorded and fails the test below
                failures.append(repr(exc))
            # A steady client, not a flood: on a small machine the nodes need the CPU to notice the loss.
            stop.wait(0.05)

    searcher = threading.Thread(target=keep_searching, daemon=True)
    searcher.start()
    try:
        _wait_until(lambda: len(answered) >= 20, "searches before the kill")
        before_kill = len(answered)
        opensearch_cluster.kill_node(VICTIM)
        # Fault detection takes a few checks of 10 s each; more on a loaded machine.
        degraded = opensearch_cluster.wait_for("yellow", timeout_s=300, nodes=2)
        assert degraded["status"] == "yellow", degraded
        _wait_until(lambda: len(answered) >= before_kill + 20, "searches while a node is down")
        during_outage = len(answered)
        opensearch_cluster.start_node(VICTIM)
        healed = opensearch_cluster.wait_for("green", timeout_s=300, nodes=3)
        assert healed["status"] == "green"
        _wait_until(lambda: len(answered) >= during_outage + 5, "searches after the restart")
    finally:
        stop.set()
        searcher.join(timeout=30)
    assert failures == []
    assert set(answered) == {expected}


def _wait_until(condition, what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
