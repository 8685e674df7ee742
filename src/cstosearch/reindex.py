"""Building and refreshing the index: only new or changed scrapes, one atomic commit, one run at a time.

The articles go to a store: the Whoosh index in the index folder (``WhooshStore``) or an
OpenSearch alias (``cstosearch.engines.opensearch.OpenSearchStore``); the lock, the record of
files seen, the near-duplicate table and the run report always live in the index folder.

Order of durable steps: the store's commit (atomic; searchers switch to it when they next
look), then the near-duplicate table, then the record of files seen, then the run report.
A run killed before the commit changes nothing that is served; killed after it, the next
run re-reads the unrecorded files, finds their articles already indexed, and completes the
bookkeeping.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from tqdm import tqdm
from whoosh.writing import CLEAR

from cstosearch.article import Article
from cstosearch.dedupe import Fingerprint, StoryGrouper
from cstosearch.errors import IndexBusy, UnreadableSource
from cstosearch.feeds import followed_lines, record_run
from cstosearch.index import ArticleIndex, article_document
from cstosearch.ingest.reader import raw_files, read_file

LOCK_FILE = "reindex.lock"
STATE_FILE = "state.sqlite"
GROUPS_FILE = "groups.pickle"
REPORT_FILE = "last-run.json"


@dataclass
class RunReport:
    started_at: str = ""
    finished_at: str = ""
    seconds: float = 0.0
    rebuild: bool = False
    files_read: int = 0
    files_unchanged: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    grouped: int = 0
    failed: list[dict] = field(default_factory=list)
    documents: int = 0
    followed: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        return (f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
                f"exact duplicates {self.duplicates}, grouped with another story {self.grouped}, "
                f"failed {len(self.failed)}; files read {self.files_read}, "
                f"files unchanged since last run {self.files_unchanged}; "
                f"{self.documents} documents in the index ({self.seconds:.1f} s)" + followed_lines(self.followed))


class RunLock:
    """An exclusive lock on the index folder; the kernel drops it when its holder dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise IndexBusy(f"another indexing run (pid {holder}) holds {self.path}; try again when it ends") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._handle:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()


