"""The JSON API: the twin of every HTML page, with the same parameters."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from cstosearch.errors import BadQuery, IndexMissing
from cstosearch.query import request_from_args
from cstosearch.search import SearchTimeout
from cstosearch.web import engine
from cstosearch.web.export import csv_response
from cstosearch.web.openapi import openapi_spec

blueprint = Blueprint("api", __name__, url_prefix="/api")

FORMATS = ("json", "csv")


@blueprint.errorhandler(BadQuery)
def bad_query(error: BadQuery):
    return jsonify(error="bad_query", message=str(error)), 400


@blueprint.errorhandler(SearchTimeout)
def timed_out(error: SearchTimeout):
    return jsonify(error="timeout", message=str(error)), 503


@blueprint.errorhandler(IndexMissing)
def no_index(error: IndexMissing):
    return jsonify(error="no_index", message=str(error)), 503


def _search_page():
    return engine().search(request_from_args(request.args))


@blueprint.get("/search")
def search():
    wanted = request.args.get("format") or "json"
    if wanted not in FORMATS:
        raise BadQuery(f"format must be one of {', '.join(FORMATS)}")
    page = _search_page()
    if wanted == "csv":
        return csv_response(page)
    return jsonify(page.to_dict())


@blueprint.get("/search.csv")
def search_csv():
    return csv_response(_search_page())


@blueprint.get("/articles/<article_id>")
def article(article_id: str):
    found = engine().article(article_id)
    if found is None:
        return jsonify(error="not_found", message=f"no article with id {article_id[:40]!r}"), 404
    data = found.to_dict()
    data.pop("source_path", None)  # a path on the server, never shown
    data["related"] = [asdict(hit) for hit in engine().related(article_id)]
    return jsonify(data)


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
