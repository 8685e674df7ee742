"""Learning name groups as part of an indexing run: note each article written, learn after the commit."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from cstosearch.bookkeeping import LOCK_FILE, RunLock, utc_now
from cstosearch.index import ArticleIndex
from cstosearch.names.corpus import NameCorpus
from cstosearch.names.grouping import (
    Learned,
    MentionCounts,
    cached_key,
    count_mentions,
    learn_groups,
    rules_signature,
    update_learned,
)
from cstosearch.names.overrides import apply_merges, default_overrides_path, read_overrides
from cstosearch.names.stats import STATS_FILE, NameStats
from cstosearch.names.storage import write_groups
from cstosearch.store import ArticleStore

# A nightly run weighs again the names whose number of articles changed by at least this share
# (and new names, and names gone).
RELEARN_CHANGE = 0.1


class NameLearning:
    """One run's share of learning: the statistics of the articles it writes, then the groups."""

    def __init__(self, index_dir: Path, rebuild: bool, overrides_path: Path | None = None,
                 every_name: bool = False) -> None:
        self.root = Path(index_dir)
        # Weigh every name again, not only those the run's articles changed (after editing the overrides).
        self.every_name = every_name
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

    def finish(self, corpus: NameCorpus) -> dict:
        """Learn from the store's committed articles; write the statistics and the groups file.
        Returns a summary."""
        started, cpu_started = time.monotonic(), time.process_time()
        read_from_index = self.stats is None
        if read_from_index:  # an index built before names were learned
            self.stats = NameStats.from_records(corpus.stored_articles())
        else:
            self.stats.keep_only(corpus.live_ids())
        learned, keys = self._learn(corpus)
        groups = apply_merges(learned.groups, self.overrides, learned.frequency)
        self.stats.save(self.root / STATS_FILE)
        seconds = round(time.monotonic() - started, 3)
        cpu_seconds = round(time.process_time() - cpu_started, 3)
        about = {"learned_at": utc_now(), "articles": len(self.stats.articles), "seconds": seconds,
                 "cpu_seconds": cpu_seconds, "keys_weighed": "all" if keys is None else len(keys),
                 "read_from_index": read_from_index,
                 "overrides": str(self.overrides_path) if self.overrides_path.is_file() else None}
        write_groups(self.root, groups, learned.rejections, about)
        return {"groups": len(groups), "seconds": seconds, "cpu_seconds": cpu_seconds,
                "keys_weighed": "all" if keys is None else len(keys),
                "noting_seconds": round(self.noting_seconds, 3),
                "articles": len(self.stats.articles), "read_from_index": read_from_index}

    def _learn(self, corpus: NameCorpus) -> tuple[Learned, set[str] | None]:
        """Learn every name, or, when the last learning is at hand and the pairs kept apart are the
        same, only the keys of the names whose articles changed since (a nightly run). Returns what
        was learned and the keys weighed (None: all)."""
        stats = self.stats
        # What the last learning must share with this one to be added to: the rules and the pairs
        # the overrides keep apart (merges are applied after learning).
        learned_with = (rules_signature(),
                        tuple(sorted(tuple(sorted(p.lower() for p in pair)) for pair in self.overrides.never)))
        if stats.learned_with[:1] != learned_with[:1]:
            stats.keys.clear()  # keys of other transliteration rules
        counts = count_mentions(stats.articles)  # once, for the choice of keys and both passes
        keys = None
        if not self.every_name and stats.learned is not None and stats.learned_with == learned_with:
            keys = {cached_key(name, stats.keys) for name in stats.changed_names(counts.names, RELEARN_CHANGE)}
        learned = learn_groups(stats.articles, self._any_case_frequency(corpus, keys, counts), self.overrides.forbids,
                               keys=keys, key_cache=stats.keys, counts=counts)
        if keys is not None:
            learned = update_learned(stats.learned, learned, keys)
        stats.remember(learned, learned_with)
        return learned, keys

    def _any_case_frequency(self, corpus: NameCorpus, keys: set[str] | None,
                            counts: MentionCounts) -> Callable[[str, int], int]:
        """``count(word, at_most)`` as learning asks it, answered by the corpus.

        A store that counts in batches is surveyed first: learning runs once with every word
        called common, which asks for each candidate and stops at once (no group can form);
        the words asked are then counted together. A word the real pass asks beyond that
        survey is counted on its own.
        """
        if corpus.counts_one_by_one:
            return lambda word, at_most: corpus.any_case_counts({word: at_most})[word]
        bounds: dict[str, int] = {}

        def survey(word: str, at_most: int) -> int:
            bounds[word] = max(at_most, bounds.get(word, at_most))
            return at_most + 1

        learn_groups(self.stats.articles, survey, self.overrides.forbids, keys=keys, key_cache=self.stats.keys,
                     counts=counts)
        counted = corpus.any_case_counts(bounds)

        def count(word: str, at_most: int) -> int:
            bound = bounds.get(word)
            # A count that stopped past a lower bound says nothing about a higher one.
            if bound is None or (at_most > bound and counted[word] > bound):
                bounds[word] = at_most
                counted[word] = corpus.any_case_counts({word: at_most})[word]
            return counted[word]

        return count


def relearn(index_dir: Path, overrides_path: Path | None = None, store: ArticleStore | None = None) -> dict:
    """Learn again now, from the statistics beside the index (after editing the overrides, say).

    ``store`` holds the articles (None: the Whoosh index in ``index_dir``).
    """
    root = Path(index_dir)
    if store is None:
        from cstosearch.engines.whoosh.store import WhooshStore

        store = WhooshStore(ArticleIndex(root))
    with RunLock(root / LOCK_FILE), store.name_corpus() as corpus:
        return NameLearning(root, rebuild=False, overrides_path=overrides_path, every_name=True).finish(corpus)
