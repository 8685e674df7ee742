"""Error answers for the whole app: JSON under /api, an HTML page elsewhere, never a traceback."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from cstosearch.errors import IndexMissing

blueprint = Blueprint("errors", __name__)


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _slug(name: str) -> str:
    return "_".join(name.lower().split())


@blueprint.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    response = error.get_response()  # keeps headers such as Allow on 405
    code = error.code or 500
    message = error.description or error.name
    if code >= 500:
        message = "the server could not answer this request"
    if wants_json():
        body = jsonify(error=_slug(error.name), message=message)
        response.set_data(body.get_data())
        response.content_type = "application/json"
        return response
    page = render_template("error.html", code=code, title=error.name, message=message)
    response.set_data(page)
    response.content_type = "text/html; charset=utf-8"
    return response


@blueprint.app_errorhandler(IndexMissing)
def index_missing(error: IndexMissing):
    message = "the search index is not built yet"
    if wants_json():
        return jsonify(error="no_index", message=message), 503
    return render_template("error.html", code=503, title="Index missing", message=message), 503


@blueprint.app_errorhandler(Exception)
def unexpected(error: Exception):
    # Logged in full for the operator; the client sees a plain message without internals.
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return http_error(InternalServerError())
