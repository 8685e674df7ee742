"""The HTML pages: search with facets and a monthly chart, and one article."""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for

from cstosearch.errors import BadQuery
from cstosearch.query import SearchRequest, request_from_args
from cstosearch.search import SearchTimeout
from cstosearch.web import engine
from cstosearch.web.chart import month_chart
from cstosearch.web.feeds import follow_panel, followed_list

blueprint = Blueprint("pages", __name__)

SEARCH_PARAMS = ("q", "outlet", "author", "from", "to", "year", "month", "story")
# Filters a new query from the search box keeps (a story or a page does not carry over).
KEPT_FILTERS = ("outlet", "author", "year", "month", "from", "to", "sort")
CHIP_KEYS = (("outlet", "Outlet"), ("author", "Author"), ("year", "Year"), ("month", "Month"),
             ("from", "From"), ("to", "To"), ("story", "Story"))
CORPUS_MONTHS_TTL_S = 600


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


def url_keeping_page(**replace) -> str:
    """The current URL with parameters replaced, on the same page of results."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in replace]
    pairs += [(k, v) for k, v in replace.items() if v not in (None, "")]
    return "?" + urlencode(pairs)


def api_url(endpoint: str, **extra) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in ("chart", *extra)]
    pairs += [(k, v) for k, v in extra.items() if v not in (None, "")]
    return endpoint + ("?" + urlencode(pairs) if pairs else "")


def safe_href(url: str) -> str:
    """Only web links become hrefs; anything else (javascript:, data:) is shown as text."""
    return url if url.lower().startswith(("http://", "https://")) else ""


@blueprint.app_context_processor
def helpers():
    return {"url_with": url_with, "url_keeping_page": url_keeping_page, "safe_href": safe_href}


def corpus_month_counts() -> dict[str, int]:
    """Articles per month in the whole index, cached per process until the index changes."""
    search_engine = engine()
    key = search_engine.document_count()
    cached = current_app.extensions.get("cstosearch.corpus_months")
    if cached and cached[0] == key and time.monotonic() - cached[1] < CORPUS_MONTHS_TTL_S:
        return cached[2]
    page = search_engine.search(SearchRequest(page_size=1, group_duplicates=False))
    counts = {f.value: f.count for f in page.facets["month"]}
    current_app.extensions["cstosearch.corpus_months"] = (key, time.monotonic(), counts)
    return counts


@blueprint.get("/")
def search_page():
    args = request.args
    searched = any(args.get(k) for k in SEARCH_PARAMS)
    error, page, search_request, chart = "", None, None, None
    status = 200
    try:
        search_request = replace(request_from_args(args), explain=True)
        if searched:
            page = engine().search(search_request)
            months = {f.value: f.count for f in page.facets["month"]}
            chart = month_chart(months, corpus_month_counts() if months else {}, search_request)
    except BadQuery as exc:
        error, status = str(exc), 400
    except SearchTimeout as exc:
        error, status = str(exc), 503
    chart_mode = "share" if args.get("chart") == "share" else "count"
    return render_template(
        "search.html", page=page, error=error, args=args, searched=searched,
        search_request=search_request, chart=chart, chart_mode=chart_mode,
        chip_keys=CHIP_KEYS, kept_filters=KEPT_FILTERS,
        json_url=api_url("/api/search"), csv_url=api_url("/api/search.csv"),
        follow=follow_panel(search_request) if page else None,
        followed=followed_list() if not searched and not error else [],
    ), status


@blueprint.get("/article/<article_id>")
def article_page(article_id: str):
    search_engine = engine()
    found = search_engine.article(article_id)
    if found is None:
        abort(404, description="There is no article with this id. It may have been removed from the index.")
    return render_template("article.html", article=found, article_id=article_id,
                           related=search_engine.related(article_id),
                           json_url=url_for("api.article", article_id=article_id))
