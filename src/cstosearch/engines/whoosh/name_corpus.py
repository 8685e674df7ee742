"""The Whoosh index as name learning reads it: live ids, any-case word counts, stored articles."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from cstosearch.analysis import fold


class WhooshNameCorpus:
    """One searcher over the committed index, held until ``close``."""

    counts_one_by_one = True

    def __init__(self, ix) -> None:
        self.searcher = ix.searcher()
        self.reader = self.searcher.reader()

    def __enter__(self) -> WhooshNameCorpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.searcher.close()

    def live_ids(self) -> set[str]:
        reader = self.reader
        ids = list(reader.column_reader("id"))
        return {ids[d] for d in range(len(ids)) if ids[d] and not reader.is_deleted(d)}

    def any_case_counts(self, bounds: Mapping[str, int]) -> dict[str, int]:
        return {word: self._live_frequency(word, at_most) for word, at_most in bounds.items()}

    def _live_frequency(self, word: str, at_most: int) -> int:
        """How many live articles hold a word in any case, counted up to a bound: Whoosh's document
        frequencies still count the old versions of replaced articles until segments merge."""
        reader = self.reader
        term = fold(word)
        if ("words", term) not in reader:
            return 0
        total = reader.doc_frequency("words", term)
        if total <= at_most or not reader.has_deletions():
            return total
        deleted = reader.doc_count_all() - reader.doc_count()
        if total - deleted > at_most:
            return total - deleted  # too common even if every deleted article held it
        seen = 0
        for docnum in reader.postings("words", term).all_ids():
            if not reader.is_deleted(docnum):
                seen += 1
                if seen > at_most:
                    break
        return seen

    def stored_articles(self) -> Iterator[tuple[str, dict]]:
        reader = self.reader
        for docnum in reader.all_doc_ids():
            stored = reader.stored_fields(docnum)
            yield stored["id"], json.loads(stored["article"])
