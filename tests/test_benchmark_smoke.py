"""The benchmark runs end to end on a small sample, and its peer and generator behave."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
CORPUS = REPO.parent / "shared" / "corpus" / "news-58k.jsonl.gz"


def load(name: str):
    """Import a benchmarks/ script under a name of its own (they are scripts, not a package)."""
    sys.path.insert(0, str(BENCH))  # run.py imports its siblings
    spec = importlib.util.spec_from_file_location(f"cstosearch_bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


peer_index = load("peer_index")
peer = load("peer")
synth = load("synth")

ARTICLES = [
    {
        "id": f"t{i}",
        "url": f"https://example.org/{i}",
        "title": title,
        "author": "Ann Writer",
        "date": date,
        "outlet": outlet,
        "text": text,
    }
    for i, (title, date, outlet, text) in enumerate(
        [
            ("Cocoa prices rise", "1987-03-02", "Reuters", "Cocoa rose. Traders said so. The White House was quiet."),
            ("Storm season", "2017-09-01", "Vox", "A hurricane hit the coast. The White House said help comes."),
            ("Budget talks", "2017-10-11", "Vox", "The Senate met. Nobody said much. Talks go on."),
            ("Cocoa again", "1987-05-06", "Reuters", "Cocoa fell. Prices said little. Traders waited."),
        ]
    )
]


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_queries_file_is_well_formed():
    doc = json.loads((BENCH / "queries.json").read_text(encoding="utf-8"))
    queries = doc["queries"]
    assert len({q["id"] for q in queries}) == len(queries)
    assert {q["class"] for q in queries} >= {"common", "rare", "and", "phrase", "or", "field"}
    assert {q["page"] for q in queries} == {1, 5}
    assert any(q["outlet"] for q in queries) and any(q["from"] for q in queries)
    assert all(q["corpus_hits"] > 0 for q in queries if q["variant"] == "none")


def test_ranked_peer_query_matches_what_cstosearch_returns(tmp_path):
    db = tmp_path / "bench.db"
    peer_index.build(write_jsonl(tmp_path / "a.jsonl", ARTICLES), db)
    sql = peer.datasette_metadata()["databases"]["bench"]["queries"]["search"]["sql"]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    params = {
        "q": '{title text} : "cocoa"',
        "outlets": "",
        "date_from": "",
        "date_to": "",
        "page": "1",
        "page_size": "10",
    }
    row = conn.execute(sql, params).fetchone()
    assert row["total"] == 2
    assert json.loads(row["facet_outlet"]) == [{"value": "Reuters", "count": 2}]
    results = json.loads(row["results"])
    assert {r["title"] for r in results} == {"Cocoa prices rise", "Cocoa again"}
    assert all("<b>" in r["snippet"] for r in results)
    filtered = dict(params, q='{title text} : "white house"', outlets='["Vox"]', date_from="2017-01-01")
    assert conn.execute(sql, filtered).fetchone()["total"] == 1
    page_two = dict(params, page="2", page_size="1")
    assert len(json.loads(conn.execute(sql, page_two).fetchone()["results"])) == 1


def test_synthetic_articles_keep_outlet_and_year(tmp_path):
    pool = synth.SentencePool.from_jsonl(write_jsonl(tmp_path / "a.jsonl", ARTICLES))
    docs = list(pool.articles(50, seed=3))
    assert len({d["id"] for d in docs}) == 50
    real = {(a["outlet"], a["date"][:4]) for a in ARTICLES}
    assert all((d["outlet"], d["date"][:4]) in real for d in docs)
    vox_sentences = {s for a in ARTICLES if a["outlet"] == "Vox" for s in synth.split_sentences(a["text"])}
    for d in docs:
        if d["outlet"] == "Vox":
            assert set(synth.split_sentences(d["text"])) <= vox_sentences


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.exists(), reason=f"benchmark corpus not found at {CORPUS}")
def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "out"
    cmd = [
        sys.executable, str(BENCH / "run.py"),
        "--articles", "1000", "--max-queries", "4", "--rounds", "1", "--warmup", "1",
        "--clients", "1", "--peers", "datasette-ranked", "--headline-peer", "datasette-ranked",
        "--first-pass", "24", "--first-pass-warmup", "6", "--first-pass-scan", "500",
        "--out-dir", str(out), "--work-dir", str(tmp_path / "work"), "--phase-time-limit", "60",
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    markdown = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert "| cstosearch |" in markdown and "datasette-ranked" in markdown
    raw = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for build in raw["builds"]:
        assert build["articles"] == 1000
        assert build["seconds"] > 0 and build["docs_per_s"] > 0
        assert build["peak_rss_bytes"] > 0 and build["size_bytes"] > 0
    for engine in ("cstosearch", "datasette-ranked"):
        figures = raw["queries"][engine]["all"]
        assert figures["requests"] == 4
        assert figures["errors"] == 0, raw["queries"][engine]["error_examples"]
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
        assert figures["req_per_s"] > 0
    assert raw["machine"]["cpu_count"] >= 1

    # The first pass: generated queries, each sent once, at one client then at --clients.
    assert "## First pass (headline)" in markdown
    first = raw["first_pass"]
    assert first["about"]["sizes"] == {"warmup": 6, "c1": 12, "cN": 12}
    sent = [q["q"] for name in ("c1", "cN") for q in first["queries"][name]]
    assert len(set(sent)) == len(sent)
    for engine in ("cstosearch", "datasette-ranked"):
        for phase in ("c1", "cN"):
            figures = first["results"][engine][phase]["all"]
            assert figures["requests"] == 12
            assert figures["errors"] == 0, first["results"][engine]["error_examples"]
            assert 0 < figures["p50_ms"] <= figures["p95_ms"]
