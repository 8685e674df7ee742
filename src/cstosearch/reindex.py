"""Building and refreshing the index: only new or changed scrapes, one atomic commit, one run at a time.

The articles go to a store (``cstosearch.store``): the Whoosh index in the index folder, or an
OpenSearch alias; the lock, the record of files seen, the near-duplicate table and the run
report always live in the index folder.

Order of durable steps: the store's commit (atomic; searchers switch to it when they next
look), then the near-duplicate table, then the record of files seen, then the run report.
A run killed before the commit changes nothing that is served; killed after it, the next
run re-reads the unrecorded files, finds their articles already indexed, and completes the
bookkeeping.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from tqdm import tqdm

from cstosearch.article import Article
from cstosearch.bookkeeping import (
    LOCK_FILE,
    REPORT_FILE,
    STATE_FILE,
    RunLock,
    RunMarker,
    RunReport,
    SeenFiles,
    file_record,
    last_report,
    remove_stale_temp_files,
    under_roots,
    unfinished_run,
    utc_now,
    write_report,
)
from cstosearch.dedupe import Fingerprint, StoryGrouper
from cstosearch.engines.whoosh.store import WhooshStore
from cstosearch.errors import IndexMissing, IndexNotWritable, SourceWarning, UnreadableSource
from cstosearch.feeds import record_run
from cstosearch.index import ArticleIndex
from cstosearch.ingest.normalize import normalize_url
from cstosearch.ingest.sources import source_key, walk_sources
from cstosearch.names.learning import NameLearning
from cstosearch.read_ahead import FILE_DONE, read_ahead, read_outcomes
from cstosearch.store import ArticleStore, StoreSession

GROUPS_FILE = "groups.pickle"

__all__ = ["GROUPS_FILE", "LOCK_FILE", "REPORT_FILE", "STATE_FILE", "Indexer", "RemovalReport", "RunReport",
           "last_report", "unfinished_run"]


@dataclass
class RemovalReport:
    removed: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    documents: int = 0


class Indexer:
    """Runs of ``index`` (rebuild), ``reindex`` (incremental) and ``remove`` over one index folder."""

    def __init__(self, index_dir: Path, procs: int = 1, limitmb: int = 256, progress: bool | None = None,
                 store: ArticleStore | None = None, names_overrides: Path | None = None) -> None:
        self.index = ArticleIndex(index_dir)
        self.names_overrides = names_overrides
        self.root = Path(index_dir)
        self.store = store if store is not None else WhooshStore(self.index, procs, limitmb)
        self.progress = sys.stderr.isatty() if progress is None else progress
        # With more than one process, files are read and fingerprinted in one of their own.
        self.reads_ahead = procs > 1

    @contextmanager
    def _exclusive_run(self):
        """The run lock, stale temp files cleared; a folder that cannot be written gives a clear error."""
        try:
            for folder in (self.root, self.index.whoosh_dir):
                if folder.exists() and not os.access(folder, os.W_OK):
                    raise PermissionError(13, "Permission denied", str(folder))
            with RunLock(self.root / LOCK_FILE):
                remove_stale_temp_files(self.root, self.index.whoosh_dir)
                yield
        except OSError as exc:
            where = exc.filename or self.root
            raise IndexNotWritable(f"cannot write to the index folder ({exc.strerror or exc}: {where}); "
                                   "the served index is unchanged") from exc
        except sqlite3.OperationalError as exc:  # the seen-files table on a full or read-only disk
            raise IndexNotWritable(f"cannot write to the index folder ({exc}: {self.root / STATE_FILE}); "
                                   "the served index is unchanged") from exc

    def run(self, sources: Iterable[Path], rebuild: bool = False, prune: bool = False) -> RunReport:
        """Index the raw files under ``sources``: all of them on rebuild, else only new or changed ones.

        With ``prune``, articles whose source file under ``sources`` is gone are removed.
        """
        sources = [Path(s) for s in sources]
        with self._exclusive_run():
            marker = RunMarker(self.root)
            marker.start(rebuild)
            seen = SeenFiles(self.root / STATE_FILE)
            try:
                report = RunReport(rebuild=rebuild)
                present: set[str] = set()
                to_read: list[Path] = []
                records: list[tuple] = []
                for item in walk_sources(sources):
                    if isinstance(item, UnreadableSource):
                        report.skipped.append({"path": item.path, "reason": item.reason})
                        continue
                    present.add(source_key(item))
                    try:
                        needed, record = (True, file_record(item)) if rebuild else seen.needs_reading(item)
                    except UnreadableSource as exc:
                        report.failed.append({"path": exc.path, "reason": exc.reason})
                        continue
                    if needed:
                        to_read.append(item)
                        records.append(record)
                    else:
                        report.files_unchanged += 1
                report.files_read = len(to_read)
                pruning = _Pruning([source_key(s) for s in sources], present) if prune else None
                self._index(self._outcomes(to_read), report, pruning)
                if rebuild:
                    seen.clear()
                seen.remember(records)
                if pruning:
                    seen.forget_missing(pruning.root_keys, present)
            finally:
                seen.close()
            marker.finish()
        return report

    def index_articles(self, outcomes: Iterable[Article | UnreadableSource], rebuild: bool = False) -> RunReport:
        """Index articles that are already read (tests and callers with their own readers)."""
        with self._exclusive_run():
            report = RunReport(rebuild=rebuild)
            keyed = ((source_key(Path(o.source_path)) if isinstance(o, Article) and o.source_path else "", o, None)
                     for o in outcomes)
            self._index(keyed, report, None)
        return report

    def remove(self, targets: Iterable[str]) -> RemovalReport:
        """Remove articles by id or URL, all in one commit."""
        result = RemovalReport()
        with self._exclusive_run():
            if not self.store.exists():
                raise IndexMissing(f"no index for {self.store!r}; build one with `cstosearch index`")
            session = self.store.session(rebuild=False)
            try:
                live = session.live_articles()
                found = {}
                for target in targets:
                    article_id = article_id_of(target)
                    if article_id in live:
                        found[target] = article_id
                    else:
                        result.not_found.append(target)
                session.delete(found.values())
            except BaseException:
                session.cancel()
                raise
            session.commit()
            result.removed = list(found)
            result.documents = self.store.document_count()
        return result

    def _outcomes(self, paths: list[Path]) -> Iterator[tuple[str, Article | UnreadableSource | SourceWarning,
                                                             Fingerprint | None]]:
        """(source key, outcome, the article's fingerprint when already made) for each file's outcomes."""
        bar = tqdm(total=len(paths), unit="file", disable=not self.progress, file=sys.stderr)
        with bar:
            if self.reads_ahead:
                for key, outcome, fingerprint in read_ahead(paths):
                    if key == FILE_DONE:
                        bar.update(1)
                    else:
                        yield key, outcome, fingerprint
                return
            for path in paths:
                for key, outcome in read_outcomes(path):
                    yield key, outcome, None
                bar.update(1)

    def _index(self, outcomes: Iterator[tuple[str, object, Fingerprint | None]], report: RunReport,
               pruning: _Pruning | None) -> None:
        started = time.monotonic()
        report.started_at = utc_now()
        rebuild = report.rebuild
        self.root.mkdir(parents=True, exist_ok=True)
        groups_path = self.root / GROUPS_FILE
        grouper = StoryGrouper() if rebuild else StoryGrouper.load(groups_path)
        # Before the session: a broken overrides file stops the run before the store is touched.
        names = NameLearning(self.root, rebuild, self.names_overrides)
        session = self.store.session(rebuild)
        batch = _Batch(session, names.note)
        try:
            known = _KnownArticles(session)
            self._add_outcomes(outcomes, session, known, grouper, batch, report)
            if not rebuild:
                report.removed += session.delete(known.stale_ids(batch.produced))
                if pruning:
                    report.removed += session.delete(pruning.gone_ids(known, batch.produced))
        except BaseException:
            session.cancel()
            raise
        session.commit()
        grouper.save(groups_path)
        with self.store.name_corpus() as corpus:
            report.names = names.finish(corpus)
        report.documents = self.store.document_count()
        if isinstance(self.store, WhooshStore):
            # After the commit: followed searches count what this run added (see feeds.py, which
            # reads the Whoosh index; they are not counted over OpenSearch).
            report.followed = [asdict(c) for c in record_run(self.root, report.started_at, utc_now(), rebuild)]
        report.seconds = round(time.monotonic() - started, 3)
        report.finished_at = utc_now()
        write_report(self.root, report)

    def _add_outcomes(self, outcomes, session: StoreSession, known: _KnownArticles, grouper: StoryGrouper,
                      batch: _Batch, report: RunReport) -> None:
        group_by_hash = {content_hash: group for content_hash, group in known.articles.values()}

        @lru_cache(maxsize=4096)
        def stored_fingerprint(article_id: str) -> Fingerprint | None:
            stored = session.stored_article(article_id)
            return Fingerprint.of(_body_of(stored)) if stored else None

        def fingerprint_of(article_id: str) -> Fingerprint | None:
            body = batch.body(article_id)
            return Fingerprint.of(body) if body is not None else stored_fingerprint(article_id)

        def group_of(article_id: str) -> str | None:
            if article_id in batch.groups:
                return batch.groups[article_id]
            return known.articles[article_id][1] if article_id in known.articles else None

        for key, outcome, fingerprint in outcomes:
            known.note_file(key)  # even a file that now fails replaces what it produced before
            if isinstance(outcome, SourceWarning):
                report.warnings.append({"path": outcome.path, "reason": outcome.reason})
                continue
            if isinstance(outcome, UnreadableSource):
                report.failed.append({"path": outcome.path, "reason": outcome.reason})
                continue
            article = outcome
            article_id, content_hash, body = article.article_id, article.content_hash, article.body_text
            earlier = known.articles.get(article_id)
            earlier_hash = batch.hashes.get(article_id) or (earlier[0] if earlier else None)
            batch.produced.add(article_id)
            if earlier_hash == content_hash:
                report.unchanged += 1
                if not grouper.knows(article_id):
                    grouper.remember(article_id, (fingerprint or Fingerprint.of(body)).minhash())
                if earlier and article_id not in batch.hashes and not known.came_from(key, article_id):
                    # The same article now read from another file (a renamed scrape): the
                    # document follows it, so pruning the old name does not remove it.
                    batch.add(article, content_hash, earlier[1], key)
                continue
            if earlier_hash is None and content_hash in group_by_hash:
                group = group_by_hash[content_hash]
                grouper.remember(article_id, (fingerprint or Fingerprint.of(body)).minhash())
                report.duplicates += 1
            else:
                group = grouper.group_for(article_id, fingerprint or Fingerprint.of(body), group_of, fingerprint_of)
                if group != article_id:
                    report.grouped += 1
            if earlier_hash is None:
                report.added += 1
            else:
                report.updated += 1
            batch.add(article, content_hash, group, key)
            group_by_hash.setdefault(content_hash, group)


class _KnownArticles:
    """The live articles before the run: id -> (content hash, group), and which file each came from."""

    def __init__(self, session: StoreSession) -> None:
        self.session = session
        self.articles: dict[str, tuple[str, str]] = session.live_articles()
        self._by_file: dict[str, set[str]] = {}

    def ids_from(self, key: str) -> set[str]:
        """Ids of the live articles that the file ``key`` produced."""
        if not self.articles or not key:
            return set()
        return self.session.ids_from(key)

    def note_file(self, key: str) -> None:
        if key and key not in self._by_file:
            self._by_file[key] = self.ids_from(key)

    def came_from(self, key: str, article_id: str) -> bool:
        return article_id in self._by_file.get(key, ())

    def stale_ids(self, produced: set[str]) -> set[str]:
        """Articles a re-read file produced before and no longer does (an edited text without URL)."""
        return {i for ids in self._by_file.values() for i in ids} - produced


class _Pruning:
    """Which articles came from files under the run's sources that are no longer there."""

    def __init__(self, root_keys: list[str], present_keys: set[str]) -> None:
        self.root_keys = root_keys
        self.present_keys = present_keys

    def gone_ids(self, known: _KnownArticles, produced: set[str]) -> set[str]:
        if not known.articles:
            return set()
        gone = set()
        for key in known.session.source_keys():
            if under_roots(key, self.root_keys) and key not in self.present_keys:
                gone |= known.ids_from(key)
        return gone - produced


class _Batch:
    """What a run has written so far (groups, hashes, bodies), for the checks later in the same run."""

    def __init__(self, session: StoreSession, on_add=None) -> None:
        self.session = session
        self.on_add = on_add  # sees each article written (name learning)
        self.groups: dict[str, str] = {}
        self.hashes: dict[str, str] = {}
        self.produced: set[str] = set()
        self._bodies: dict[str, bytes] = {}  # compressed: only near-duplicate checks read them

    def add(self, article: Article, content_hash: str, group_id: str, source_key: str) -> None:
        article_id = article.article_id
        self.session.write(article, group_id, source_key, again=article_id in self.hashes)
        if self.on_add is not None:
            self.on_add(article_id, {"body": article.indexed_body})
        self.groups[article_id] = group_id
        self.hashes[article_id] = content_hash
        self._bodies[article_id] = zlib.compress(article.body_text.encode("utf-8"), 1)

    def body(self, article_id: str) -> str | None:
        packed = self._bodies.get(article_id)
        return zlib.decompress(packed).decode("utf-8") if packed is not None else None


def article_id_of(target: str) -> str:
    """The article id for an id or a URL as given on the command line ("" when it is neither)."""
    target = target.strip()
    if re.fullmatch(r"[0-9a-f]{16}", target):
        return target
    url = normalize_url(target)
    return Article(paragraphs=[], url=url).article_id if url else ""


def _body_of(article: dict) -> str:
    return "\n\n".join(article.get("paragraphs") or [])
