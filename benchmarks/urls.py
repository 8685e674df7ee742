"""The request each engine is sent for one query, and how its answer is read back."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from processes import HOST

PRIMARY_PEER = "datasette-ranked"  # the reference of the repeated-pass ratios


def cstosearch_path(query: dict, page_size: int) -> str:
    params: list[tuple[str, str]] = [("q", query["q"])]
    params += [("outlet", o) for o in query["outlet"]]
    if query["from"]:
        params.append(("from", query["from"]))
    if query["to"]:
        params.append(("to", query["to"]))
    params += [("sort", query["sort"]), ("page", str(query["page"])), ("page_size", str(page_size))]
    return "/api/search?" + urllib.parse.urlencode(params)


def ranked_peer_path(query: dict, page_size: int) -> str:
    name = "search_by_date" if query["sort"] == "date" else "search"
    params = {
        "q": query["fts"],
        "outlets": json.dumps(query["outlet"]) if query["outlet"] else "",
        "date_from": query["from"],
        "date_to": query["to"],
        "page": str(query["page"]),
        "page_size": str(page_size),
        "_shape": "array",
    }
    return f"/bench/{name}.json?" + urllib.parse.urlencode(params)


def table_peer_params(query: dict, size: int) -> list[tuple[str, str]]:
    params = [("_search", query["fts"]), ("_searchmode", "raw")]
    for col in ("id", "url", "title", "outlet", "author", "date"):
        params.append(("_col", col))
    if len(query["outlet"]) == 1:
        params.append(("outlet__exact", query["outlet"][0]))
    elif query["outlet"]:
        params.append(("outlet__in", json.dumps(query["outlet"])))
    if query["from"]:
        params.append(("date__gte", query["from"]))
    if query["to"]:
        params.append(("date__lte", query["to"]))
    if query["sort"] == "date":
        params.append(("_sort_desc", "date"))
    params.append(("_size", str(size)))
    return params


def table_peer_path(query: dict, page_size: int, port: int) -> str:
    """Datasette's own table view; a later page is reached with its `_next` token."""
    extra = [("_facet", "outlet"), ("_facet", "year"), ("_nosuggest", "1")]
    params = table_peer_params(query, page_size)
    if query["page"] > 1:
        skip = (query["page"] - 1) * page_size
        first = table_peer_params(query, skip) + [("_nocount", "1"), ("_nofacet", "1")]
        url = f"http://{HOST}:{port}/bench/articles.json?" + urllib.parse.urlencode(first)
        with urllib.request.urlopen(url, timeout=120) as resp:
            token = json.load(resp).get("next")
        # Fewer hits than the skipped pages: a token past every rowid gives the empty page.
        params.append(("_next", str(token) if token is not None else "9223372036854775807"))
    return "/bench/articles.json?" + urllib.parse.urlencode(params + extra)


def total_of(engine: str, body: bytes) -> tuple[int, int]:
    """(total hits, results on the page) read from a response body; raises on a malformed one."""
    data = json.loads(body)
    if engine == "cstosearch":
        return int(data["total"]), len(data["results"])
    if engine == "datasette-ranked":
        row = data[0]
        return int(row["total"]), len(json.loads(row["results"]))
    return int(data["filtered_table_rows_count"]), len(data["rows"])
