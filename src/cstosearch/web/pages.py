"""The HTML pages: search with facets, and one article."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request

from cstosearch.errors import BadQuery
from cstosearch.query import request_from_args
from cstosearch.search import SearchTimeout
from cstosearch.web import engine

blueprint = Blueprint("pages", __name__)


def url_with(add: dict | None = None, remove: dict | None = None, **replace) -> str:
    """The current search URL with parameters added, removed or replaced (page resets to 1)."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if remove:
        pairs = [(k, v) for k, v in pairs if not (k in remove and (remove[k] is None or remove[k] == v))]
    for key, value in replace.items():
        pairs = [(k, v) for k, v in pairs if k != key]
        if value not in (None, ""):
            pairs.append((key, value))
    for key, value in (add or {}).items():
        if (key, value) not in pairs:
            pairs.append((key, value))
    return "?" + urlencode(pairs)


@blueprint.app_context_processor
def helpers():
    return {"url_with": url_with}


@blueprint.get("/")
def search_page():
    args = request.args
    searched = any(args.get(k) for k in ("q", "outlet", "from", "to", "year", "month"))
    error, page, search_request = "", None, None
    status = 200
    try:
        search_request = request_from_args(args)
        if searched:
            page = engine().search(search_request)
    except BadQuery as exc:
        error, status = str(exc), 400
    except SearchTimeout as exc:
        error, status = str(exc), 503
    return render_template(
        "search.html", page=page, error=error, args=args, searched=searched,
        search_request=search_request,
    ), status


@blueprint.get("/article/<article_id>")
def article_page(article_id: str):
    found = engine().article(article_id)
    if found is None:
        abort(404)
    return render_template("article.html", article=found)
