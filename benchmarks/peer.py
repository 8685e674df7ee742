"""The SQLite FTS5 peer as Datasette serves it: the ranked canned queries and the server settings."""

from __future__ import annotations

PEER_FILTERS = """
    AND (:outlets = '' OR a.outlet IN (SELECT value FROM json_each(:outlets)))
    AND (:date_from = '' OR a.date >= :date_from)
    AND (:date_to = '' OR a.date <= :date_to)"""

# One request returns what one cstosearch request returns: the exact total, outlet
# and year counts over all matches, and one page of hits in rank order (bm25,
# FTS5's `rank`) with a snippet of the body.
RANKED_SQL = """
WITH hits AS MATERIALIZED (
  SELECT a.outlet, a.year
  FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
  WHERE articles_fts MATCH :q{filters}
),
page AS (
  SELECT a.id, a.url, a.title, a.outlet, a.author, a.date AS published,
         snippet(articles_fts, 1, '<b>', '</b>', '…', 24) AS snippet,
         articles_fts.rank AS score
  FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
  WHERE articles_fts MATCH :q{filters}
  ORDER BY {order}
  LIMIT CAST(:page_size AS INTEGER)
  OFFSET (CAST(:page AS INTEGER) - 1) * CAST(:page_size AS INTEGER)
)
SELECT
  (SELECT count(*) FROM hits) AS total,
  (SELECT json_group_array(json_object('value', outlet, 'count', n)) FROM
     (SELECT outlet, count(*) AS n FROM hits GROUP BY outlet ORDER BY n DESC, outlet LIMIT 30)) AS facet_outlet,
  (SELECT json_group_array(json_object('value', year, 'count', n)) FROM
     (SELECT year, count(*) AS n FROM hits GROUP BY year ORDER BY n DESC, year LIMIT 30)) AS facet_year,
  (SELECT json_group_array(json_object('id', id, 'url', url, 'title', title, 'outlet', outlet,
     'author', author, 'published', published, 'snippet', snippet, 'score', score)) FROM page) AS results
"""


def datasette_metadata() -> dict:
    return {
        "title": "cstosearch benchmark peer",
        "databases": {
            "bench": {
                "tables": {"articles": {"fts_table": "articles_fts", "fts_pk": "rowid"}},
                "queries": {
                    "search": {
                        "sql": RANKED_SQL.format(filters=PEER_FILTERS, order="articles_fts.rank"),
                    },
                    "search_by_date": {
                        "sql": RANKED_SQL.format(filters=PEER_FILTERS, order="a.date DESC, articles_fts.rank"),
                    },
                },
            }
        },
    }


DATASETTE_SETTINGS = {
    # Large enough that no query of the set is cut short: cstosearch has no such limit.
    "sql_time_limit_ms": "60000",
    "facet_time_limit_ms": "60000",
    "num_sql_threads": "3",
}
