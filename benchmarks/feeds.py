"""What following searches costs: the recording step after each run, and building or revalidating a feed.

Indexes a seeded sample of the corpus (one run), follows a few searches, runs a second re-index
that adds more articles, and times record_run, the feeds (cold and warm) and a 304 revalidation.

    .venv/bin/python benchmarks/feeds.py --articles 20000 --nightly 500
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cstosearch import feeds
from cstosearch.follow import FOLLOWS_FILE, FollowStore, followed_search
from cstosearch.query import SearchRequest
from cstosearch.reindex import Indexer
from cstosearch.search import WhooshSearchEngine
from cstosearch.web import create_app

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news-58k.jsonl.gz"
FOLLOWED = [SearchRequest(query="Pashinyan"), SearchRequest(query="Putin"),
            SearchRequest(query="climate change"), SearchRequest(query="election", date_from="2016-01-01"),
            SearchRequest(query='"health care"'), SearchRequest()]


def sample_lines(count: int, seed: int) -> list[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    return random.Random(seed).sample(lines, count)


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000, help="Articles in the first run.")
    parser.add_argument("--nightly", type=int, default=500, help="Articles the second run adds.")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"the corpus is not at {CORPUS}")
    lines = sample_lines(args.articles + args.nightly, args.seed)
    with tempfile.TemporaryDirectory(prefix="cstosearch-feeds-") as work:
        root = Path(work)
        inbox, index_dir = root / "inbox", root / "index"
        (inbox / "night1").mkdir(parents=True)
        (inbox / "night1" / "articles.jsonl").write_text("".join(lines[:args.articles]))

        seconds, report = timed(lambda: Indexer(index_dir, procs=args.procs, progress=False).run([inbox], rebuild=True))
        # The run recorded itself; record it again from scratch to time recording every article.
        (index_dir / FOLLOWS_FILE).unlink()
        record_first, _ = timed(lambda: feeds.record_run(index_dir, "", "2026-01-01T00:00:00+00:00", True))
        print(f"first run: {report.documents} documents in {seconds:.1f} s; "
              f"recording a run of every article afterwards: {record_first:.2f} s")

        engine = WhooshSearchEngine(index_dir)
        with FollowStore.beside(index_dir) as store:
            for request in FOLLOWED:
                feeds.follow(engine, store, followed_search(request))
        engine.close()

        (inbox / "night2").mkdir()
        (inbox / "night2" / "articles.jsonl").write_text("".join(lines[args.articles:]))
        seconds, report = timed(lambda: Indexer(index_dir, procs=1, progress=False).run([inbox]))
        started = time.perf_counter()
        counts = feeds.record_run(index_dir, "", "2026-01-02T00:00:00+00:00", False)
        record_second = time.perf_counter() - started
        print(f"nightly run: added {report.added} in {seconds:.1f} s (recording included); "
              f"recording and counting {len(FOLLOWED)} followed searches alone: {record_second:.2f} s")
        for count in report.followed:
            print(f"  {count['label']}: {count['new_matches']} new")
        assert [c.new_matches for c in counts] == [0] * len(counts), "a run that changed nothing adds nothing"

        client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
        cold, warm, revalidate = [], [], []
        for request in FOLLOWED:
            url = f"/feeds/{followed_search(request).id}.atom"
            cold.append(timed(lambda url=url: client.get(url))[0])
            took, response = timed(lambda url=url: client.get(url))
            warm.append(took)
            etag = response.headers["ETag"]
            took, answer = timed(lambda url=url, etag=etag: client.get(url, headers={"If-None-Match": etag}))
            assert answer.status_code == 304
            revalidate.append(took)
        for name, values in (("cold", cold), ("warm", warm), ("304", revalidate)):
            print(f"feed {name}: median {statistics.median(values) * 1000:.1f} ms, "
                  f"max {max(values) * 1000:.1f} ms over {len(values)} feeds")


if __name__ == "__main__":
    main()
