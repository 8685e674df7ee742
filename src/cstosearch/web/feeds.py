"""Followed searches on the web: the follow button's endpoint, Atom feeds and their JSON twins."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.http import is_resource_modified

from cstosearch.errors import BadQuery
from cstosearch.feeds import Feed, build_feed, feed_etag, feed_updated, follow
from cstosearch.follow import FollowedSearch, FollowStore, FollowStoreError, NewMatches, followed_search, is_follow_id
from cstosearch.query import SearchRequest, request_from_args
from cstosearch.web import engine
from cstosearch.web.atom import atom_feed

blueprint = Blueprint("feeds", __name__)


@dataclass
class FollowPanel:
    """What the search page shows about following the current search."""

    id: str
    followed: bool
    feed_url: str
    new_matches: NewMatches | None
    params: tuple[tuple[str, str], ...]


@dataclass
class FollowedItem:
    search: FollowedSearch
    feed_url: str
    new_matches: NewMatches | None


@blueprint.app_context_processor
def follow_helpers():
    return {"new_since": NewMatches.describe}


def _index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


def _reading_store() -> FollowStore | None:
    return FollowStore.beside(_index_dir(), read_only=True)


def follow_panel(search_request: SearchRequest) -> FollowPanel | None:
    """The current search's follow state, for the button or the "N new since" line.

    None when the follows file cannot be read: the search page still answers, without the panel.
    """
    search = followed_search(search_request)
    try:
        store = _reading_store()
        if store is None:
            return FollowPanel(search.id, False, "", None, search.params)
        with store:
            followed = store.get(search.id) is not None
            new = store.new_matches(search.id) if followed else None
    except FollowStoreError as exc:
        current_app.logger.error("followed searches unavailable: %s", exc)
        return None
    feed_url = url_for("feeds.atom", feed_id=search.id) if followed else ""
    return FollowPanel(search.id, followed, feed_url, new, search.params)


def followed_list() -> list[FollowedItem]:
    """Every followed search with its latest count, for the search page's list (empty when unreadable)."""
    try:
        store = _reading_store()
        if store is None:
            return []
        with store:
            return [FollowedItem(s, url_for("feeds.atom", feed_id=s.id), store.new_matches(s.id))
                    for s in store.all()]
    except FollowStoreError as exc:
        current_app.logger.error("followed searches unavailable: %s", exc)
        return []


def _follow_from(args) -> FollowedSearch:
    search = followed_search(request_from_args(args))
    with FollowStore.beside(_index_dir()) as store:
        return follow(engine(), store, search)


@blueprint.post("/follows")
def follow_page():
    """The "Follow this search" button: follow, then back to the search, which now shows its feed."""
    try:
        search = _follow_from(request.form)
    except BadQuery as exc:
        return render_template("error.html", code=400, title="Bad search", message=str(exc)), 400
    return redirect("/?" + search.query_string + "#follow", code=303)


@blueprint.post("/api/follows")
def follow_api():
    """Follow the search given by the same parameters as /api/search (form or query string)."""
    search = _follow_from(request.form or request.args)
    return jsonify(_summary(search)), 201


@blueprint.get("/api/follows")
def follows_api():
    store = _reading_store()
    if store is None:
        return jsonify(follows=[])
    with store:
        return jsonify(follows=[{**_summary(s), "new_matches": _new(store.new_matches(s.id))} for s in store.all()])


def _summary(search: FollowedSearch) -> dict:
    return {"id": search.id, "label": search.label, "params": [list(p) for p in search.params],
            "created_at": search.created_at, "search_url": "/?" + search.query_string,
            "feed_url": url_for("feeds.atom", feed_id=search.id),
            "api_url": url_for("feeds.feed_json", feed_id=search.id)}


def _new(found: NewMatches | None) -> dict | None:
    return asdict(found) if found else None


def _conditional_feed(feed_id: str, render) -> Response:
    """Answer 304 from the run log alone when the reader's copy is current; else build and render the feed."""
    if not is_follow_id(feed_id):
        abort(404, description="There is no followed search with this id.")
    store = _reading_store()
    if store is None:
        abort(404, description="There is no followed search with this id.")
    with store:
        search = store.get(feed_id)
        if search is None:
            abort(404, description="There is no followed search with this id.")
        etag = feed_etag(store, search)
        updated = datetime.fromisoformat(feed_updated(store, search))
        if not is_resource_modified(request.environ, etag=etag, last_modified=updated):
            response = Response(status=304)
        else:
            response = render(build_feed(engine(), store, search))
    response.set_etag(etag)
    response.last_modified = updated
    response.cache_control.no_cache = True  # always revalidate: a run may land at any time
    return response


@blueprint.get("/feeds/<feed_id>.atom")
def atom(feed_id: str):
    def render(feed: Feed) -> Response:
        document = atom_feed(
            feed, self_url=url_for("feeds.atom", feed_id=feed_id, _external=True),
            search_url=request.url_root.rstrip("/") + "/?" + feed.search.query_string,
            article_url=lambda article_id: url_for("pages.article_page", article_id=article_id, _external=True))
        return Response(document, mimetype="application/atom+xml")

    return _conditional_feed(feed_id, render)


@blueprint.get("/api/feeds/<feed_id>")
def feed_json(feed_id: str):
    def render(feed: Feed) -> Response:
        data = {**_summary(feed.search), "updated": feed.updated, "new_matches": _new(feed.new_matches),
                "entries": [{**entry.to_dict(), "article_page": url_for("pages.article_page", article_id=entry.hit.id)}
                            for entry in feed.entries]}
        return jsonify(data)

    return _conditional_feed(feed_id, render)


@blueprint.errorhandler(FollowStoreError)
def store_unavailable(error: FollowStoreError):
    current_app.logger.error("followed searches unavailable: %s", error)
    message = "followed searches are unavailable right now"
    if request.path.startswith("/api/"):
        return jsonify(error="follows_unavailable", message=message), 503
    return render_template("error.html", code=503, title="Unavailable", message=message), 503


@blueprint.errorhandler(BadQuery)
def bad_query(error: BadQuery):
    return jsonify(error="bad_query", message=str(error)), 400
