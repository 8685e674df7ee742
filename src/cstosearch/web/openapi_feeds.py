"""The OpenAPI description of followed searches and their feeds, merged into /api/openapi.json."""

from __future__ import annotations

from cstosearch.follow import FOLLOW_ID_LENGTH


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


FOLLOWED_SEARCH_FIELDS = {
    "id": {"type": "string", "pattern": f"^[0-9a-f]{{{FOLLOW_ID_LENGTH}}}$"},
    "label": {"type": "string"},
    "params": {"type": "array", "description": "The normalised search parameters as [name, value] pairs.",
               "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}},
    "created_at": {"type": "string"},
    "search_url": {"type": "string"},
    "feed_url": {"type": "string", "description": "The Atom feed."},
    "api_url": {"type": "string", "description": "This feed as JSON."},
}
NEW_MATCHES = {
    "type": "object", "nullable": True, "required": ["run", "matches", "since"],
    "description": "What the latest counted run added to the search, since the run before it ended; "
                   "null before any run has been counted.",
    "properties": {"run": {"type": "integer"}, "matches": {"type": "integer", "minimum": 0},
                   "since": {"type": "string"}},
}

FEED_SCHEMAS = {
    "FollowedSearch": {"type": "object", "required": list(FOLLOWED_SEARCH_FIELDS),
                       "properties": FOLLOWED_SEARCH_FIELDS},
    "FollowedSearchCounted": {
        "type": "object", "required": [*FOLLOWED_SEARCH_FIELDS, "new_matches"],
        "properties": {**FOLLOWED_SEARCH_FIELDS, "new_matches": NEW_MATCHES}},
    "FeedEntry": {"allOf": [{"$ref": "#/components/schemas/Hit"}, {
        "type": "object", "required": ["run", "run_finished_at", "article_page"],
        "properties": {"run": {"type": "integer"}, "run_finished_at": {"type": "string"},
                       "article_page": {"type": "string"}}}]},
    "Feed": {
        "type": "object", "required": [*FOLLOWED_SEARCH_FIELDS, "updated", "new_matches", "entries"],
        "properties": {
            **FOLLOWED_SEARCH_FIELDS, "updated": {"type": "string"}, "new_matches": NEW_MATCHES,
            "entries": {"type": "array", "description": "Newest run first; within a run, newest published first.",
                        "items": {"$ref": "#/components/schemas/FeedEntry"}}}},
}

UNAVAILABLE = _error("The followed-searches file cannot be read or written, or there is no index.")


def feed_paths(search_parameters: list[dict]) -> dict:
    return {
        "/api/feeds/{feed_id}": {"get": {
            "operationId": "feed",
            "summary": "What each re-index run added to a followed search (JSON twin of /feeds/{feed_id}.atom)",
            "parameters": [{"name": "feed_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": _json("The feed", {"$ref": "#/components/schemas/Feed"}),
                "304": {"description": "Not modified since the ETag or date the client holds."},
                "404": _error("No followed search with this id."),
                "503": UNAVAILABLE,
            },
        }},
        "/api/follows": {
            "get": {
                "operationId": "follows",
                "summary": "Every followed search, with what the latest run added to it",
                "responses": {
                    "200": _json("Followed searches", {
                        "type": "object", "required": ["follows"],
                        "properties": {"follows": {"type": "array",
                                                   "items": {"$ref": "#/components/schemas/FollowedSearchCounted"}}}}),
                    "503": UNAVAILABLE,
                },
            },
            "post": {
                "operationId": "follow",
                "summary": "Follow a search given by the parameters of /api/search (sort and paging are ignored)",
                "parameters": search_parameters,
                "responses": {
                    "201": _json("Followed (again following a search is harmless)",
                                 {"$ref": "#/components/schemas/FollowedSearch"}),
                    "400": _error("The search parameters are not valid."),
                    "503": UNAVAILABLE,
                },
            },
        },
    }
