"""Regenerate ``benchmarks/queries.json``, the committed query set, from a peer index.

    python benchmarks/peer_index.py ../shared/corpus/news-58k.jsonl.gz /tmp/full.db
    python benchmarks/make_queries.py /tmp/full.db

Each base query is written twice by hand: in cstosearch syntax (``q``) and as the
equivalent FTS5 expression (``fts``). Plain words search title and body in both
engines, so the FTS5 form restricts them to ``{title text}``. The outlet filter
of each base query is the outlet with the most matches, and its date window is
the two calendar years with the most matches in that outlet, counted on the full corpus,
so that filtered queries return something. The counts are kept in the file as
``corpus_hits`` so that anyone can see what each query does.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (class, cstosearch query, FTS5 query)
BASE_QUERIES: list[tuple[str, str, str]] = [
    ("common", "said", '{title text} : "said"'),
    ("common", "president", '{title text} : "president"'),
    ("rare", "cocoa", '{title text} : "cocoa"'),
    ("rare", "gerrymandering", '{title text} : "gerrymandering"'),
    ("and", "climate change", '{title text} : ("climate" AND "change")'),
    ("and", "interest rates", '{title text} : ("interest" AND "rates")'),
    ("phrase", '"white house"', '{title text} : "white house"'),
    ("phrase", '"prime minister"', '{title text} : "prime minister"'),
    ("or", "vaccine OR quarantine", '{title text} : ("vaccine" OR "quarantine")'),
    ("or", "hurricane OR wildfire", '{title text} : ("hurricane" OR "wildfire")'),
    ("not", "immigration -trump", '{title text} : ("immigration" NOT "trump")'),
    ("not", "obamacare NOT repeal", '{title text} : ("obamacare" NOT "repeal")'),
    ("field", "title:coronavirus", 'title : "coronavirus"'),
    ("field", "author:dinan", 'author : "dinan"'),
]

PAGES = (1, 5)
PAGE_SIZE = 10


def profile(conn: sqlite3.Connection, fts: str) -> tuple[int, str, int]:
    """Total hits, the outlet with most hits, the first year of its busiest two-year window."""
    total = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (fts,)).fetchone()[0]
    outlet_row = conn.execute(
        "SELECT a.outlet, count(*) AS n FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
        " WHERE articles_fts MATCH ? AND a.outlet != '' GROUP BY a.outlet ORDER BY n DESC, a.outlet LIMIT 1",
        (fts,),
    ).fetchone()
    outlet = outlet_row[0] if outlet_row else ""
    years = dict(
        conn.execute(
            "SELECT a.year, count(*) FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? AND a.year IS NOT NULL AND (? = '' OR a.outlet = ?)"
            " GROUP BY a.year",
            (fts, outlet, outlet),
        ).fetchall()
    )
    best_year = max(years, key=lambda y: (years.get(y, 0) + years.get(y + 1, 0), y)) if years else 2016
    return total, outlet, best_year


def count(conn: sqlite3.Connection, fts: str, outlet: str, date_from: str, date_to: str) -> int:
    sql = (
        "SELECT count(*) FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
        " WHERE articles_fts MATCH :fts"
        " AND (:outlet = '' OR a.outlet = :outlet)"
        " AND (:date_from = '' OR a.date >= :date_from)"
        " AND (:date_to = '' OR a.date <= :date_to)"
    )
    params = {"fts": fts, "outlet": outlet, "date_from": date_from, "date_to": date_to}
    return conn.execute(sql, params).fetchone()[0]


def build_queries(conn: sqlite3.Connection) -> list[dict]:
    queries = []
    for cls, q, fts in BASE_QUERIES:
        _total, outlet, year = profile(conn, fts)
        window = (f"{year}-01-01", f"{year + 1}-12-31")
        variants = [
            ("none", "", ("", "")),
            ("outlet", outlet, ("", "")),
            ("date", "", window),
            ("outlet+date", outlet, window),
        ]
        slug = "".join(ch if ch.isalnum() else "-" for ch in q.lower()).strip("-")
        for variant, outlet_value, (date_from, date_to) in variants:
            hits = count(conn, fts, outlet_value, date_from, date_to)
            for page in PAGES:
                queries.append(
                    {
                        "id": f"{cls}:{slug}:{variant}:p{page}",
                        "class": cls,
                        "variant": variant,
                        "q": q,
                        "fts": fts,
                        "outlet": [outlet_value] if outlet_value else [],
                        "from": date_from,
                        "to": date_to,
                        "sort": "relevance",
                        "page": page,
                        "corpus_hits": hits,
                    }
                )
        hits = count(conn, fts, "", "", "")
        queries.append(
            {
                "id": f"{cls}:{slug}:date-sort:p1",
                "class": cls,
                "variant": "date-sort",
                "q": q,
                "fts": fts,
                "outlet": [],
                "from": "",
                "to": "",
                "sort": "date",
                "page": 1,
                "corpus_hits": hits,
            }
        )
    return queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the committed query set.")
    parser.add_argument("peer_db", type=Path, help="an FTS5 database built by peer_index.py from the full corpus")
    parser.add_argument("--out", type=Path, default=HERE / "queries.json")
    args = parser.parse_args(argv)
    conn = sqlite3.connect(f"file:{args.peer_db}?mode=ro", uri=True)
    queries = build_queries(conn)
    doc = {
        "about": (
            "Fixed query set for benchmarks/run.py. q is cstosearch syntax, fts the equivalent "
            "FTS5 MATCH expression for the SQLite peer. corpus_hits counts FTS5 matches on the "
            "full 58,627-article corpus (made by make_queries.py)."
        ),
        "page_size": PAGE_SIZE,
        "queries": queries,
    }
    args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(queries)} queries to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
