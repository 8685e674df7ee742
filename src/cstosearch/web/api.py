"""The JSON API: the twin of every HTML page, with the same parameters."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from cstosearch.errors import BadQuery, IndexMissing
from cstosearch.query import request_from_args
from cstosearch.search import SearchTimeout
from cstosearch.web import engine

blueprint = Blueprint("api", __name__, url_prefix="/api")


@blueprint.errorhandler(BadQuery)
def bad_query(error: BadQuery):
    return jsonify(error="bad_query", message=str(error)), 400


@blueprint.errorhandler(SearchTimeout)
def timed_out(error: SearchTimeout):
    return jsonify(error="timeout", message=str(error)), 503


@blueprint.errorhandler(IndexMissing)
def no_index(error: IndexMissing):
    return jsonify(error="no_index", message=str(error)), 503


@blueprint.get("/search")
def search():
    page = engine().search(request_from_args(request.args))
    return jsonify(page.to_dict())


@blueprint.get("/articles/<article_id>")
def article(article_id: str):
    found = engine().article(article_id)
    if found is None:
        return jsonify(error="not_found", message=f"no article with id {article_id[:40]!r}"), 404
    return jsonify(found.to_dict())
