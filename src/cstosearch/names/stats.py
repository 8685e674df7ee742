"""What learning reads, kept beside the index: the names each indexed article mentions.

Each run updates it for the articles it adds or changes and drops the articles no longer in
the index, so a nightly run re-learns without reading the archive again. An index built
before this file existed is read once from its stored articles.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cstosearch.names.mentions import Mentions, article_text, names_in

STATS_FILE = "names-stats.pickle"
STATS_VERSION = 3
PUBLISHED_MODE = 0o644


class NameStats:
    """Article id -> the names its body mentions (and which capitalised words stand side by side)."""

    def __init__(self, articles: dict[str, Mentions] | None = None) -> None:
        self.articles: dict[str, Mentions] = articles if articles is not None else {}

    def note(self, article_id: str, document: dict) -> None:
        """Record the names of an index document that is being added or replaced."""
        self.articles[article_id] = names_in(article_text(document))

    def keep_only(self, live_ids: set[str]) -> None:
        """Forget the articles the index no longer holds (removed, pruned, replaced by another id)."""
        for article_id in [a for a in self.articles if a not in live_ids]:
            del self.articles[article_id]

    @classmethod
    def load(cls, path: Path) -> NameStats | None:
        """The stored statistics, or None when there are none (or they are of another version)."""
        try:
            with open(path, "rb") as handle:
                version, articles = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            return None
        if version != STATS_VERSION:
            return None
        return cls({article_id: Mentions(*found) for article_id, found in articles.items()})

    def save(self, path: Path) -> None:
        """Written to a temporary file and renamed into place: a killed run leaves the old file."""
        # Plain tuples: the file does not depend on where the record type lives.
        plain = {article_id: tuple(found) for article_id, found in self.articles.items()}
        write_atomically(path, pickle.dumps((STATS_VERSION, plain), protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, dict]]) -> NameStats:
        """Read every live article the store holds, as (id, stored record) (once, for an index built
        without statistics)."""
        stats = cls()
        for article_id, record in records:
            body = "\n".join([record.get("subtitle", ""), *record.get("paragraphs", [])])
            stats.articles[article_id] = names_in(article_text({"body": body}))
        return stats


def write_atomically(path: Path, data: bytes) -> None:
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        os.fchmod(handle, PUBLISHED_MODE)  # the web service may run as another user: readable like the index
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
