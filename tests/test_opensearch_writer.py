"""Writing into OpenSearch: rebuilds behind an alias, idempotent upserts, deletes, and the CLI runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cstosearch.cli import cli
from cstosearch.engines.opensearch.engine import OpenSearchEngine
from cstosearch.ingest.reader import read_paths
from cstosearch.query import SearchRequest
from cstosearch.reindex import REPORT_FILE, Indexer
from tests.conftest import SAMPLE_CORPUS
from tests.test_reindex import synthetic_articles, write_jsonl

pytestmark = pytest.mark.opensearch


@pytest.fixture()
def store(opensearch_indexes, request):
    return opensearch_indexes.store(request.node.name.lower().replace("_", "-")[:40])


def test_rebuild_switches_the_alias_and_drops_the_old_index(store, tmp_path):
    indexer = Indexer(tmp_path / "runs", progress=False, store=store)
    indexer.run([SAMPLE_CORPUS], rebuild=True)
    (first,) = store.served_indices()
    session = store.session(rebuild=True)
    for article in _articles(synthetic_articles(3, seed=1, marker="quokka"), tmp_path):
        session.write(article, "", "")
    session.flush()
    # Until the switch the old index is what the alias serves.
    assert store.served_indices() == [first] and store.document_count() == 5
    session.commit()
    (second,) = store.served_indices()
    assert second != first and store.document_count() == 3
    assert not store.client.indices.exists(index=first)


def test_running_twice_changes_nothing(store, tmp_path):
    indexer = Indexer(tmp_path / "runs", progress=False, store=store)
    indexer.run([SAMPLE_CORPUS], rebuild=True)
    engine = OpenSearchEngine(store.client, store.alias)
    before = engine.search(SearchRequest(query="CSTO")).to_dict()
    report = Indexer(tmp_path / "runs", progress=False, store=store).run([SAMPLE_CORPUS])
    assert report.files_read == 0 and report.documents == 5
    # Written again from scratch, the same articles under the same ids: the same answers.
    session = store.session(rebuild=False)
    live, by_file = store.known_articles()
    source_of = {article_id: key for key, ids in by_file.items() for article_id in ids}
    for article_id, (_, group_id) in live.items():
        session.write(engine.article(article_id), group_id, source_of[article_id])
    session.commit()
    assert store.document_count() == 5
    after = engine.search(SearchRequest(query="CSTO")).to_dict()
    assert (after["total"], after["facets"]) == (before["total"], before["facets"])


def test_incremental_run_updates_adds_and_deletes(store, tmp_path):
    inbox = tmp_path / "inbox"
    runs = tmp_path / "runs"
    articles = synthetic_articles(4, seed=7)
    write_jsonl(inbox / "day1.jsonl", articles)
    Indexer(runs, progress=False, store=store).run([inbox], rebuild=True)
    engine = OpenSearchEngine(store.client, store.alias)
    assert engine.document_count() == 4
    changed = dict(articles[0], text=articles[0]["text"] + "\n\nA late paragraph about a wombat.")
    write_jsonl(inbox / "day1.jsonl", [changed, *articles[1:]])
    write_jsonl(inbox / "day2.jsonl", synthetic_articles(2, seed=8))
    report = Indexer(runs, progress=False, store=store).run([inbox])
    assert (report.added, report.updated, report.unchanged) == (2, 1, 3)
    assert engine.document_count() == 6
    assert engine.search(SearchRequest(query="wombat")).total == 1
    report_file = json.loads((runs / REPORT_FILE).read_text())
    assert report_file["documents"] == 6
    victim = engine.search(SearchRequest(query="wombat")).results[0].id
    session = store.session(rebuild=False)
    assert session.delete([victim, "no-such-article"]) == 1
    session.commit()
    assert engine.document_count() == 5 and engine.article(victim) is None


def test_prune_and_remove_over_the_cluster(store, tmp_path):
    inbox = tmp_path / "inbox"
    runs = tmp_path / "runs"
    write_jsonl(inbox / "day1.jsonl", synthetic_articles(3, seed=11))
    write_jsonl(inbox / "day2.jsonl", synthetic_articles(2, seed=12))
    Indexer(runs, progress=False, store=store).run([inbox], rebuild=True)
    engine = OpenSearchEngine(store.client, store.alias)
    assert engine.document_count() == 5
    (inbox / "day2.jsonl").unlink()
    report = Indexer(runs, progress=False, store=store).run([inbox], prune=True)
    assert report.removed == 2 and engine.document_count() == 3
    # The stored record keeps no server path; the file key is kept only for pruning.
    some_id = next(iter(store.known_articles()[0]))
    assert not engine.article(some_id).source_path
    removed = Indexer(runs, progress=False, store=store).remove([some_id, "0123456789abcdef"])
    assert removed.removed == [some_id] and removed.not_found == ["0123456789abcdef"]
    assert removed.documents == 2 and engine.article(some_id) is None


def test_cli_index_search_and_status(opensearch_indexes, opensearch_url, tmp_path, monkeypatch):
    alias = opensearch_indexes.store("cli").alias
    monkeypatch.setenv("CSTOSEARCH_OPENSEARCH_INDEX", alias)
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    common = ["--index-dir", str(tmp_path / "runs"), "--engine", "opensearch", "--opensearch-url", opensearch_url]
    runner = CliRunner()
    built = runner.invoke(cli, ["index", str(corpus), *common, "--replicas", "1"])
    assert built.exit_code == 0, built.output
    assert "5 documents in the index" in built.output
    found = runner.invoke(cli, ["search", "Pashinyan", "--json", *common])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["total"] == 5
    status = runner.invoke(cli, ["status", "--json", *common])
    info = json.loads(status.output)
    assert info["engine"] == "opensearch" and info["documents"] == 5 and info["last_run"]["added"] == 5


def _articles(raw: list[dict], folder: Path) -> list:
    """Articles read the way the ingester reads them, from a JSON-lines scrape."""
    return list(read_paths([write_jsonl(folder / "articles.jsonl", raw)]))
