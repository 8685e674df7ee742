"""The Flask app factory: configuration, the search engine per process, blueprints, headers."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import Flask, current_app

from cstosearch.engines.choice import EngineChoice, open_engine
from cstosearch.errors import CstoSearchError
from cstosearch.http_headers import SECURITY_HEADERS
from cstosearch.index import default_index_dir
from cstosearch.search import SearchEngine

WEBUI_DIR = Path(os.environ.get("CSTOSEARCH_WEBUI_DIR", Path(__file__).resolve().parents[3] / "webui"))

__all__ = ["SECURITY_HEADERS", "SerializedEngine", "create_app", "engine", "warm_engine"]
_ENGINE_LOCK = threading.Lock()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(WEBUI_DIR / "templates"),
        static_folder=str(WEBUI_DIR / "static"),
    )
    app.config.from_mapping(INDEX_DIR=str(default_index_dir()), JSON_SORT_KEYS=False)
    app.config.from_prefixed_env("CSTOSEARCH")
    if config:
        app.config.update(config)
    app.json.sort_keys = False

    from cstosearch.web import api, errors, feeds, limits, pages

    limits.install(app)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(feeds.blueprint)
    app.register_blueprint(errors.blueprint)

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


class SerializedEngine:
    """A search engine used by one thread at a time.

    gunicorn's threaded workers serve several requests at once; Whoosh's searcher reads its
    files through shared handles and is not documented as safe across threads, so the calls
    into it take turns. Threads still keep slow clients from holding the whole worker.
    """

    def __init__(self, inner: SearchEngine) -> None:
        self.inner = inner
        self._lock = threading.Lock()

    def search(self, request):
        with self._lock:
            return self.inner.search(request)

    def article(self, article_id: str):
        with self._lock:
            return self.inner.article(article_id)

    def related(self, article_id: str):
        with self._lock:
            return self.inner.related(article_id)

    def document_count(self) -> int:
        with self._lock:
            return self.inner.document_count()

    def warm(self) -> None:
        with self._lock:
            getattr(self.inner, "warm", lambda: None)()


def engine() -> SearchEngine:
    """The process's search engine, opened on first use (after gunicorn forks its workers)."""
    extensions = current_app.extensions
    if "cstosearch.engine" not in extensions:
        with _ENGINE_LOCK:
            if "cstosearch.engine" not in extensions:
                choice = EngineChoice.from_config(current_app.config)
                inner = open_engine(choice)
                # Whoosh searchers are not shared across threads; the OpenSearch client is.
                extensions["cstosearch.engine"] = SerializedEngine(inner) if choice.engine == "whoosh" else inner
    return extensions["cstosearch.engine"]


def warm_engine(app: Flask) -> None:
    """Open the engine and load what searches read before the first request (gunicorn's
    ``post_worker_init``); a missing index is left for the requests to report."""
    with app.app_context():
        try:
            found = engine()
        except CstoSearchError as exc:
            app.logger.warning("engine not opened before the first request: %s", exc)
            return
        getattr(found, "warm", lambda: None)()
