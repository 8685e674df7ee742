"""The Flask app factory: configuration, the search engine per process, blueprints, headers."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from cstosearch.engines.choice import EngineChoice, open_engine
from cstosearch.index import default_index_dir
from cstosearch.search import SearchEngine

WEBUI_DIR = Path(os.environ.get("CSTOSEARCH_WEBUI_DIR", Path(__file__).resolve().parents[3] / "webui"))

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


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

    from cstosearch.web import api, errors, feeds, pages

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


def engine() -> SearchEngine:
    """The process's search engine, opened on first use (after gunicorn forks its workers)."""
    extensions = current_app.extensions
    if "cstosearch.engine" not in extensions:
        extensions["cstosearch.engine"] = open_engine(EngineChoice.from_config(current_app.config))
    return extensions["cstosearch.engine"]
