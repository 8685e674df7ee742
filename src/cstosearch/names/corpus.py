"""What name learning reads from the store after a run's commit, whichever engine holds the articles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol


class NameCorpus(Protocol):
    """The live articles of a store, as learning reads them (opened by the store's ``name_corpus``)."""

    # True where counting one word at a time is cheap (a local index); False where counts should
    # be asked for together (a cluster, one request per batch).
    counts_one_by_one: bool

    def __enter__(self) -> NameCorpus: ...

    def __exit__(self, *exc) -> None: ...

    def live_ids(self) -> set[str]:
        """The ids of the articles the store serves now."""

    def any_case_counts(self, bounds: Mapping[str, int]) -> dict[str, int]:
        """Word -> how many live articles hold it in any case; counting may stop past the word's bound."""

    def stored_articles(self) -> Iterator[tuple[str, dict]]:
        """(id, public record) of every live article: for an index built before names were learned."""
