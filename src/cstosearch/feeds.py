"""What each indexing run added to each followed search: recording runs, counting and listing new matches.

The engine is asked the followed search restricted to the articles of one run
(``SearchRequest.article_ids``), so a feed ranks and highlights exactly as the search page does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cstosearch.errors import BadQuery
from cstosearch.follow import FollowedSearch, FollowStore, FollowStoreError, NewMatches, Run
from cstosearch.index import ArticleIndex
from cstosearch.search import Hit, SearchEngine, SearchTimeout, WhooshSearchEngine

# A feed looks back over this many runs that changed something, and lists at most this many articles.
FEED_RUNS = 30
FEED_ENTRIES = 100
# Bumped when what a feed holds changes shape, so feed readers do not keep an old copy.
FEED_FORMAT = "1"

# (follows file, run) -> the run's article ids; a recorded run never changes, and a Run holds
# its times, so a store made anew at the same path does not reuse another's entries.
_RUN_IDS: OrderedDict[tuple[str, Run], tuple[str, ...]] = OrderedDict()
_RUN_IDS_LOCK = threading.Lock()


@dataclass
class FeedEntry:
    run: int
    run_finished_at: str
    hit: Hit

    def to_dict(self) -> dict:
        return {"run": self.run, "run_finished_at": self.run_finished_at, **asdict(self.hit)}


@dataclass
class Feed:
    search: FollowedSearch
    updated: str
    entries: list[FeedEntry]
    new_matches: NewMatches | None


@dataclass
class FollowedCount:
    """One followed search's line in a run report."""

    id: str
    label: str
    new_matches: int | None
    error: str = ""


def indexed_versions(index_dir: Path) -> dict[str, str]:
    """article id -> content hash of every live document, read from column storage."""
    ix = ArticleIndex(index_dir).open()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if reader.doc_count_all() == 0:
            return {}
        ids = list(reader.column_reader("id"))
        hashes = list(reader.column_reader("content_hash"))
        return {ids[d]: hashes[d] for d in range(len(ids)) if ids[d] and not reader.is_deleted(d)}


def count_new_matches(engine: SearchEngine, search: FollowedSearch, article_ids: tuple[str, ...]) -> int:
    """How many of these articles the followed search matches (every article, copies not folded)."""
    if not article_ids:
        return 0
    request = replace(search.request(), article_ids=article_ids, page=1, page_size=1, group_duplicates=False)
    page = engine.search(request)
    # A widened search ("some of the words") is not what was followed.
    return 0 if page.relaxed else page.total


def record_run(index_dir: Path, started_at: str, finished_at: str, rebuild: bool) -> list[FollowedCount]:
    """After an indexing run's commit: record what it added or changed, and count each followed search's share.

    A follows file that cannot be used does not fail the run (its commit is already served):
    the report says so, and the next run that can record catches up on what this one added.
    """
    try:
        return _record_run(index_dir, started_at, finished_at, rebuild)
    except FollowStoreError as exc:
        return [FollowedCount("", "(all followed searches)", None, str(exc))]


def _record_run(index_dir: Path, started_at: str, finished_at: str, rebuild: bool) -> list[FollowedCount]:
    with FollowStore.beside(index_dir) as store:
        run = store.record_run(started_at, finished_at, rebuild, indexed_versions(index_dir))
        follows = store.all()
        if not follows:
            return []
        article_ids = store.run_article_ids(run.run)
        engine = WhooshSearchEngine(index_dir) if article_ids else None
        counts: list[FollowedCount] = []
        try:
            for search in follows:
                try:
                    found = count_new_matches(engine, search, article_ids) if engine else 0
                    counts.append(FollowedCount(search.id, search.label, found))
                except (BadQuery, SearchTimeout) as exc:
                    counts.append(FollowedCount(search.id, search.label, None, str(exc)))
        finally:
            if engine is not None:
                engine.close()
        store.set_matches(run.run, {c.id: c.new_matches for c in counts if c.new_matches is not None})
        return counts


def followed_lines(followed: list[dict]) -> str:
    """The run report's lines for followed searches, one each, every line starting with a newline."""
    lines = []
    for count in followed:
        found = f"{count['new_matches']} new" if count["new_matches"] is not None else f"not counted: {count['error']}"
        lines.append(f"\nfollowed search {count['id']} {count['label']}: {found}")
    return "".join(lines)


def follow(engine: SearchEngine | None, store: FollowStore, search: FollowedSearch) -> FollowedSearch:
    """Follow a search, counting what the latest run added to it so "N new" shows at once
    (when there is an engine to ask)."""
    followed = store.add(search)
    latest = store.latest_run()
    if engine is not None and latest is not None and store.new_matches(followed.id) is None:
        found = count_new_matches(engine, followed, store.run_article_ids(latest.run))
        store.set_matches(latest.run, {followed.id: found})
    return followed


def build_feed(engine: SearchEngine, store: FollowStore, search: FollowedSearch,
               max_runs: int = FEED_RUNS, max_entries: int = FEED_ENTRIES) -> Feed:
    """The followed search's matches among the articles of recent runs, newest run first.

    An article changed by several runs is listed once, under the latest; within a run the
    newest published come first.
    """
    entries: list[FeedEntry] = []
    listed: set[str] = set()
    for run in store.runs(max_runs, with_articles=True):
        if len(entries) >= max_entries:
            break
        entries.extend(_run_entries(engine, store, search, run, max_entries - len(entries), listed))
    return Feed(search, feed_updated(store, search), entries, store.new_matches(search.id))


def _run_article_ids(store: FollowStore, run: Run) -> tuple[str, ...]:
    """A run's article ids, one shared tuple per process: the engine keeps requests as cache keys,
    and a first run can hold every article in the index."""
    key = (str(store.path), run)
    with _RUN_IDS_LOCK:
        if key in _RUN_IDS:
            _RUN_IDS.move_to_end(key)
            return _RUN_IDS[key]
    ids = store.run_article_ids(run.run)
    with _RUN_IDS_LOCK:
        _RUN_IDS[key] = ids
        while len(_RUN_IDS) > 2 * FEED_RUNS:
            _RUN_IDS.popitem(last=False)
    return ids


def _run_entries(engine: SearchEngine, store: FollowStore, search: FollowedSearch, run: Run, room: int,
                 listed: set[str]) -> list[FeedEntry]:
    request = replace(search.request(), article_ids=_run_article_ids(store, run), sort="date", page=1,
                      page_size=room + len(listed), group_duplicates=False)
    page = engine.search(request)
    if page.relaxed:
        return []
    entries = []
    for hit in page.results:
        if hit.id not in listed and len(entries) < room:
            listed.add(hit.id)
            entries.append(FeedEntry(run.run, run.finished_at, hit))
    return entries


def feed_updated(store: FollowStore, search: FollowedSearch) -> str:
    """When the feed last changed: the latest run's end (any run may add to it), else when it was followed."""
    latest = store.latest_run()
    return latest.finished_at if latest is not None else search.created_at


def feed_etag(store: FollowStore, search: FollowedSearch) -> str:
    """Changes exactly when a run is recorded: the feed is a function of the runs and the search."""
    latest = store.latest_run()
    return f"{FEED_FORMAT}-{search.id}-{latest.run if latest else 0}"
