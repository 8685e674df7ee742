"""Ranking quality on the Cranfield collection, through the project's relevance script, with floors
a little below the figures measured when the ranking was chosen (README, design notes)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cstosearch.engines.whoosh import WhooshSearchEngine
from tests.conftest import SHARED

COLLECTION = SHARED / "relevance" / "cranfield"
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "relevance.py"
# nDCG@10 floors per way of sending the query (the script's --joins).
FLOORS = {"space": 0.555, "or": 0.555, "raw": 0.545}


def load_script():
    spec = importlib.util.spec_from_file_location("relevance_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not (COLLECTION / "score.py").exists(), reason="../shared/relevance/cranfield is absent")
def test_cranfield_ndcg_floors(tmp_path):
    script = load_script()
    script.build_index(COLLECTION, tmp_path / "index")
    scorer = script.load_scorer(COLLECTION)
    queries = scorer.load_queries(str(COLLECTION / "queries.tsv"))
    qrels = scorer.load_qrels(str(COLLECTION / "qrels.txt"))
    known = scorer.load_doc_ids(str(COLLECTION / "corpus.jsonl"))
    engine = WhooshSearchEngine(tmp_path / "index", time_limit_s=60)
    figures = {}
    for join in FLOORS:
        run = script.run_in_process(engine, scorer, queries, join, known)
        figures[join] = scorer.evaluate(run, qrels)[0]["nDCG@10"]
        assert all(run.values()) or join == "raw", f"{join}: a query came back empty"
    assert all(figures[join] >= floor for join, floor in FLOORS.items()), figures
