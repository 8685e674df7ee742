"""The benchmark's articles: a seeded sample of the corpus written to a JSONL file."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news-58k.jsonl.gz"


def count_lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def write_sample(corpus: Path, n: int, out: Path, seed: int) -> int:
    """Write N articles of the corpus (a seeded uniform sample, in corpus order) to `out`."""
    total = count_lines(corpus)
    wanted = None if n <= 0 or n >= total else set(random.Random(seed).sample(range(total), n))
    opener = gzip.open if corpus.suffix == ".gz" else open
    written = 0
    with opener(corpus, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        i = 0
        for line in src:
            if not line.strip():
                continue
            if wanted is None or i in wanted:
                dst.write(line if line.endswith("\n") else line + "\n")
                written += 1
            i += 1
    return written


def read_articles(path: Path, limit: int, seed: int) -> list[dict]:
    """Up to `limit` articles of a JSONL(.gz) file (a seeded uniform sample, in file order; 0 = all)."""
    total = count_lines(path)
    wanted = None if limit <= 0 or limit >= total else set(random.Random(seed).sample(range(total), limit))
    opener = gzip.open if path.suffix == ".gz" else open
    docs = []
    with opener(path, "rt", encoding="utf-8") as fh:
        i = 0
        for line in fh:
            if not line.strip():
                continue
            if wanted is None or i in wanted:
                docs.append(json.loads(line))
            i += 1
    return docs
