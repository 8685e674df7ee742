"""Building and refreshing the index: only new or changed scrapes, one atomic commit, one run at a time.

Order of durable steps: the Whoosh commit (atomic; searchers switch to it when they next
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
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from tqdm import tqdm
from whoosh.writing import CLEAR

from cstosearch.article import Article
from cstosearch.dedupe import Fingerprint, StoryGrouper
from cstosearch.errors import IndexBusy, UnreadableSource
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

    def summary(self) -> str:
        return (f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
                f"exact duplicates {self.duplicates}, grouped with another story {self.grouped}, "
                f"failed {len(self.failed)}; files read {self.files_read}, "
                f"files unchanged since last run {self.files_unchanged}; "
                f"{self.documents} documents in the index ({self.seconds:.1f} s)")


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
        digest = _file_sha1(path)
        record = (str(path), stat.st_size, stat.st_mtime_ns, digest)
        if row and row[2] == digest:
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


class Indexer:
    """Runs of ``index`` (rebuild) and ``reindex`` (incremental) over one index folder."""

    def __init__(self, index_dir: Path, procs: int = 1, limitmb: int = 256, progress: bool | None = None) -> None:
        self.index = ArticleIndex(index_dir)
        self.root = Path(index_dir)
        self.procs = procs
        self.limitmb = limitmb
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
                        records.append((str(path), *_stat_and_hash(path)))
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
        ix = self.index.open_or_create()
        groups_path = self.root / GROUPS_FILE
        grouper = StoryGrouper() if rebuild else StoryGrouper.load(groups_path)
        with ix.searcher() as searcher:
            known = {} if rebuild else _known_articles(searcher)
            group_by_hash = {content_hash: group for content_hash, group in known.values()}
            pending: dict[str, dict] = {}

            @lru_cache(maxsize=4096)
            def stored_fingerprint(article_id: str) -> Fingerprint | None:
                stored = searcher.document(id=article_id)
                return Fingerprint.of(_body_of(json.loads(stored["article"]))) if stored else None

            def fingerprint_of(article_id: str) -> Fingerprint | None:
                if article_id in pending:
                    return Fingerprint.of(_body_of(json.loads(pending[article_id]["article"])))
                return stored_fingerprint(article_id)

            def group_of(article_id: str) -> str | None:
                if article_id in pending:
                    return pending[article_id]["group_id"]
                return known[article_id][1] if article_id in known else None

            for outcome in outcomes:
                if isinstance(outcome, UnreadableSource):
                    report.failed.append({"path": outcome.path, "reason": outcome.reason})
                    continue
                article = outcome
                article_id, content_hash = article.article_id, article.content_hash
                earlier = pending.get(article_id) or (
                    {"content_hash": known[article_id][0]} if article_id in known else None)
                if earlier and earlier["content_hash"] == content_hash:
                    report.unchanged += 1
                    if not grouper.knows(article_id):
                        grouper.remember(article_id, Fingerprint.of(article.body_text).minhash())
                    continue
                if earlier is None and content_hash in group_by_hash:
                    group = group_by_hash[content_hash]
                    grouper.remember(article_id, Fingerprint.of(article.body_text).minhash())
                    report.duplicates += 1
                else:
                    group = grouper.group_for(article_id, Fingerprint.of(article.body_text), group_of, fingerprint_of)
                    if group != article_id:
                        report.grouped += 1
                if earlier is None:
                    report.added += 1
                elif article_id not in pending:
                    report.updated += 1
                pending[article_id] = article_document(article, group)
                group_by_hash.setdefault(content_hash, group)
        self._commit(pending, rebuild)
        grouper.save(groups_path)
        report.documents = self.index.document_count()
        report.seconds = round(time.monotonic() - started, 3)
        report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        tmp = self.root / (REPORT_FILE + ".tmp")
        tmp.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False))
        tmp.replace(self.root / REPORT_FILE)

    def _commit(self, documents: dict[str, dict], rebuild: bool) -> None:
        if not documents and not rebuild:
            return
        if rebuild:
            writer = self.index.writer(procs=self.procs, limitmb=self.limitmb)
            add = writer.add_document
        else:
            writer = self.index.writer(procs=1, limitmb=self.limitmb)
            add = writer.update_document
        try:
            for document in documents.values():
                add(**document)
        except BaseException:
            writer.cancel()
            raise
        if rebuild:
            writer.commit(mergetype=CLEAR)
        else:
            writer.commit()


def _stat_and_hash(path: Path) -> tuple[int, int, str]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, _file_sha1(path)


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


def last_report(index_dir: Path) -> dict | None:
    path = Path(index_dir) / REPORT_FILE
    return json.loads(path.read_text()) if path.exists() else None
