"""Time a nightly re-index that adds N new articles to a large index, against rebuilding it all.

    .venv/bin/python benchmarks/reindex_growth.py --base 50000 --new 1000

Both runs use the same articles from the JSONL corpus and the `cstosearch` command, one after
the other on the same machine; it prints wall-clock seconds and the ratio.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "news-58k.jsonl.gz"
CLI = [sys.executable, "-m", "cstosearch.cli"]


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--base", type=int, default=50_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    work = Path(tempfile.mkdtemp(prefix="cstosearch-reindex-"))
    try:
        inbox = work / "inbox"
        (inbox / "day1").mkdir(parents=True)
        (inbox / "day2").mkdir()
        with gzip.open(args.corpus, "rt", encoding="utf-8") as corpus:
            lines = list(itertools.islice(corpus, args.base + args.new))
        (inbox / "day1" / "base.jsonl").write_text("".join(lines[: args.base]), encoding="utf-8")
        procs = ["--procs", str(args.procs)]
        base_s, base_out = timed(CLI + ["index", str(inbox / "day1"), "--index-dir", str(work / "nightly")] + procs)
        (inbox / "day2" / "new.jsonl").write_text("".join(lines[args.base:]), encoding="utf-8")
        nightly_s, nightly_out = timed(CLI + ["reindex", str(inbox), "--index-dir", str(work / "nightly")])
        full_s, full_out = timed(CLI + ["index", str(inbox), "--index-dir", str(work / "full")] + procs)
        figures = {
            "base_articles": args.base, "new_articles": args.new,
            "build_base_s": round(base_s, 1), "reindex_new_s": round(nightly_s, 1),
            "rebuild_all_s": round(full_s, 1), "rebuild_over_reindex": round(full_s / nightly_s, 1),
            "reindex_report": nightly_out, "rebuild_report": full_out,
        }
        print(json.dumps(figures, indent=2))
        print(f"\nadd {args.new} to {args.base}: {nightly_s:.1f} s; rebuild all {args.base + args.new}: "
              f"{full_s:.1f} s ({full_s / nightly_s:.1f}x longer)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
