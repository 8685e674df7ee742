"""The engine options every command that reads or writes articles shares (``--engine``, ``--opensearch-url``)."""

from __future__ import annotations

from pathlib import Path

import click

from cstosearch.engines.choice import ENGINES, EngineChoice
from cstosearch.index import default_index_dir

engine_options = [
    click.option("--engine", type=click.Choice(ENGINES), envvar="CSTOSEARCH_ENGINE", default="whoosh",
                 show_default=True, help="Where articles are indexed and searched ($CSTOSEARCH_ENGINE)."),
    click.option("--opensearch-url", envvar="CSTOSEARCH_OPENSEARCH_URL", default=None,
                 help="OpenSearch node URLs, comma-separated ($CSTOSEARCH_OPENSEARCH_URL; "
                      "default http://127.0.0.1:9200)."),
]


def with_engine_options(command):
    for option in reversed(engine_options):
        command = option(command)
    return command


def index_dir_or_default(value: Path | None) -> Path:
    return value if value is not None else default_index_dir()


def engine_choice(engine: str, index_dir: Path | None, opensearch_url: str | None) -> EngineChoice:
    """The engine chosen on the command line; the index folder always holds the run bookkeeping."""
    return EngineChoice.from_config({"ENGINE": engine, "INDEX_DIR": str(index_dir_or_default(index_dir)),
                                     "OPENSEARCH_URL": opensearch_url})
