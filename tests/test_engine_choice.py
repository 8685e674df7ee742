"""Choosing the engine by configuration, and a clear answer when the chosen cluster is unreachable."""

from __future__ import annotations

import socket

import pytest

from cstosearch.engines.choice import EngineChoice, UnknownEngine, open_engine
from cstosearch.engines.opensearch.engine import OpenSearchEngine
from cstosearch.engines.whoosh import WhooshSearchEngine
from cstosearch.web import create_app


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_whoosh_is_the_default(sample_index_dir, monkeypatch):
    monkeypatch.delenv("CSTOSEARCH_ENGINE", raising=False)
    choice = EngineChoice.from_config({"INDEX_DIR": str(sample_index_dir)})
    assert choice.engine == "whoosh"
    assert isinstance(open_engine(choice), WhooshSearchEngine)


def test_environment_selects_opensearch(monkeypatch, tmp_path):
    monkeypatch.setenv("CSTOSEARCH_ENGINE", "opensearch")
    monkeypatch.setenv("CSTOSEARCH_OPENSEARCH_URL", "http://127.0.0.1:9999,http://127.0.0.1:9998")
    choice = EngineChoice.from_config({"INDEX_DIR": str(tmp_path)})
    assert (choice.engine, choice.opensearch_url) == ("opensearch", "http://127.0.0.1:9999,http://127.0.0.1:9998")
    assert isinstance(open_engine(choice), OpenSearchEngine)
    assert choice.environment()["CSTOSEARCH_ENGINE"] == "opensearch"


def test_unknown_engine_is_refused(tmp_path):
    with pytest.raises(UnknownEngine, match="whoosh, opensearch"):
        EngineChoice.from_config({"ENGINE": "solr", "INDEX_DIR": str(tmp_path)})


def test_unreachable_cluster_answers_503_with_a_reason(tmp_path):
    app = create_app({"ENGINE": "opensearch", "OPENSEARCH_URL": f"http://127.0.0.1:{_closed_port()}",
                      "INDEX_DIR": str(tmp_path), "TESTING": True})
    response = app.test_client().get("/api/search?q=CSTO")
    assert response.status_code == 503
    assert "no OpenSearch node answered" in response.get_json()["message"]
