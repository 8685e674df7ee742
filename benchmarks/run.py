"""Benchmark cstosearch against SQLite FTS5 served by Datasette, on the same articles.

    python benchmarks/run.py                      # all 58,627 articles: first pass and repeated passes
    python benchmarks/run.py --articles 2000      # a quick run
    python benchmarks/run.py --cstosearch-index DIR --peer-db FILE   # reuse indexes built before
    python benchmarks/run.py --scale              # synthetic 10k / 100k / 1M articles

See benchmarks/README.md for what is measured and why the peer is set up as it is.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compare import run_compare  # noqa: E402
from corpus import DEFAULT_CORPUS  # noqa: E402
from processes import BIN, REPO, snapshot_source  # noqa: E402
from scale import run_scale  # noqa: E402

PEERS = ("datasette-ranked", "datasette-table")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark cstosearch against SQLite FTS5 + Datasette.")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) articles (default: %(default)s)")
    p.add_argument("--articles", type=int, default=0, help="how many articles to sample; 0 = all (default)")
    p.add_argument("--queries", type=Path, default=HERE / "queries.json")
    p.add_argument(
        "--classes",
        type=lambda s: set(filter(None, s.split(","))),
        default=None,
        help="comma-separated query classes to run (default: all)",
    )
    p.add_argument("--max-queries", type=int, default=0, help="use N queries spread evenly over the set (0 = all)")
    p.add_argument("--clients", type=int, default=4, help="concurrent client threads (default 4)")
    p.add_argument("--rounds", type=int, default=2, help="measured passes over the query set (default 2)")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured passes first (default 1)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers for cstosearch (default 2)")
    p.add_argument(
        "--peers",
        type=lambda s: [x for x in s.split(",") if x],
        default=["datasette-ranked", "datasette-table"],
        help="peers to measure: datasette-ranked,datasette-table (empty string for none)",
    )
    p.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, s")
    p.add_argument("--phase-time-limit", type=float, default=600.0, help="stop a phase after this many s")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out-dir", type=Path, default=HERE, help="where RESULTS.md and results.json go")
    p.add_argument("--work-dir", type=Path, default=None, help="scratch space (default: a new temp dir)")
    p.add_argument("--keep-work", action="store_true", help="keep the scratch dir (indexes, logs)")
    p.add_argument("--cstosearch-bin", type=Path, default=BIN / "cstosearch")
    p.add_argument("--gunicorn-conf", type=Path, default=REPO / "src" / "cstosearch" / "gunicorn_conf.py")
    p.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the installed cstosearch as it is, instead of a copy of src/ taken at the start",
    )
    p.add_argument("--index-args", default="", help="extra options for `cstosearch index`, e.g. '--procs 2'")
    p.add_argument("--app", default="cstosearch.web:create_app()", help="gunicorn app spec (default: %(default)s)")
    p.add_argument(
        "--first-pass",
        type=int,
        default=800,
        help="generated queries each sent once, half at 1 client and half at --clients (0 = none; default 800)",
    )
    p.add_argument(
        "--first-pass-warmup", type=int, default=24, help="generated queries that warm a server up unmeasured"
    )
    p.add_argument(
        "--first-pass-scan", type=int, default=20_000, help="articles read to draw the queries from (0 = all)"
    )
    p.add_argument(
        "--headline-peer", default="datasette-table", choices=PEERS, help="the peer beside the first-pass headline"
    )
    p.add_argument("--no-repeated", dest="repeated", action="store_false", help="skip the repeated passes")
    p.add_argument(
        "--cstosearch-index",
        type=Path,
        default=None,
        help="serve this existing index folder (of the --corpus articles) instead of building one; only read",
    )
    p.add_argument(
        "--peer-db",
        type=Path,
        default=None,
        help="the FTS5 database: reused when it exists, else built there and kept",
    )
    p.add_argument("--scale", action="store_true", help="synthetic corpora at --scale-sizes instead")
    p.add_argument("--scale-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000, 1_000_000])
    p.add_argument("--scale-peer", action="store_true", help="also build and query the peer at each size")
    args = p.parse_args(argv)
    for peer in args.peers:
        if peer not in PEERS:
            p.error(f"unknown peer {peer!r}")
    if args.cstosearch_index is not None and not (args.cstosearch_index / "whoosh").is_dir():
        p.error(f"no cstosearch index in {args.cstosearch_index} (expected a whoosh/ folder)")
    if not args.corpus.exists():
        p.error(f"corpus not found: {args.corpus}")
    if not args.cstosearch_bin.exists():
        p.error(f"cstosearch executable not found: {args.cstosearch_bin} (run `pip install -e .`)")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    own_work = args.work_dir is None
    work = Path(tempfile.mkdtemp(prefix="cstosearch-bench-")) if own_work else args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    args.snapshot = None if args.no_snapshot else snapshot_source(work)
    runner: Callable[[argparse.Namespace, list[str], Path], int] = run_scale if args.scale else run_compare
    try:
        return runner(args, argv, work)
    finally:
        if args.keep_work or not own_work:
            print(f"scratch kept in {work}")
        else:
            subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main())
