"""Which engine answers and where its articles live, chosen by configuration (Whoosh by default).

``CSTOSEARCH_ENGINE`` is ``whoosh`` (an index folder) or ``opensearch`` (a cluster at
``CSTOSEARCH_OPENSEARCH_URL``, articles under the alias ``CSTOSEARCH_OPENSEARCH_INDEX``);
the web app reads the same names from its config, the CLI from ``--engine`` and ``--opensearch-url``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cstosearch.errors import CstoSearchError
from cstosearch.index import default_index_dir
from cstosearch.results import SearchEngine

ENGINES = ("whoosh", "opensearch")


class UnknownEngine(CstoSearchError):
    """The configuration names an engine this package does not have."""


@dataclass(frozen=True)
class EngineChoice:
    engine: str
    index_dir: Path
    opensearch_url: str = ""
    opensearch_index: str = ""

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise UnknownEngine(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")

    @classmethod
    def from_config(cls, config: Mapping) -> EngineChoice:
        """From a mapping with the environment's names less the ``CSTOSEARCH_`` prefix (Flask config)."""
        from cstosearch.engines.opensearch.connection import default_alias, default_url

        return cls(engine=str(config.get("ENGINE") or os.environ.get("CSTOSEARCH_ENGINE") or "whoosh").lower(),
                   index_dir=Path(config.get("INDEX_DIR") or default_index_dir()),
                   opensearch_url=str(config.get("OPENSEARCH_URL") or default_url()),
                   opensearch_index=str(config.get("OPENSEARCH_INDEX") or default_alias()))

    def environment(self) -> dict[str, str]:
        """The variables that make another process (gunicorn) choose the same."""
        return {"CSTOSEARCH_ENGINE": self.engine, "CSTOSEARCH_INDEX_DIR": str(self.index_dir),
                "CSTOSEARCH_OPENSEARCH_URL": self.opensearch_url, "CSTOSEARCH_OPENSEARCH_INDEX": self.opensearch_index}


def open_engine(choice: EngineChoice) -> SearchEngine:
    if choice.engine == "opensearch":
        from cstosearch.engines.opensearch.connection import connect
        from cstosearch.engines.opensearch.engine import OpenSearchEngine

        return OpenSearchEngine(connect(choice.opensearch_url), choice.opensearch_index, choice.index_dir)
    from cstosearch.engines.whoosh import WhooshSearchEngine

    return WhooshSearchEngine(choice.index_dir)


def open_store(choice: EngineChoice, shards: int = 3, replicas: int = 1):
    """Where ``index`` and ``reindex`` write the articles (None: the Whoosh index in the index folder)."""
    if choice.engine != "opensearch":
        return None
    from cstosearch.engines.opensearch.connection import connect
    from cstosearch.engines.opensearch.writer import OpenSearchStore

    # Bulk requests and the wait for replicas take longer than a search.
    return OpenSearchStore(connect(choice.opensearch_url, timeout_s=120), choice.opensearch_index, shards, replicas)
