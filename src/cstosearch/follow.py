"""Followed searches and what each indexing run added, kept in a small SQLite file beside the index.

A followed search is known by its normalised parameters, so it survives full rebuilds and
needs no account; its id is a short digest of those parameters.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from cstosearch.errors import BadQuery, CstoSearchError
from cstosearch.query import SearchRequest, request_from_args

FOLLOWS_FILE = "follows.sqlite"
FOLLOW_ID_LENGTH = 16
FOLLOW_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
# The request parameters that say what is searched; sorting, paging and grouping do not.
FOLLOWED_PARAMS = ("q", "outlet", "author", "from", "to", "year", "month", "story")
BUSY_TIMEOUT_MS = 10_000
# Anyone who can reach the page can follow a search, and every run counts each one: keep a bound.
MAX_FOLLOWS = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS follows (
    id TEXT PRIMARY KEY, params TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
    rebuild INTEGER NOT NULL, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS run_articles (
    run INTEGER NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (run, article_id));
CREATE TABLE IF NOT EXISTS run_matches (
    run INTEGER NOT NULL, follow_id TEXT NOT NULL, matches INTEGER NOT NULL, PRIMARY KEY (run, follow_id));
CREATE TABLE IF NOT EXISTS indexed_versions (
    article_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
"""


class FollowStoreError(CstoSearchError):
    """The followed-searches file could not be read or written."""


@dataclass(frozen=True)
class FollowedSearch:
    id: str
    params: tuple[tuple[str, str], ...]
    created_at: str = ""

    @property
    def query_string(self) -> str:
        return urlencode(self.params)

    def request(self) -> SearchRequest:
        return request_from_args(MultiDict(list(self.params)))

    @property
    def label(self) -> str:
        """A short human description: the query in quotes, then the filters."""
        query = next((v for k, v in self.params if k == "q"), "")
        filters = [f"{k}: {v}" for k, v in self.params if k != "q"]
        return " · ".join(([f"“{query}”"] if query else ["all articles"]) + filters)


@dataclass(frozen=True)
class Run:
    run: int
    started_at: str
    finished_at: str
    rebuild: bool
    articles: int


@dataclass(frozen=True)
class NewMatches:
    """How many articles the latest run that counted for a followed search added to it, and since when."""

    run: int
    matches: int
    since: str

    def describe(self) -> str:
        """ "3 new since 2026-11-27 02:10 UTC"."""
        since = datetime.fromisoformat(self.since).strftime("%Y-%m-%d %H:%M UTC")
        return f"{self.matches} new since {since}"


def canonical_params(request: SearchRequest) -> tuple[tuple[str, str], ...]:
    """The followed parameters of a request in one order: whitespace folded, lists sorted, empties dropped."""
    pairs = [("q", " ".join(request.query.split()))]
    pairs += [("outlet", o) for o in sorted(request.outlets)]
    pairs += [("author", a) for a in sorted(request.authors)]
    pairs += [("from", request.date_from), ("to", request.date_to)]
    pairs += [("year", y) for y in sorted(set(request.years))]
    pairs += [("month", m) for m in sorted(set(request.months))]
    pairs += [("story", request.story)]
    return tuple((k, v) for k, v in pairs if v)


def follow_id(params: Iterable[tuple[str, str]]) -> str:
    """A truncated SHA-256 of the canonical parameter string: stable across runs and rebuilds."""
    return hashlib.sha256(urlencode(list(params)).encode("utf-8")).hexdigest()[:FOLLOW_ID_LENGTH]


def followed_search(request: SearchRequest) -> FollowedSearch:
    params = canonical_params(request)
    return FollowedSearch(follow_id(params), params)


