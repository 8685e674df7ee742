"""Build the comparison index: a SQLite FTS5 table over the same JSONL articles.

Run as its own process so that its time and memory are measured the same way as
``cstosearch index``:

    python benchmarks/peer_index.py SOURCE.jsonl[.gz] OUT.db
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

SCHEMA = """
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT,
    url TEXT,
    title TEXT,
    text TEXT,
    author TEXT,
    outlet TEXT,
    date TEXT,
    year INTEGER
);
"""

# External-content FTS5 table: the text is stored once, in `articles`, as
# cstosearch stores it once for its snippets. `content="articles"` (double
# quotes) is the form Datasette's FTS detection looks for.
FTS_SCHEMA = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, author, outlet,
    content="articles", content_rowid="rowid",
    tokenize='porter unicode61'
);
"""

INDEXES = (
    "CREATE INDEX idx_articles_outlet ON articles(outlet)",
    "CREATE INDEX idx_articles_year ON articles(year)",
    "CREATE INDEX idx_articles_date ON articles(date)",
)


def open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_rows(path: Path) -> Iterator[tuple]:
    with open_text(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            doc = json.loads(line)
            date = doc.get("date") or ""
            year = int(date[:4]) if date[:4].isdigit() else None
            yield (
                doc.get("id") or "",
                doc.get("url") or "",
                doc.get("title") or "",
                doc.get("text") or "",
                doc.get("author") or "",
                doc.get("outlet") or "",
                date,
                year,
            )


def build(source: Path, out: Path) -> int:
    if out.exists():
        out.unlink()
    conn = sqlite3.connect(out)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache for the build
    with conn:
        conn.executescript(SCHEMA)
        conn.executescript(FTS_SCHEMA)
        cur = conn.executemany(
            "INSERT INTO articles (id, url, title, text, author, outlet, date, year) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            read_rows(source),
        )
        count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        del cur
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
        for sql in INDEXES:
            conn.execute(sql)
    conn.execute("ANALYZE")
    conn.close()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    count = build(args.source, args.out)
    print(json.dumps({"articles": count, "db": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
