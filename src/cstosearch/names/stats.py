"""What learning reads, kept beside the index: the names each indexed article mentions.

Each run updates it for the articles it adds or changes and drops the articles no longer in
the index, so a nightly run re-learns without reading the archive again. It also keeps what
the last learning found and which names changed since, so a nightly run weighs again only the
names whose articles it changed. An index built before this file existed is read once from its
stored articles.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from cstosearch.names.grouping import Learned, NameGroup, Rejection
from cstosearch.names.mentions import Mentions, article_text, names_in

STATS_FILE = "names-stats.pickle"
STATS_VERSION = 5
# Files of this version hold the articles' names only; they are read, and learned from in full.
ARTICLES_ONLY_VERSION = 3
PUBLISHED_MODE = 0o644


class NameStats:
    """Article id -> the names its body mentions (and which capitalised words stand side by side);
    the names whose articles changed since the last learning; what that learning found."""

    def __init__(self, articles: dict[str, Mentions] | None = None) -> None:
        self.articles: dict[str, Mentions] = articles if articles is not None else {}
        # Name -> articles gained (or lost, below zero) since the last learning.
        self.changes: Counter[str] = Counter()
        self.keys: dict[str, str] = {}  # each name's transliteration key, computed once
        self.learned: Learned | None = None
        # The rules and the pairs the overrides kept apart when it was learned.
        self.learned_with: tuple = ()

    def note(self, article_id: str, document: dict) -> None:
        """Record the names of an index document that is being added or replaced."""
        found = names_in(article_text(document))
        before = self.articles.get(article_id)
        gained, lost = (found.names - before.names, before.names - found.names) if before else (found.names, ())
        self.changes.update(gained)
        self.changes.subtract(lost)
        self.articles[article_id] = found

    def keep_only(self, live_ids: set[str]) -> None:
        """Forget the articles the index no longer holds (removed, pruned, replaced by another id)."""
        for article_id in [a for a in self.articles if a not in live_ids]:
            self.changes.subtract(self.articles.pop(article_id).names)

    def changed_names(self, frequency: Mapping[str, int], least_change: float) -> set[str]:
        """The names whose articles changed by at least ``least_change`` of their number (new names
        and names gone always): a few more articles of a name in hundreds change nothing learned."""
        changed = set()
        for name, change in self.changes.items():
            now = frequency.get(name, 0)
            if change and (now == 0 or now == change or abs(change) >= least_change * now):
                changed.add(name)
        return changed

    def remember(self, learned: Learned, learned_with: tuple) -> None:
        """What a learning found; the changes before it are weighed."""
        self.learned, self.learned_with, self.changes = learned, learned_with, Counter()

    @classmethod
    def load(cls, path: Path) -> NameStats | None:
        """The stored statistics, or None when there are none (or they are of another version)."""
        try:
            with open(path, "rb") as handle:
                version, articles, *rest = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            return None
        if version not in (STATS_VERSION, ARTICLES_ONLY_VERSION):
            return None
        stats = cls({article_id: Mentions(*found) for article_id, found in articles.items()})
        if version == STATS_VERSION:
            changes, keys, learned, learned_with = rest
            stats.changes, stats.keys, stats.learned_with = Counter(changes), keys, tuple(learned_with)
            if learned is not None:
                groups, rejections = learned
                stats.learned = Learned([NameGroup(**group) for group in groups],
                                        [Rejection(**{**r, "spellings": tuple(r["spellings"])}) for r in rejections],
                                        None)
        return stats

    def save(self, path: Path) -> None:
        """Written to a temporary file and renamed into place: a killed run leaves the old file."""
        # Plain tuples and dicts: the file does not depend on where the record types live.
        plain = {article_id: tuple(found) for article_id, found in self.articles.items()}
        learned = None
        if self.learned is not None:
            # Their fields are plain values already: a shallow copy is enough (asdict copies deeply, slowly).
            learned = ([dict(vars(g)) for g in self.learned.groups], [dict(vars(r)) for r in self.learned.rejections])
        data = (STATS_VERSION, plain, dict(self.changes), self.keys, learned, self.learned_with)
        write_atomically(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))

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
