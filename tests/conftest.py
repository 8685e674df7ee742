"""Fixtures over real things: an index built from the sample corpus in a temp folder, the app, its client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cstosearch.reindex import Indexer
from cstosearch.web import create_app

# The live OpenSearch cluster and the indexes on it, for the tests that run against both engines.
pytest_plugins = ["tests.opensearch_cluster"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO_ROOT / "ingest"
SHARED = REPO_ROOT.parent / "shared"


ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.opensearch)]


def build_index(index_dir: Path, *sources: Path, store=None) -> None:
    Indexer(index_dir, progress=False, store=store).run(sources, rebuild=True)


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    for seed in sorted(SAMPLE_CORPUS.glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    return corpus


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory, sample_corpus) -> Path:
    index_dir = tmp_path_factory.mktemp("index")
    build_index(index_dir, sample_corpus)
    return index_dir


@pytest.fixture(scope="session")
def opensearch_sample_config(tmp_path_factory, sample_corpus, opensearch_indexes) -> dict:
    """The app configuration for the sample corpus indexed in the live OpenSearch cluster."""
    store = opensearch_indexes.store("sample")
    bookkeeping = tmp_path_factory.mktemp("opensearch-runs")
    build_index(bookkeeping, sample_corpus, store=store)
    return opensearch_indexes.app_config(store, bookkeeping)


@pytest.fixture(scope="session")
def app(sample_index_dir):
    return create_app({"INDEX_DIR": str(sample_index_dir), "TESTING": True})


def app_for_engine(request, sample_index_dir: Path):
    """The app over the sample corpus with the engine a parametrized fixture asks for."""
    if request.param == "opensearch":
        return create_app(request.getfixturevalue("opensearch_sample_config"))
    return create_app({"INDEX_DIR": str(sample_index_dir), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def seed_path(prefix: str) -> Path:
    return next(SAMPLE_CORPUS.glob(f"{prefix}_*.txt"))
