"""Reading raw files and fingerprinting their articles in a process of their own, ahead of a run.

A run's main process reads each article, fingerprints it for the near-duplicate pass and
groups it, in that order, and a rebuild's segment builders wait on it. Reading and
fingerprinting depend on nothing earlier in the run, so a second process does them while the
main process groups and writes what came before.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Iterator
from pathlib import Path

from cstosearch.article import Article
from cstosearch.dedupe import Fingerprint
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.reader import read_file
from cstosearch.ingest.sources import source_key

BATCH_OUTCOMES = 64
QUEUED_BATCHES = 16
_WAIT_SECONDS = 1.0
FILE_DONE = "file done"  # a batch item's key after the last outcome of a file


def read_outcomes(path: Path) -> Iterator[tuple[str, object]]:
    """(source key, outcome) for each article or problem of one file; a reader bug becomes a problem."""
    key = source_key(path)
    try:
        for outcome in read_file(path):
            yield key, outcome
    except Exception as exc:  # a reader bug must not end the whole batch
        yield key, UnreadableSource(str(path), f"reader failed: {type(exc).__name__}: {exc}")


def read_ahead(paths: list[Path]) -> Iterator[tuple[str, object, Fingerprint | None]]:
    """(source key, outcome, the article's fingerprint) for every file in ``paths``, in order,
    read by another process; after each file's outcomes, one (``FILE_DONE``, path, None)."""
    context = multiprocessing.get_context("fork")
    batches = context.Queue(QUEUED_BATCHES)
    reader = context.Process(target=_read, args=(paths, batches, os.getpid()), daemon=True)
    reader.start()
    try:
        while True:
            try:
                batch = batches.get(timeout=_WAIT_SECONDS)
            except queue.Empty:
                if not reader.is_alive():
                    raise RuntimeError(f"the reading process stopped (exit code {reader.exitcode})") from None
                continue
            if batch is None:
                break
            if isinstance(batch, str):
                raise RuntimeError(f"the reading process failed:\n{batch}")
            yield from batch
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _read(paths: list[Path], batches, parent: int) -> None:
    try:
        batch = []
        for path in paths:
            for key, outcome in read_outcomes(path):
                fingerprint = None
                if isinstance(outcome, Article):
                    fingerprint = Fingerprint.of(outcome.body_text)
                    fingerprint.minhash()  # kept with the fingerprint
                batch.append((key, outcome, fingerprint))
                if len(batch) >= BATCH_OUTCOMES:
                    _put(batches, batch, parent)
                    batch = []
            batch.append((FILE_DONE, path, None))
        _put(batches, batch, parent)
        _put(batches, None, parent)
    except BaseException:
        batches.put(traceback.format_exc())


def _put(batches, item, parent: int) -> None:
    while True:
        try:
            batches.put(item, timeout=_WAIT_SECONDS)
            return
        except queue.Full:
            if os.getppid() != parent:  # the run is gone
                raise SystemExit(1) from None
