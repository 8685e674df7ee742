#!/usr/bin/env python3
"""Load a running cstosearch server with a mix of searches for a while, and report what it did.

    python scripts/loadtest.py --url http://127.0.0.1:8000 --duration 60 --concurrency 20 --pid <gunicorn master pid>

Each of C threads holds one HTTP/1.1 connection (http.client; it reconnects when the server
closes, as gunicorn's sync workers do after each response) and sends requests back to back
from the query mix: JSON searches with and without filters, HTML result pages, article pages,
CSV exports, story lists. Printed: requests, errors (transport failures and 5xx), req/s,
latency percentiles overall and per kind, status codes, and the resident memory of the
gunicorn workers before and after (given the master's pid).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import urlencode, urlsplit

# (kind, path without the article/story part). Words and filters suit a general news corpus;
# a few ask for things that do not exist, and one is misspelled, to exercise those paths.
SEARCHES = [
    {"q": "trump"}, {"q": "climate change"}, {"q": '"supreme court"'}, {"q": "immigration border wall"},
    {"q": "obama OR clinton"}, {"q": "healthcare -obamacare"}, {"q": "title:election"}, {"q": "senat*"},
    {"q": "russia sanctions"}, {"q": "tax reform"}, {"q": "gun control"}, {"q": "police shooting"},
    {"q": "immigraton"}, {"q": '"white house" press secretary'}, {"q": "north korea missile"},
    {"q": "brexit"}, {"q": "vaccine"}, {"q": "zzqxj nonexistentword"},
    {"q": "trump", "sort": "date"}, {"q": "election", "page": "2"}, {"q": "economy", "group": "off"},
    {"q": "trump", "year": "2016"}, {"q": "congress", "from": "2017-01-01", "to": "2017-12-31"},
    {"q": "president", "outlet": "Politico"}, {"q": "war", "page_size": "50"}, {"q": "", "year": "2019"},
]
MIX = [("api_search", 50), ("html_search", 20), ("article", 15), ("csv", 5), ("story", 5), ("all", 5)]


class Target:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.article_ids: list[str] = []
        self.story_queries: list[dict] = []

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def discover(self) -> None:
        """Article ids and story groups to ask for, from a few searches before the clock starts."""
        connection = self.connect()
        for params in SEARCHES[:12]:
            status, body = get(connection, "/api/search?" + urlencode({**params, "page_size": 20}))
            if status != 200:
                continue
            for hit in json.loads(body)["results"]:
                self.article_ids.append(hit["id"])
                if hit["group_size"] > 1:
                    self.story_queries.append({"q": params["q"], "story": hit["group_id"], "group": "off"})
        connection.close()
        if not self.article_ids:
            sys.exit("the server found no articles for the warm-up searches; is an index being served?")

    def request_path(self, rng: random.Random) -> tuple[str, str]:
        kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        if kind == "article":
            return kind, f"/api/articles/{rng.choice(self.article_ids)}" if rng.random() < .5 else \
                f"/article/{rng.choice(self.article_ids)}"
        if kind == "story" and self.story_queries:
            return kind, "/api/search?" + urlencode(rng.choice(self.story_queries))
        if kind == "all":
            return kind, "/api/search?page_size=1"
        params = urlencode(rng.choice(SEARCHES))
        if kind == "html_search":
            return kind, "/?" + params
        if kind == "csv":
            return kind, "/api/search.csv?" + params
        return "api_search", "/api/search?" + params


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    if response.will_close:
        connection.close()  # the next request opens a new connection
    return response.status, body


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()

    def add(self, kind: str, seconds: float, status: int | None, error: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status is not None:
                self.statuses[status] += 1
            if error:
                self.errors[error] += 1
            elif status is not None and status >= 500:
                self.errors[f"HTTP {status}"] += 1


def worker(target: Target, stats: Stats, stop_at: float, seed: int) -> None:
    rng = random.Random(seed)
    connection = target.connect()
    while time.monotonic() < stop_at:
        kind, path = target.request_path(rng)
        started = time.perf_counter()
        try:
            status, _ = get(connection, path)
            stats.add(kind, time.perf_counter() - started, status)
        except (OSError, http.client.HTTPException) as exc:
            stats.add(kind, time.perf_counter() - started, None, type(exc).__name__)
            connection.close()
            connection = target.connect()
    connection.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def worker_memory(master_pid: int | None) -> dict[int, int]:
    """pid -> resident bytes of each gunicorn worker (the master's children)."""
    if not master_pid:
        return {}
    import psutil

    try:
        master = psutil.Process(master_pid)
        return {child.pid: child.memory_info().rss for child in master.children()}
    except psutil.Error as exc:
        print(f"cannot read memory of pid {master_pid}: {exc}", file=sys.stderr)
        return {}


def mib(value: int) -> str:
    return f"{value / 2**20:.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of the running server")
    parser.add_argument("--duration", "-d", type=float, default=60, help="seconds of load (D)")
    parser.add_argument("--concurrency", "-c", type=int, default=20, help="concurrent connections (C)")
    parser.add_argument("--pid", type=int, help="pid of the gunicorn master, to report its workers' memory")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    target = Target(args.url)
    target.discover()
    before = worker_memory(args.pid)
    stats = Stats()
    started = time.monotonic()
    stop_at = started + args.duration
    threads = [threading.Thread(target=worker, args=(target, stats, stop_at, args.seed * 1000 + n), daemon=True)
               for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = worker_memory(args.pid)

    every = [s for values in stats.latencies.values() for s in values]
    errors = sum(stats.errors.values())
    print(f"target       {args.url}  duration {elapsed:.1f} s  connections {args.concurrency}")
    print(f"requests     {len(every)}")
    print(f"errors       {errors}" + (f"  ({dict(stats.errors)})" if errors else ""))
    print(f"req/s        {len(every) / elapsed:.1f}")
    if every:
        print("latency ms   p50 {:.1f}  p95 {:.1f}  p99 {:.1f}  mean {:.1f}  max {:.1f}".format(
            *(1000 * percentile(every, q) for q in (50, 95, 99)), 1000 * statistics.fmean(every), 1000 * max(every)))
    print(f"statuses     {dict(sorted(stats.statuses.items()))}")
    for kind, values in sorted(stats.latencies.items()):
        print(f"  {kind:<12} n={len(values):<6} p50 {1000 * percentile(values, 50):7.1f}  "
              f"p95 {1000 * percentile(values, 95):7.1f}  p99 {1000 * percentile(values, 99):7.1f} ms")
    if args.pid:
        print(f"worker RSS before  {', '.join(f'{pid}: {mib(rss)}' for pid, rss in sorted(before.items())) or '-'}"
              f"  (total {mib(sum(before.values()))})")
        print(f"worker RSS after   {', '.join(f'{pid}: {mib(rss)}' for pid, rss in sorted(after.items())) or '-'}"
              f"  (total {mib(sum(after.values()))})")
        replaced = set(before) ^ set(after)
        if replaced:
            print(f"workers replaced during the run: {sorted(replaced)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
