"""Fixtures over real things: an index built from the sample corpus in a temp folder, the app, its client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cstosearch.reindex import Indexer
from cstosearch.web import create_app
from tests.opensearch_cluster import opensearch_cluster, opensearch_url  # noqa: F401  (session fixtures)

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO_ROOT / "ingest"
SHARED = REPO_ROOT.parent / "shared"


def build_index(index_dir: Path, *sources: Path) -> None:
    Indexer(index_dir, progress=False).run(sources, rebuild=True)


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    for seed in sorted(SAMPLE_CORPUS.glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    index_dir = tmp_path_factory.mktemp("index")
    build_index(index_dir, corpus)
    return index_dir


@pytest.fixture(scope="session")
def app(sample_index_dir):
    return create_app({"INDEX_DIR": str(sample_index_dir), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def seed_path(prefix: str) -> Path:
    return next(SAMPLE_CORPUS.glob(f"{prefix}_*.txt"))
