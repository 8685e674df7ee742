"""The OpenAPI 3 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from copy import deepcopy

from cstosearch.query import MAX_OUTLETS, MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_DEPTH, SORTS
from cstosearch.web.openapi_feeds import FEED_SCHEMAS, feed_paths

STRING_LIST = {"type": "array", "items": {"type": "string"}}
# An empty value means "no filter", as an HTML form sends it.
OPTIONAL_DATE = {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$"}


def _query_param(name: str, schema: dict, description: str) -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
    if schema.get("type") == "array":
        param.update(style="form", explode=True)
    return param


SEARCH_PARAMETERS = [
    _query_param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS},
                 "Query text: words (all must match), \"phrases\", OR, NOT or -word, field:word, prefix*. "
                 "Empty with no filters matches every article."),
    _query_param("outlet", {**STRING_LIST, "maxItems": MAX_OUTLETS}, "Only these outlets (any of them)."),
    _query_param("author", {**STRING_LIST, "maxItems": MAX_OUTLETS}, "Only these authors (any of them)."),
    _query_param("from", OPTIONAL_DATE, "Published on or after this day (YYYY-MM-DD; empty: no bound). "
                 "A day that does not exist (2023-02-30) is answered 400."),
    _query_param("to", OPTIONAL_DATE, "Published on or before this day (YYYY-MM-DD; empty: no bound)."),
    _query_param("year", {"type": "array", "items": {"type": "string", "pattern": r"^(\d{4})?$"}},
                 "Only these years (empty values are ignored)."),
    _query_param("month", {"type": "array", "items": {"type": "string", "pattern": r"^(\d{4}-\d{2})?$"}},
                 "Only these months (YYYY-MM; empty values are ignored)."),
    _query_param("sort", {"type": "string", "enum": list(SORTS)}, "relevance (default) or date (newest first)."),
    _query_param("page", {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_DEPTH},
                 f"Page number, from 1. Results deeper than {MAX_RESULT_DEPTH} are not served: "
                 f"page × page_size > {MAX_RESULT_DEPTH} is answered 400."),
    _query_param("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                 f"Results per page (default 10, at most {MAX_PAGE_SIZE})."),
    _query_param("group", {"type": "string", "enum": ["on", "off"]},
                 "on (default): fold near-duplicate articles of one story into one result; off: list each."),
    _query_param("story", {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                 "Only the articles of this story (a group_id from the results); use with group=off."),
    _query_param("explain", {"type": "string", "enum": ["0", "1"]},
                 "1: add `explain`, how the query was read and how many articles each part matched."),
    _query_param("variants", {"type": "string", "enum": ["on", "off"]},
                 "on (default): a name is also searched in the other spellings learned from the articles "
                 "(Gaddafi, Qaddafi, Gadhafi), ranked as one word, and `variants` lists them; off: only the "
                 "spelling as typed."),
]

VARIANT_NOTE = {
    "type": "object", "required": ["word", "also"],
    "properties": {"word": {"type": "string", "description": "A word of the query, as typed."},
                   "also": {**STRING_LIST, "description": "Other spellings of its name searched with it."}},
}

NULLABLE_STRING = {"type": "string", "nullable": True}
NULLABLE_STRING_FIELD = {"type": "string", "nullable": True, "description": "null: every searchable field."}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Hit": {
        "type": "object",
        "required": ["id", "url", "title", "title_is_derived", "outlet", "author", "published", "snippet",
                     "caption_snippet", "score", "group_id", "group_size"],
        "properties": {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "title": {"type": "string"},
            "title_is_derived": {"type": "boolean"},
            "outlet": {"type": "string"},
            "author": {"type": "string", "description": "Authors joined with \", \"."},
            "published": {**NULLABLE_STRING, "description": "YYYY-MM-DD, or null when unknown."},
            "snippet": {"type": "string", "description": "HTML: matches in <mark>, everything else escaped."},
            "caption_snippet": {"type": "string", "description": "HTML from photo captions, or \"\"."},
            "score": {"type": "number", "nullable": True, "description": "null when sorted by date."},
            "group_id": {"type": "string"},
            "group_size": {"type": "integer", "minimum": 1},
            "missing": {"type": "array", "items": {"type": "string"},
                        "description": "Words of a plain search this article lacks (it follows those with all)."},
        },
    },
    "ClauseReading": {
        "type": "object", "required": ["clause", "kind", "role", "field", "matches"],
        "properties": {
            "clause": {"type": "string"}, "kind": {"type": "string"},
            "role": {"type": "string", "enum": ["optional", "required", "excluded"]},
            "field": NULLABLE_STRING_FIELD, "matches": {"type": "integer", "minimum": 0},
        },
    },
    "FacetValue": {
        "type": "object", "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}},
    },
    "SearchPage": {
        "type": "object",
        "required": ["query", "total", "page", "page_size", "page_count", "results", "facets", "sort", "relaxed",
                     "notice", "grouped", "total_groups", "did_you_mean", "filters"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0, "description": "Matching articles."},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            "page_count": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {
                "type": "object", "required": ["outlet", "author", "year", "month"],
                "description": "Each facet is counted under every filter except its own.",
                "properties": {name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                               for name in ("outlet", "author", "year", "month")},
            },
            "sort": {"type": "string", "enum": list(SORTS)},
            "relaxed": {"type": "boolean"},
            "notice": {"type": "string"},
            "grouped": {"type": "boolean"},
            "total_groups": {"type": "integer", "minimum": 0},
            "did_you_mean": {"type": "string"},
            "total_all_words": {"type": "integer", "minimum": 0, "nullable": True,
                                "description": "Of total, how many have every word of a plain search."},
            "explain": {
                "type": "object", "description": "With explain=1: the query as read.",
                "properties": {
                    "reading": {"type": "string"},
                    "clauses": {"type": "array", "items": {"$ref": "#/components/schemas/ClauseReading"}},
                    "ignored_words": STRING_LIST, "widened": {"type": "boolean"}, "notes": STRING_LIST,
                    "variants": {"type": "array", "items": VARIANT_NOTE},
                },
            },
            "variants": {"type": "array", "items": VARIANT_NOTE,
                         "description": "Other spellings of the query's names that were searched too."},
            "exact": {"type": "boolean", "description": "true with variants=off: only the spellings as typed."},
            "filters": {
                "type": "object",
                "properties": {
                    "outlet": STRING_LIST, "author": STRING_LIST, "year": STRING_LIST, "month": STRING_LIST,
                    "from": NULLABLE_STRING, "to": NULLABLE_STRING, "story": NULLABLE_STRING,
                },
            },
        },
    },
    "Caption": {
        "type": "object", "required": ["text", "credit"],
        "properties": {"text": {"type": "string"}, "credit": {"type": "string"}},
    },
    "Article": {
        "type": "object",
        "required": ["id", "url", "title", "display_title", "title_is_derived", "subtitle", "authors",
                     "published_at", "outlet_name", "paragraphs", "captions", "content_hash", "related"],
        "properties": {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "title": {"type": "string", "description": "As in the source; \"\" when it has none."},
            "display_title": {"type": "string"},
            "title_is_derived": {"type": "boolean"},
            "subtitle": {"type": "string"},
            "authors": STRING_LIST,
            "published_at": {"type": "string", "description": "YYYY-MM-DD, or \"\" when unknown."},
            "outlet_name": {"type": "string"},
            "paragraphs": STRING_LIST,
            "captions": {"type": "array", "items": {"$ref": "#/components/schemas/Caption"}},
            "language": {"type": "string"},
            "content_hash": {"type": "string"},
            "related": {"type": "array", "description": "Other articles of the same story, newest first.",
                        "items": {"$ref": "#/components/schemas/Hit"}},
        },
    },
}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}
SEARCH_ERRORS = {
    "400": _error("The request cannot be answered as asked (bad parameter, query too long, too deep)."),
    "414": _error("The request line is too long."),
    "431": _error("Too many request headers, or one too large."),
    "503": _error("The search ran past its time limit, or there is no index."),
}

SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "cstosearch",
        "version": "1",
        "description": "Full-text search over cleaned news articles. Every HTML page has a JSON twin here.",
    },
    "paths": {
        "/api/search": {"get": {
            "operationId": "search",
            "summary": "Search articles, with facets and highlighted snippets",
            "parameters": [*SEARCH_PARAMETERS, _query_param(
                "format", {"type": "string", "enum": ["json", "csv"]}, "json (default) or csv (the result list).")],
            "responses": {
                "200": {"description": "One page of results", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SearchPage"}}, **CSV_CONTENT}},
                **SEARCH_ERRORS,
            },
        }},
        "/api/search.csv": {"get": {
            "operationId": "searchCsv",
            "summary": "The result list of a search as CSV (cells that could be formulas start with ')",
            "parameters": SEARCH_PARAMETERS,
            "responses": {"200": {"description": "One page of results as CSV", "content": CSV_CONTENT},
                          **SEARCH_ERRORS},
        }},
        "/api/articles/{article_id}": {"get": {
            "operationId": "article",
            "summary": "One whole cleaned article, with the other articles of its story",
            "parameters": [{"name": "article_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The article",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Article"}}}},
                "404": _error("No article with this id."),
                "503": _error("There is no index."),
            },
        }},
        "/api/openapi.json": {"get": {
            "operationId": "openapi",
            "summary": "This description",
            "responses": {"200": {"description": "OpenAPI 3 document",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    },
    "components": {"schemas": {**SCHEMAS, **FEED_SCHEMAS}},
}
SPEC["paths"].update(feed_paths(SEARCH_PARAMETERS))


def openapi_spec() -> dict:
    return deepcopy(SPEC)
