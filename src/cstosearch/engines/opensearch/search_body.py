"""One search request as an OpenSearch request body: filters, facet aggregations, folding, highlights.

Facets follow the Whoosh engine's rule: each counts the matches under every filter but its own.
The filters therefore go in ``post_filter`` (they narrow the hits, not the aggregations), and
each facet aggregates inside a ``filter`` aggregation holding the other filters.
"""

from __future__ import annotations

from cstosearch.query import SearchRequest

SNIPPET_CHARS = 240
FACET_LIMIT = 50
MONTH_LIMIT = 240
# facet -> (keyword field, the filter kind that does not narrow its own counts)
FACET_FIELDS = {
    "outlet": ("outlet_facet", "outlet"), "author": ("authors", "author"),
    "year": ("year", "date"), "month": ("month", "date"),
}
# Exact below this many distinct stories (HyperLogLog's linear counting range).
GROUP_COUNT_PRECISION = 40_000
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def filter_clauses(request: SearchRequest) -> dict[str, dict]:
    """The request's filters, one clause per kind (outlet, author, story, date)."""
    clauses: dict[str, dict] = {}
    if request.outlets:
        clauses["outlet"] = {"terms": {"outlet_facet": list(request.outlets)}}
    if request.authors:
        clauses["author"] = {"terms": {"authors": list(request.authors)}}
    if request.story:
        clauses["story"] = {"term": {"group_id": request.story}}
    date_parts = []
    if request.date_from or request.date_to:
        bounds = {}
        if request.date_from:
            bounds["gte"] = request.date_from
        if request.date_to:
            bounds["lte"] = request.date_to
        date_parts.append({"range": {"published": bounds}})
    if request.years:
        date_parts.append({"terms": {"year": list(request.years)}})
    if request.months:
        date_parts.append({"terms": {"month": list(request.months)}})
    if date_parts:
        clauses["date"] = {"bool": {"filter": date_parts}}
    return clauses


def _all_of(clauses: list[dict]) -> dict:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def facet_aggregations(filters: dict[str, dict]) -> dict:
    aggregations = {}
    for facet, (fieldname, own) in FACET_FIELDS.items():
        if facet in ("outlet", "author"):
            terms = {"field": fieldname, "size": FACET_LIMIT, "shard_size": 10 * FACET_LIMIT,
                     "order": [{"_count": "desc"}, {"_key": "asc"}]}
        else:
            terms = {"field": fieldname, "size": FACET_LIMIT if facet == "year" else MONTH_LIMIT,
                     "order": {"_key": "desc"}}
        others = [clause for kind, clause in filters.items() if kind != own]
        aggregations[f"facet_{facet}"] = {"filter": _all_of(others), "aggs": {"values": {"terms": terms}}}
    return aggregations


def search_body(request: SearchRequest, query: dict, highlight_query: dict | None,
                every_clause: dict | None, by_date: bool, tiered: bool) -> dict:
    """The request body; ``by_date`` sorts newest first (after the word-count tier when ``tiered``)."""
    filters = filter_clauses(request)
    everything_filtered = _all_of(list(filters.values()))
    aggregations = facet_aggregations(filters)
    grouping = request.group_duplicates and not request.story
    if grouping:
        aggregations["stories"] = {"filter": everything_filtered, "aggs": {"count": {"cardinality": {
            "field": "group_id", "precision_threshold": GROUP_COUNT_PRECISION}}}}
    if every_clause is not None:
        aggregations["every_word"] = {"filter": {"bool": {"filter": [every_clause, everything_filtered]}}}
    body: dict = {
        "query": query,
        "track_total_hits": True,
        "from": request.offset,
        "size": request.page_size,
        "_source": ["article", "group_id"],
        "aggs": aggregations,
    }
    if filters:
        body["post_filter"] = everything_filtered
    if by_date:
        newest = [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        body["sort"] = [{"_score": "desc"}, *newest] if tiered else newest
    if grouping:
        body["collapse"] = {"field": "group_id"}
    if highlight_query is not None:
        body["highlight"] = {
            "type": "unified", "encoder": "html", "pre_tags": [MARK_OPEN], "post_tags": [MARK_CLOSE],
            "highlight_query": highlight_query,
            "fields": {"body": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 2},
                       # Each matching caption whole, as the Whoosh engine shows them.
                       "captions": {"number_of_fragments": 0}},
        }
    return body


def group_sizes_body(query: dict, request: SearchRequest, group_ids: list[str]) -> dict:
    """How many matching articles each of these stories has, under the same query and filters."""
    filters = list(filter_clauses(request).values())
    return {
        "size": 0, "track_total_hits": False,
        # Filter context: only which articles match counts here, so nothing is scored.
        "query": {"bool": {"filter": [query, *filters, {"terms": {"group_id": group_ids}}]}},
        "aggs": {"sizes": {"terms": {"field": "group_id", "size": len(group_ids)}}},
    }