class SeenFiles:
    """Which raw files earlier runs read, so an unchanged file is not read again."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
            "sha1 TEXT, seen_at TEXT)")

    def clear(self) -> None:
        self.db.execute("DELETE FROM files")

    def needs_reading(self, path: Path) -> tuple[bool, tuple]:
        stat = path.stat()
        row = self.db.execute("SELECT size, mtime_ns, sha1 FROM files WHERE path = ?", (str(path),)).fetchone()
        if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
            return False, ()
        record = _file_record(path, stat)
        if row and row[2] == record[3]:
            self.remember([record])  # touched, not changed
            return False, ()
        return True, record

    def remember(self, records: Iterable[tuple]) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.db.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha1, seen_at) VALUES (?, ?, ?, ?, ?)",
            [(*r, now) for r in records])
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def _file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class StoreSession(Protocol):
    """One run's view of a store: what is already indexed, and where this run's articles go."""

    def known_articles(self) -> dict[str, tuple[str, str]]: ...

    def stored_article(self, article_id: str) -> dict | None: ...

    def write(self, article: Article, group_id: str) -> None: ...

    def commit(self) -> None: ...

    def cancel(self) -> None: ...


class ArticleStore(Protocol):
    """Where indexed articles live, as the ingester sees it."""

    def session(self, rebuild: bool) -> StoreSession: ...

    def document_count(self) -> int: ...


class WhooshStore:
    """The Whoosh index in an index folder."""

    def __init__(self, index: ArticleIndex, procs: int = 1, limitmb: int = 256) -> None:
        self.index = index
        self.procs = procs
        self.limitmb = limitmb

    def session(self, rebuild: bool) -> _WhooshSession:
        return _WhooshSession(self.index, rebuild, self.procs, self.limitmb)

    def document_count(self) -> int:
        return self.index.document_count()


class Indexer:
    """Runs of ``index`` (rebuild) and ``reindex`` (incremental) over one index folder."""

    def __init__(self, index_dir: Path, procs: int = 1, limitmb: int = 256, progress: bool | None = None,
                 store: ArticleStore | None = None) -> None:
        self.index = ArticleIndex(index_dir)
        self.root = Path(index_dir)
        self.store = store if store is not None else WhooshStore(self.index, procs, limitmb)
        self.progress = sys.stderr.isatty() if progress is None else progress

    def run(self, sources: Iterable[Path], rebuild: bool = False) -> RunReport:
        """Index the raw files under ``sources``: all of them on rebuild, else only new or changed ones."""
        with RunLock(self.root / LOCK_FILE):
            seen = SeenFiles(self.root / STATE_FILE)
            try:
                files = list(raw_files(sources))
                records: list[tuple] = []
                to_read = []
                for path in files:
                    if rebuild:
                        to_read.append(path)
                        records.append(_file_record(path, path.stat()))
                        continue
                    needed, record = seen.needs_reading(path)
                    if needed:
                        to_read.append(path)
                        records.append(record)
                report = RunReport(files_read=len(to_read), files_unchanged=len(files) - len(to_read))
                self._index(self._outcomes(to_read), rebuild, report)
                if rebuild:
                    seen.clear()
                seen.remember(records)
            finally:
                seen.close()
        return report

    def index_articles(self, outcomes: Iterable[Article | UnreadableSource], rebuild: bool = False) -> RunReport:
        """Index articles that are already read (tests and callers with their own readers)."""
        with RunLock(self.root / LOCK_FILE):
            report = RunReport()
            self._index(iter(outcomes), rebuild, report)
        return report

    def _outcomes(self, paths: list[Path]) -> Iterator[Article | UnreadableSource]:
        bar = tqdm(total=len(paths), unit="file", disable=not self.progress, file=sys.stderr)
        with bar:
            for path in paths:
                try:
                    yield from read_file(path)
                except Exception as exc:  # a reader bug must not end the whole batch
                    yield UnreadableSource(str(path), f"reader failed: {type(exc).__name__}: {exc}")
                bar.update(1)

    def _index(self, outcomes: Iterator[Article | UnreadableSource], rebuild: bool, report: RunReport) -> None:
        started = time.monotonic()
        report.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        report.rebuild = rebuild
        self.root.mkdir(parents=True, exist_ok=True)
        groups_path = self.root / GROUPS_FILE
        grouper = StoryGrouper() if rebuild else StoryGrouper.load(groups_path)
        session = self.store.session(rebuild)
        batch = _Batch(session)
        try:
            self._add_outcomes(outcomes, session, grouper, batch, report, rebuild)
        except BaseException:
            session.cancel()
            raise
        session.commit()
        grouper.save(groups_path)
        report.documents = self.store.document_count()
        if isinstance(self.store, WhooshStore):
            # After the commit: followed searches count what this run added (see feeds.py, which
            # reads the Whoosh index; followed searches are not counted over OpenSearch yet).
            report.followed = [asdict(c) for c in record_run(self.root, report.started_at, _utc_now(), rebuild)]
        report.seconds = round(time.monotonic() - started, 3)
        report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        tmp = self.root / (REPORT_FILE + ".tmp")
        tmp.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False))
        tmp.replace(self.root / REPORT_FILE)

    def _add_outcomes(self, outcomes, session: StoreSession, grouper: StoryGrouper, batch: _Batch,
                      report: RunReport, rebuild: bool) -> None:
        known = {} if rebuild else session.known_articles()
        group_by_hash = {content_hash: group for content_hash, group in known.values()}

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
            return known[article_id][1] if article_id in known else None

        for outcome in outcomes:
            if isinstance(outcome, UnreadableSource):
                report.failed.append({"path": outcome.path, "reason": outcome.reason})
                continue
            article = outcome
            article_id, content_hash, body = article.article_id, article.content_hash, article.body_text
            earlier_hash = batch.hashes.get(article_id) or (known[article_id][0] if article_id in known else None)
            if earlier_hash == content_hash:
                report.unchanged += 1
                if not grouper.knows(article_id):
                    grouper.remember(article_id, Fingerprint.of(body).minhash())
                continue
            if earlier_hash is None and content_hash in group_by_hash:
                group = group_by_hash[content_hash]
                grouper.remember(article_id, Fingerprint.of(body).minhash())
                report.duplicates += 1
            else:
                group = grouper.group_for(article_id, Fingerprint.of(body), group_of, fingerprint_of)
                if group != article_id:
                    report.grouped += 1
            if earlier_hash is None:
                report.added += 1
            else:
                report.updated += 1
            batch.add(article, group)
            group_by_hash.setdefault(content_hash, group)


class _Batch:
    """What a run has written so far (groups, hashes, bodies), for the checks that follow in the run."""

    def __init__(self, session: StoreSession) -> None:
        self.session = session
        self.groups: dict[str, str] = {}
        self.hashes: dict[str, str] = {}
        self._bodies: dict[str, bytes] = {}  # compressed: only near-duplicate checks read them

    def add(self, article: Article, group_id: str) -> None:
        article_id = article.article_id
        self.session.write(article, group_id)
        self.groups[article_id] = group_id
        self.hashes[article_id] = article.content_hash
        self._bodies[article_id] = zlib.compress(article.body_text.encode("utf-8"), 1)

    def body(self, article_id: str) -> str | None:
        packed = self._bodies.get(article_id)
        return zlib.decompress(packed).decode("utf-8") if packed is not None else None


class _WhooshSession:
    """Where a run's Whoosh documents go until its one commit.

    On a rebuild they stream into a (multi-process) writer as they are read, so memory stays
    flat; an incremental run holds them and replaces old versions with ``update_document``.
    A later version of an article already written in the same rebuild is held too and
    applied right after the main commit: Whoosh cannot replace an uncommitted document.
    """

    def __init__(self, index: ArticleIndex, rebuild: bool, procs: int, limitmb: int) -> None:
        self.index = index
        self.limitmb = limitmb
        ix = index.open_or_create(replace_outdated=rebuild)
        self.searcher = ix.searcher()
        self.writer = index.writer(procs=procs, limitmb=limitmb) if rebuild else None
        self.written: set[str] = set()
        self.held: dict[str, dict] = {}

    def known_articles(self) -> dict[str, tuple[str, str]]:
        return _known_articles(self.searcher)

    def stored_article(self, article_id: str) -> dict | None:
        stored = self.searcher.document(id=article_id)
        return json.loads(stored["article"]) if stored else None

    def write(self, article: Article, group_id: str) -> None:
        document = article_document(article, group_id)
        if self.writer is not None and document["id"] not in self.written:
            self.writer.add_document(**document)
            self.written.add(document["id"])
        else:
            self.held[document["id"]] = document

    def cancel(self) -> None:
        self.searcher.close()
        if self.writer is not None:
            self.writer.cancel()

    def commit(self) -> None:
        self.searcher.close()
        if self.writer is not None:
            self.writer.commit(mergetype=CLEAR)
        if self.held:
            writer = self.index.writer(procs=1, limitmb=self.limitmb)
            try:
                for document in self.held.values():
                    writer.update_document(**document)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()


def _file_record(path: Path, stat: os.stat_result) -> tuple[str, int, int, str]:
    """(path, size, mtime, SHA-1): what the seen-files table keeps of a file."""
    return str(path), stat.st_size, stat.st_mtime_ns, _file_sha1(path)


def _known_articles(searcher) -> dict[str, tuple[str, str]]:
    """id -> (content hash, group) for every live document, read from column storage."""
    reader = searcher.reader()
    if reader.doc_count_all() == 0:
        return {}
    ids = list(reader.column_reader("id"))
    hashes = list(reader.column_reader("content_hash"))
    groups = list(reader.column_reader("group_id"))
    return {ids[d]: (hashes[d], groups[d]) for d in range(len(ids)) if not reader.is_deleted(d) and ids[d]}


def _body_of(article: dict) -> str:
    return "\n\n".join(article.get("paragraphs") or [])


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def last_report(index_dir: Path) -> dict | None:
    path = Path(index_dir) / REPORT_FILE
    return json.loads(path.read_text()) if path.exists() else None
