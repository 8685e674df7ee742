"""What indexing runs keep beside the index: the run lock, files seen, run reports and markers, temp files."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cstosearch.errors import IndexBusy, UnreadableSource
from cstosearch.ingest.files import open_source
from cstosearch.ingest.sources import source_key

LOCK_FILE = "reindex.lock"
STATE_FILE = "state.sqlite"
REPORT_FILE = "last-run.json"
RUNNING_FILE = "current-run.json"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
    removed: int = 0
    duplicates: int = 0
    grouped: int = 0
    failed: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    documents: int = 0
    followed: list[dict] = field(default_factory=list)
    # Name groups learned after the commit: how many, from how many articles, in how many seconds.
    names: dict = field(default_factory=dict)

    def summary(self) -> str:
        return (f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, removed {self.removed}, "
                f"exact duplicates {self.duplicates}, grouped with another story {self.grouped}, "
                f"failed {len(self.failed)}, links and special files skipped {len(self.skipped)}, "
                f"warnings {len(self.warnings)}; files read {self.files_read}, "
                f"files unchanged since last run {self.files_unchanged}; "
                f"{self.documents} documents in the index ({self.seconds:.1f} s)" + names_line(self.names)
                + followed_lines(self.followed))


def names_line(names: dict) -> str:
    """The run report's line on name spellings ("" when the run learned none)."""
    if not names:
        return ""
    return (f"\nname spellings: {names['groups']} groups learned from {names['articles']} articles "
            f"in {names['seconds']:.1f} s (reading names from articles: {names['noting_seconds']:.1f} s)")


def followed_lines(followed: list[dict]) -> str:
    """The run report's lines for followed searches, one each, every line starting with a newline."""
    lines = []
    for count in followed:
        found = f"{count['new_matches']} new" if count["new_matches"] is not None else f"not counted: {count['error']}"
        lines.append(f"\nfollowed search {count['id']} {count['label']}: {found}")
    return "".join(lines)


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


def lock_is_held(path: Path) -> bool:
    """Whether a live run holds the lock (without taking it for long)."""
    if not path.exists():
        return False
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


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
        """Whether the file is new or changed, and its record; raises UnreadableSource."""
        try:
            stat = path.stat(follow_symlinks=False)
        except OSError as exc:
            raise UnreadableSource(str(path), f"cannot read file: {exc.strerror or exc}") from exc
        row = self.db.execute("SELECT size, mtime_ns, sha1 FROM files WHERE path = ?",
                              (source_key(path),)).fetchone()
        if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
            return False, ()
        record = file_record(path)
        if row and row[2] == record[3]:
            self.remember([record])  # touched, not changed
            return False, ()
        return True, record

    def remember(self, records: Iterable[tuple]) -> None:
        now = utc_now()
        self.db.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha1, seen_at) VALUES (?, ?, ?, ?, ?)",
            [(*r, now) for r in records])
        self.db.commit()

    def forget_missing(self, root_keys: list[str], present_keys: set[str]) -> None:
        """Drop the records of files under these roots that are gone."""
        rows = self.db.execute("SELECT path FROM files").fetchall()
        gone = [(key,) for (key,) in rows if under_roots(key, root_keys) and key not in present_keys]
        self.db.executemany("DELETE FROM files WHERE path = ?", gone)
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def under_roots(key: str, root_keys: list[str]) -> bool:
    return any(key == root or key.startswith(root.rstrip("/") + "/") for root in root_keys)


def file_record(path: Path) -> tuple[str, int, int, str]:
    """(key, size, mtime, SHA-1): what the seen-files table keeps of a file; raises UnreadableSource."""
    digest = hashlib.sha1()
    with open_source(path) as handle:
        try:
            stat = os.fstat(handle.fileno())
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        except OSError as exc:
            raise UnreadableSource(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    return source_key(path), stat.st_size, stat.st_mtime_ns, digest.hexdigest()


class RunMarker:
    """A note that a run started, removed when its report is written: ``status`` tells a killed run apart."""

    def __init__(self, root: Path) -> None:
        self.path = root / RUNNING_FILE

    def start(self, rebuild: bool) -> None:
        write_json_atomically(self.path, {"started_at": utc_now(), "pid": os.getpid(), "rebuild": rebuild})

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def write_json_atomically(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    tmp.replace(path)


def write_report(root: Path, report: RunReport) -> None:
    write_json_atomically(root / REPORT_FILE, asdict(report))


def last_report(index_dir: Path) -> dict | None:
    path = Path(index_dir) / REPORT_FILE
    return json.loads(path.read_text()) if path.exists() else None


def unfinished_run(index_dir: Path) -> dict | None:
    """The run that started and never wrote its report, with ``running`` true while it still holds the lock."""
    path = Path(index_dir) / RUNNING_FILE
    if not path.exists():
        return None
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    info["running"] = lock_is_held(Path(index_dir) / LOCK_FILE)
    return info


def remove_stale_temp_files(index_dir: Path, whoosh_dir: Path) -> int:
    """Delete what a killed run left behind (Whoosh's ``*.tmp`` pools, half-written JSON); bytes freed.

    Called only under the run lock, when no writer can be using them.
    """
    freed = 0
    for folder in (index_dir, whoosh_dir):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if not entry.name.endswith(".tmp") or entry.is_symlink():
                continue
            freed += tree_size(entry)
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    return freed


def tree_size(path: Path) -> int:
    """Bytes of the regular files in a file or folder, links not followed."""
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file_path = os.path.join(folder, name)
            if not os.path.islink(file_path):
                try:
                    total += os.path.getsize(file_path)
                except OSError:
                    pass
    return total
