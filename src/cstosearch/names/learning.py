"""Learning name groups as part of an indexing run: note each article written, learn after the commit."""

from __future__ import annotations

import time
from pathlib import Path

from cstosearch.analysis import fold
from cstosearch.bookkeeping import LOCK_FILE, RunLock, utc_now
from cstosearch.index import ArticleIndex
from cstosearch.names.grouping import learn_groups
from cstosearch.names.overrides import apply_merges, default_overrides_path, read_overrides
from cstosearch.names.stats import STATS_FILE, NameStats
from cstosearch.names.storage import write_groups


class NameLearning:
    """One run's share of learning: the statistics of the articles it writes, then the groups."""

    def __init__(self, index_dir: Path, rebuild: bool, overrides_path: Path | None = None) -> None:
        self.root = Path(index_dir)
        self.overrides_path = overrides_path or default_overrides_path(self.root)
        # Read now: a broken overrides file stops the run before anything is written.
        self.overrides = read_overrides(self.overrides_path)
        self.stats = NameStats() if rebuild else NameStats.load(self.root / STATS_FILE)
        self.noting_seconds = 0.0  # reading names out of the articles as they are written

    def note(self, article_id: str, document: dict) -> None:
        if self.stats is not None:
            started = time.perf_counter()
            self.stats.note(article_id, document)
            self.noting_seconds += time.perf_counter() - started

    def finish(self, ix) -> dict:
        """Learn from the committed index; write the statistics and the groups file. Returns a summary."""
        started, cpu_started = time.monotonic(), time.process_time()
        with ix.searcher() as searcher:
            read_from_index = self.stats is None
            if read_from_index:  # an index built before names were learned
                self.stats = NameStats.from_searcher(searcher)
            else:
                self.stats.keep_only(live_ids(searcher))
            learned = learn_groups(self.stats.articles, _live_frequency(searcher.reader()), self.overrides.forbids)
        groups = apply_merges(learned.groups, self.overrides, learned.frequency)
        self.stats.save(self.root / STATS_FILE)
        seconds = round(time.monotonic() - started, 3)
        cpu_seconds = round(time.process_time() - cpu_started, 3)
        about = {"learned_at": utc_now(), "articles": len(self.stats.articles), "seconds": seconds,
                 "cpu_seconds": cpu_seconds,
                 "read_from_index": read_from_index,
                 "overrides": str(self.overrides_path) if self.overrides_path.is_file() else None}
        write_groups(self.root, groups, learned.rejections, about)
        return {"groups": len(groups), "seconds": seconds, "cpu_seconds": cpu_seconds,
                "noting_seconds": round(self.noting_seconds, 3),
                "articles": len(self.stats.articles), "read_from_index": read_from_index}


def _live_frequency(reader):
    """How many live articles hold a word in any case, counted up to a bound: Whoosh's document
    frequencies still count the old versions of replaced articles until segments merge."""
    deleted = reader.doc_count_all() - reader.doc_count()

    def count(word: str, at_most: int) -> int:
        term = fold(word)
        if ("words", term) not in reader:
            return 0
        total = reader.doc_frequency("words", term)
        if total <= at_most or not reader.has_deletions():
            return total
        if total - deleted > at_most:
            return total - deleted  # too common even if every deleted article held it
        seen = 0
        for docnum in reader.postings("words", term).all_ids():
            if not reader.is_deleted(docnum):
                seen += 1
                if seen > at_most:
                    break
        return seen

    return count


def live_ids(searcher) -> set[str]:
    reader = searcher.reader()
    ids = list(reader.column_reader("id"))
    return {ids[d] for d in range(len(ids)) if ids[d] and not reader.is_deleted(d)}


def relearn(index_dir: Path, overrides_path: Path | None = None) -> dict:
    """Learn again now, from the statistics beside the index (after editing the overrides, say)."""
    root = Path(index_dir)
    index = ArticleIndex(root)
    ix = index.open()
    with RunLock(root / LOCK_FILE):
        return NameLearning(root, rebuild=False, overrides_path=overrides_path).finish(ix)