def is_follow_id(text: str) -> bool:
    return bool(FOLLOW_ID_PATTERN.fullmatch(text))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FollowStore:
    """The follows file: followed searches, runs, the articles each run added or changed, match counts."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        try:
            if read_only:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
                # Readers (the web workers) are not blocked while an indexing run writes.
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise FollowStoreError(f"cannot open {self.path}: {exc}") from None

    @classmethod
    def beside(cls, index_dir: Path, read_only: bool = False) -> FollowStore | None:
        """The store of an index folder; None when only reading and there is none yet."""
        path = Path(index_dir) / FOLLOWS_FILE
        if read_only and not path.exists():
            return None
        return cls(path, read_only=read_only)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> FollowStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise FollowStoreError(f"cannot read {self.path}: {exc}") from None

    def _write(self, steps) -> None:
        """Run (sql, rows) steps in one transaction; rows is a tuple of arguments or a list of them."""
        try:
            with self.db:
                for sql, rows in steps:
                    if isinstance(rows, list):
                        self.db.executemany(sql, rows)
                    else:
                        self.db.execute(sql, rows)
        except sqlite3.Error as exc:
            raise FollowStoreError(f"cannot write {self.path}: {exc}") from None

    # Followed searches

    def add(self, search: FollowedSearch) -> FollowedSearch:
        """Follow a search (again following it is a no-op); returns it with its creation time."""
        if self.get(search.id) is None and self._query("SELECT COUNT(*) FROM follows")[0][0] >= MAX_FOLLOWS:
            raise BadQuery(f"at most {MAX_FOLLOWS} searches can be followed; "
                           "remove some with `cstosearch follow remove`")
        self._write([("INSERT OR IGNORE INTO follows (id, params, created_at) VALUES (?, ?, ?)",
                      (search.id, json.dumps(search.params), _now()))])
        found = self.get(search.id)
        assert found is not None
        return found

    def remove(self, search_id: str) -> bool:
        existed = self.get(search_id) is not None
        self._write([("DELETE FROM follows WHERE id = ?", (search_id,)),
                     ("DELETE FROM run_matches WHERE follow_id = ?", (search_id,))])
        return existed

    def get(self, search_id: str) -> FollowedSearch | None:
        rows = self._query("SELECT id, params, created_at FROM follows WHERE id = ?", (search_id,))
        return _followed(rows[0]) if rows else None

    def all(self) -> list[FollowedSearch]:
        rows = self._query("SELECT id, params, created_at FROM follows ORDER BY created_at, id")
        return [_followed(row) for row in rows]

    # Runs

    def indexed_versions(self) -> dict[str, str]:
        """article id -> content hash as of the last recorded run."""
        return dict(self._query("SELECT article_id, content_hash FROM indexed_versions"))

    def record_run(self, started_at: str, finished_at: str, rebuild: bool, current: Mapping[str, str]) -> Run:
        """Record a run as the articles whose content differs from the last recorded run's.

        Comparing whole index states (not what the run said it wrote) makes a rebuild add only
        what really changed, and lets a run whose recording was cut short be caught up by the next.
        """
        before = self.indexed_versions()
        changed = sorted(article_id for article_id, content_hash in current.items()
                         if before.get(article_id) != content_hash)
        gone = [(article_id,) for article_id in before.keys() - current.keys()]
        try:
            with self.db:
                cursor = self.db.execute(
                    "INSERT INTO runs (started_at, finished_at, rebuild, articles) VALUES (?, ?, ?, ?)",
                    (started_at, finished_at, int(rebuild), len(changed)))
                run = cursor.lastrowid
                self.db.executemany("INSERT INTO run_articles (run, article_id) VALUES (?, ?)",
                                    [(run, article_id) for article_id in changed])
                self.db.executemany("INSERT OR REPLACE INTO indexed_versions (article_id, content_hash) VALUES (?, ?)",
                                    [(article_id, current[article_id]) for article_id in changed])
                self.db.executemany("DELETE FROM indexed_versions WHERE article_id = ?", gone)
        except sqlite3.Error as exc:
            raise FollowStoreError(f"cannot write {self.path}: {exc}") from None
        return Run(run, started_at, finished_at, rebuild, len(changed))

    def runs(self, limit: int, with_articles: bool = False) -> list[Run]:
        """The latest runs, newest first."""
        where = "WHERE articles > 0 " if with_articles else ""
        rows = self._query(f"SELECT run, started_at, finished_at, rebuild, articles FROM runs {where}"
                           "ORDER BY run DESC LIMIT ?", (limit,))
        return [Run(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def latest_run(self) -> Run | None:
        found = self.runs(1)
        return found[0] if found else None

    def run_article_ids(self, run: int) -> tuple[str, ...]:
        return tuple(row[0] for row in self._query("SELECT article_id FROM run_articles WHERE run = ?", (run,)))

    def set_matches(self, run: int, counts: Mapping[str, int]) -> None:
        self._write([("INSERT OR REPLACE INTO run_matches (run, follow_id, matches) VALUES (?, ?, ?)",
                      [(run, search_id, count) for search_id, count in counts.items()])])

    def new_matches(self, search_id: str) -> NewMatches | None:
        """The latest counted run for a followed search: its new matches, since the run before it ended."""
        rows = self._query(
            "SELECT m.run, m.matches, r.started_at FROM run_matches m JOIN runs r ON r.run = m.run "
            "WHERE m.follow_id = ? ORDER BY m.run DESC LIMIT 1", (search_id,))
        if not rows:
            return None
        run, matches, started_at = rows[0]
        previous = self._query("SELECT finished_at FROM runs WHERE run < ? ORDER BY run DESC LIMIT 1", (run,))
        return NewMatches(run, matches, previous[0][0] if previous else started_at)


def _followed(row: tuple) -> FollowedSearch:
    search_id, params, created_at = row
    return FollowedSearch(search_id, tuple(tuple(pair) for pair in json.loads(params)), created_at)
