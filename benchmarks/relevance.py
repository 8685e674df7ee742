"""Ranking quality on a judged test collection (Cranfield layout): served over HTTP, or tuned in process.

    python benchmarks/relevance.py                      # index, serve under gunicorn, score.py per join
    python benchmarks/relevance.py --tune               # grid over BM25 k1/b and field weights, in process
    python benchmarks/relevance.py --engines whoosh,opensearch --opensearch-url http://127.0.0.1:9250
                                                        # the same, served by each engine in turn

The collection folder holds corpus.jsonl, queries.tsv, qrels.txt and the standard-library score.py,
whose own metric code is used in both modes (nDCG@10, MAP@100, P@10, R@100 as trec_eval computes them).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_COLLECTION = ROOT.parent / "shared" / "relevance" / "cranfield"
sys.path.insert(0, str(ROOT / "src"))
CLI = str(Path(sys.executable).parent / "cstosearch")

from cstosearch.engines.whoosh.ranking import DEFAULT_RANKING, Ranking  # noqa: E402


def load_scorer(collection: Path):
    spec = importlib.util.spec_from_file_location("collection_score", collection / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OPENSEARCH_ALIAS = "cstosearch-relevance"


def engine_environment(engine: str, opensearch_url: str) -> dict[str, str]:
    """The environment that makes the CLI and the served app use ``engine``."""
    return dict(os.environ, CSTOSEARCH_ENGINE=engine, CSTOSEARCH_OPENSEARCH_URL=opensearch_url,
                CSTOSEARCH_OPENSEARCH_INDEX=OPENSEARCH_ALIAS)


def build_index(collection: Path, index_dir: Path, engine: str = "whoosh", opensearch_url: str = "") -> None:
    subprocess.run([CLI, "index", str(collection / "corpus.jsonl"), "--index-dir", str(index_dir)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env=engine_environment(engine, opensearch_url))


def joined(scorer, text: str, join: str) -> str:
    if join == "raw":
        return text
    terms = scorer.query_terms(text)
    return (" OR " if join == "or" else " ").join(terms)


def run_in_process(engine, scorer, queries, join: str, known: set[str]) -> dict[str, list[str]]:
    from cstosearch.errors import BadQuery
    from cstosearch.query import SearchRequest

    run = {}
    for qid, text in queries:
        try:
            page = engine.search(SearchRequest(query=joined(scorer, text, join), page_size=100,
                                               group_duplicates=False, with_snippets=False))
        except BadQuery:
            run[qid] = []
            continue
        run[qid] = [doc for doc in (scorer.doc_id_of({"url": hit.url}, known) for hit in page.results) if doc]
    return run


def tune(collection: Path, index_dir: Path, joins: list[str], rounds: int) -> None:
    from cstosearch.engines.whoosh import WhooshSearchEngine

    scorer = load_scorer(collection)
    queries = scorer.load_queries(str(collection / "queries.tsv"))
    qrels = scorer.load_qrels(str(collection / "qrels.txt"))
    known = scorer.load_doc_ids(str(collection / "corpus.jsonl"))

    shared = WhooshSearchEngine(index_dir, time_limit_s=600)

    def measure(ranking: Ranking) -> dict[str, float]:
        engine = WhooshSearchEngine(index_dir, ranking, time_limit_s=600)
        # Match masks do not depend on the ranking: keep them across candidates.
        engine._generation.masks = shared._generation.masks
        engine._generation.columns = shared._generation.columns
        figures = {}
        for join in joins:
            means, _ = scorer.evaluate(run_in_process(engine, scorer, queries, join, known), qrels)
            figures[join] = means["nDCG@10"]
        engine.close()
        return figures

    def show(label: str, ranking: Ranking, figures: dict[str, float]) -> None:
        cells = "  ".join(f"{join} {value:.4f}" for join, value in figures.items())
        print(f"{label:<15} k1={ranking.k1:<4} b={ranking.b:<5} title={ranking.title:<4} author={ranking.author:<4} "
              f"coord={ranking.coordination:<4} prox={ranking.proximity:<4}/{ranking.proximity_slop:<2} "
              f"feedback={ranking.feedback_terms}/{ranking.feedback_min_words}/{ranking.feedback_weight}/"
              f"{ranking.feedback_sharpness} {cells}",
              flush=True)

    best = Ranking()
    best_score = -1.0
    show("baseline", best, measure(best))
    # One parameter at a time, in a few rounds: each keeps the best value found so far.
    grid = {"proximity": (0.25, 0.5, 1.0), "proximity_slop": (1, 8), "b": (0.5, 0.9), "k1": (0.9, 1.6, 2.0),
            "title": (0.5, 2.0), "coordination": (0.0, 0.25, 0.5, 2.0), "author": (0.5,),
            "feedback_terms": (20,), "feedback_min_words": (3, 4, 6), "feedback_weight": (0.5, 0.7),
            "feedback_sharpness": (0.0, 0.5, 1.0, 2.0)}
    for _ in range(rounds):
        for name, values in grid.items():
            for value in values:
                ranking = replace(best, **{name: value})
                figures = measure(ranking)
                show(name, ranking, figures)
                score = sum(figures.values()) / len(figures)
                if score > best_score + 1e-9:
                    best, best_score = ranking, score
    print(f"best on this collection: {best}  mean nDCG@10 over {', '.join(joins)} = {best_score:.4f}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_and_score(collection: Path, index_dir: Path, joins: list[str], grouped: bool, engine: str = "whoosh",
                    opensearch_url: str = "") -> list[dict]:
    port = free_port()
    server = subprocess.Popen([CLI, "serve", "--index-dir", str(index_dir),
                               "--port", str(port), "--workers", "2", "--no-build"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=engine_environment(engine, opensearch_url))
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/search?q=x", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        settings = [("group=off", "&group=off")] + ([("grouped", "")] if grouped else [])
        for join, (label, extra) in itertools.product(joins, settings):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run([sys.executable, str(collection / "score.py"), "--join", join, "--tag",
                                f"{engine} {join} {label}", "--url",
                                base + "/api/search?q={q}&page_size=100" + extra, "--json", out.name],
                               check=True, stdout=subprocess.DEVNULL)
                rows.extend(json.loads(Path(out.name).read_text()))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'run':<32} {'nDCG@10':>8} {'MAP@100':>8} {'P@10':>7} {'R@100':>7} {'empty':>6}  note")
    for row in rows:
        print(f"{row['run']:<32} {row['nDCG@10']:>8.4f} {row['MAP@100']:>8.4f} {row['P@10']:>7.4f} "
              f"{row['R@100']:>7.4f} {row['zero_result_queries']:>6}  {row['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION)
    parser.add_argument("--index-dir", type=Path, help="reuse this index folder (built when empty)")
    parser.add_argument("--joins", default="space,or,raw")
    parser.add_argument("--tune", action="store_true", help="search BM25 and field weights in process")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the tuning grid")
    parser.add_argument("--grouped", action="store_true", help="also score with story grouping on")
    parser.add_argument("--engines", default="whoosh", help="served by each of these in turn (whoosh,opensearch)")
    parser.add_argument("--opensearch-url", default="http://127.0.0.1:9250")
    args = parser.parse_args()
    if not (args.collection / "score.py").exists():
        sys.exit(f"no collection at {args.collection}")
    joins = args.joins.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index_dir or Path(scratch) / "index"
        if args.tune:
            if not (index_dir / "whoosh").exists():
                build_index(args.collection, index_dir)
            tune(args.collection, index_dir, joins, args.rounds)
            return
        print(f"ranking: {DEFAULT_RANKING}")
        rows = []
        for engine in args.engines.split(","):
            # OpenSearch keeps its articles in the cluster: rebuilt each time (the folder holds bookkeeping).
            folder = index_dir if engine == "whoosh" else Path(scratch) / f"{engine}-runs"
            if engine != "whoosh" or not (index_dir / "whoosh").exists():
                build_index(args.collection, folder, engine, args.opensearch_url)
            rows += serve_and_score(args.collection, folder, joins, args.grouped, engine, args.opensearch_url)
        print_table(rows)


if __name__ == "__main__":
    main()
