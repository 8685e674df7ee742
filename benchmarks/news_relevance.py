"""A news-shaped ranking check: known-item searches over a sample of the news corpus.

    python benchmarks/news_relevance.py --corpus ../shared/corpus/news-58k.jsonl.gz --articles 5000

Method. A seeded sample of articles is indexed. For a seeded subset of them, two queries are made
from the article itself, the way a reader half-remembers a story:
  - headline: three to five content words of the title (stop words and words under 3 letters out),
    in a shuffled order, as typed into a search box;
  - detail: four content words picked from one sentence of the body, in their order.
Each query has one right answer (the article it came from; a copy with the same title also counts,
since syndicated copies are the same story). The figures are the mean reciprocal rank of the right
answer in the top 10 (MRR@10) and the share found in the top 10, for each ranking compared.
Nothing here is judged by hand; the check says whether weights hurt headline-style searches.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cstosearch.analysis import STOP_WORDS  # noqa: E402
from cstosearch.engines.whoosh.ranking import DEFAULT_RANKING, Ranking  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "news-58k.jsonl.gz"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def sample_articles(corpus: Path, count: int, seed: int) -> list[dict]:
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    random.Random(seed).shuffle(records)
    return [r for r in records if r.get("title") and r.get("text") and r.get("url")][:count]


def content_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w.lower() not in STOP_WORDS and "-" not in w]


def make_queries(articles: list[dict], count: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, query, url) triples."""
    chance = random.Random(seed)
    queries = []
    for article in chance.sample(articles, min(count, len(articles))):
        title_words = list(dict.fromkeys(content_words(article["title"])))
        if len(title_words) >= 3:
            picked = chance.sample(title_words, min(len(title_words), chance.randint(3, 5)))
            queries.append(("headline", " ".join(picked), article["url"]))
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", article["text"]) if len(content_words(s)) >= 6]
        if sentences:
            words = content_words(chance.choice(sentences[:8]))
            start = chance.randrange(0, len(words) - 3)
            queries.append(("detail", " ".join(words[start: start + 4]), article["url"]))
    return queries


def evaluate(engine, queries, same_title: dict[str, str]) -> dict[str, tuple[float, float, int]]:
    from cstosearch.query import SearchRequest

    figures: dict[str, list[float]] = {}
    for kind, query, url in queries:
        page = engine.search(SearchRequest(query=query, page_size=10, group_duplicates=False, with_snippets=False))
        rank = next((i for i, hit in enumerate(page.results, 1)
                     if hit.url == url or same_title.get(hit.url) == same_title[url]), None)
        figures.setdefault(kind, []).append(1.0 / rank if rank else 0.0)
    return {kind: (sum(rr) / len(rr), sum(1 for r in rr if r) / len(rr), len(rr)) for kind, rr in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300, help="articles to make queries from")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--index-dir", type=Path, help="reuse this index folder (built when empty)")
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus}")
    from cstosearch.engines.whoosh import WhooshSearchEngine
    from cstosearch.reindex import Indexer

    articles = sample_articles(args.corpus, args.articles, args.seed)
    queries = make_queries(articles, args.queries, args.seed)
    same_title = {a["url"].rstrip("/"): a["title"].strip().lower() for a in articles}
    same_title.update({a["url"]: a["title"].strip().lower() for a in articles})
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index_dir or Path(scratch) / "index"
        if not (index_dir / "whoosh").exists():
            sample = Path(scratch) / "sample" / "articles.jsonl"
            sample.parent.mkdir(parents=True)
            sample.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
            Indexer(index_dir, progress=False).run([sample.parent], rebuild=True)
        rankings = [
            ("chosen", DEFAULT_RANKING),
            ("plain BM25 (all weights 1, no coordination)", Ranking(coordination=0.0)),
            ("chosen, title x1", replace(DEFAULT_RANKING, title=1.0)),
            ("chosen, title x3", replace(DEFAULT_RANKING, title=3.0)),
            ("chosen, feedback from 6 words", replace(DEFAULT_RANKING, feedback_min_words=6)),
            ("chosen, feedback from 3 words", replace(DEFAULT_RANKING, feedback_min_words=3)),
            ("chosen, feedback articles counted alike", replace(DEFAULT_RANKING, feedback_sharpness=0.0)),
            ("chosen without feedback", replace(DEFAULT_RANKING, feedback_terms=0)),
            ("chosen without proximity", replace(DEFAULT_RANKING, proximity=0.0)),
            ("chosen, coordination 0.5", replace(DEFAULT_RANKING, coordination=0.5)),
            ("chosen, strict word count first", replace(DEFAULT_RANKING, coordination=8.0)),
        ]
        print(f"{len(articles)} articles, {len(queries)} queries (seed {args.seed})")
        print(f"{'ranking':<46} {'kind':<9} {'MRR@10':>7} {'found@10':>9} {'queries':>8}")
        for label, ranking in rankings:
            engine = WhooshSearchEngine(index_dir, ranking, time_limit_s=600)
            for kind, (mrr, found, n) in sorted(evaluate(engine, queries, same_title).items()):
                print(f"{label:<46} {kind:<9} {mrr:>7.3f} {found:>9.3f} {n:>8}", flush=True)
            engine.close()


if __name__ == "__main__":
    main()
