"""A rebuild's writer: documents shared out to builder processes, one segment each, one atomic commit.

Whoosh's own multi-process writer spends most of a rebuild sending each posting through a sort
on disk (see ``bulk_postings``). Here each process builds its segment in memory and writes it
once; batches of documents go to the processes in turn, so a build with the same documents and
processes numbers them the same way. The commit is Whoosh's: a new table of contents listing
only the new segments, renamed into place, so searchers keep the previous generation until it
is complete, and a killed build leaves only files that nothing refers to (the next commit
removes them). Incremental runs keep Whoosh's writer, which can replace and delete documents.

Articles are sent as they are and made into documents by the builders, which spares the
process that reads and groups the articles (the busiest one) that work and the larger pickles.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback

from whoosh.index import TOC, FileIndex, LockError, clean_files

from cstosearch.article import Article
from cstosearch.engines.whoosh.bulk_segment import SegmentBuilder
from cstosearch.index import article_document
from cstosearch.whoosh_codec import ArrayCodec

BATCH_DOCUMENTS = 64
QUEUED_BATCHES = 8
_WAIT_SECONDS = 1.0


class BulkWriter:
    """Builds a whole new generation of the index from the documents added; replaces every segment."""

    def __init__(self, ix: FileIndex, procs: int = 1) -> None:
        self.storage = ix.storage
        self.indexname = ix.indexname
        self.schema = ix.schema
        self._lock = ix.lock("WRITELOCK")
        if not self._lock.acquire():
            raise LockError("the index is being written by another writer")
        self.generation = ix.latest_generation() + 1
        self._builders: list[_Builder] = []
        try:
            if procs > 1:
                self._builders = [_BuilderProcess(self.storage, self.indexname, self.schema) for _ in range(procs)]
            else:
                self._builders = [_LocalBuilder(self.storage, self.indexname, self.schema)]
        except BaseException:
            self._release()
            raise
        self._batch: list = []
        self._batches = 0

    def add_document(self, **document) -> None:
        self._add(document)

    def add_article(self, article: Article, group_id: str, source_key: str) -> None:
        """Adds ``article_document(article, group_id, source_key)``, made by the builder."""
        self._add((article, group_id, source_key))

    def _add(self, item) -> None:
        self._batch.append(item)
        if len(self._batch) >= BATCH_DOCUMENTS:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self._builders[self._batches % len(self._builders)].add_batch(self._batch)
            self._batches += 1
            self._batch = []

    def commit(self, **_merge_options) -> None:
        """Finishes every segment and makes them, and only them, the index's next generation
        (what Whoosh's writer does with ``mergetype=CLEAR``)."""
        try:
            self._send()
            for builder in self._builders:  # all finish at once, then each is waited for
                builder.start_finishing()
            segments = [builder.finish() for builder in self._builders]
            segments = [segment for segment in segments if segment.doc_count_all()]
            TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
            clean_files(self.storage, self.indexname, self.generation, segments)
        except BaseException:
            self.cancel()
            raise
        self._release()

    def delete_by_term(self, fieldname: str, text: str) -> int:
        """Nothing to delete: the new generation holds only the documents added to this writer."""
        return 0

    def cancel(self) -> None:
        for builder in self._builders:
            builder.cancel()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self.storage.temp_storage(f"{self.indexname}.tmp").destroy()
            self._lock.release()
            self._lock = None


class _Builder:
    def add_batch(self, documents: list) -> None: ...

    def start_finishing(self) -> None:
        """No more documents: a builder in another process starts writing its segment."""

    def finish(self): ...

    def cancel(self) -> None: ...


class _LocalBuilder(_Builder):
    """A segment built in this process."""

    def __init__(self, storage, indexname, schema) -> None:
        self._builder = SegmentBuilder(storage, indexname, schema, ArrayCodec())

    def add_batch(self, documents: list) -> None:
        _add_all(self._builder, documents)

    def finish(self):
        return self._builder.finish()

    def cancel(self) -> None:
        self._builder.cancel()


class _BuilderProcess(_Builder):
    """A segment built in a child process, fed batches of documents through a bounded queue."""

    def __init__(self, storage, indexname, schema) -> None:
        context = multiprocessing.get_context("fork")
        self._jobs = context.Queue(QUEUED_BATCHES)
        self._results = context.Queue()
        self._process = context.Process(target=_build_segment, daemon=True,
                                        args=(storage, indexname, schema, self._jobs, self._results, os.getpid()))
        self._process.start()

    def add_batch(self, documents: list) -> None:
        self._put(documents)

    def _put(self, item) -> None:
        while True:
            try:
                self._jobs.put(item, timeout=_WAIT_SECONDS)
                return
            except queue.Full:
                self._check_alive()

    def start_finishing(self) -> None:
        self._put(None)

    def finish(self):
        while True:
            try:
                outcome, value = self._results.get(timeout=_WAIT_SECONDS)
                break
            except queue.Empty:
                self._check_alive()
        self._process.join()
        if outcome == "failed":
            raise RuntimeError(f"a segment builder failed:\n{value}")
        return value

    def _check_alive(self) -> None:
        if not self._process.is_alive():
            raise RuntimeError(f"a segment builder stopped (exit code {self._process.exitcode})")

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _build_segment(storage, indexname, schema, jobs, results, parent: int) -> None:
    """A builder process: adds the batches it is sent until told to finish, then hands back its segment."""
    builder = None
    try:
        builder = SegmentBuilder(storage, indexname, schema, ArrayCodec())
        while True:
            try:
                documents = jobs.get(timeout=_WAIT_SECONDS)
            except queue.Empty:
                if os.getppid() != parent:  # the writer is gone: nothing will commit this segment
                    return
                continue
            if documents is None:
                break
            _add_all(builder, documents)
        results.put(("built", builder.finish()))
    except BaseException:
        if builder is not None:
            builder.cancel()
        results.put(("failed", traceback.format_exc()))


def _add_all(builder: SegmentBuilder, items: list) -> None:
    """Adds a batch: documents, and (article, group, source key) triples made into documents here."""
    for item in items:
        if isinstance(item, tuple):
            item = article_document(*item, with_word_list=False)
        builder.add_document(item)
