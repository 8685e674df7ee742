"""The local three-node cluster the OpenSearch tests run against forms and turns green."""

from __future__ import annotations

import json
import urllib.request


def test_three_nodes_green(opensearch_url):
    with urllib.request.urlopen(opensearch_url + "/_cluster/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "green"
    assert health["number_of_nodes"] >= 3
    with urllib.request.urlopen(opensearch_url + "/_nodes/plugins", timeout=10) as response:
        nodes = json.loads(response.read())["nodes"].values()
    # The article analyzer needs the analysis-common module on every node.
    assert all(any(m["name"] == "analysis-common" for m in node["modules"]) for node in nodes)
