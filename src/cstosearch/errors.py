"""Specific error types, caught at the edges (CLI, HTTP) and turned into messages."""


class CstoSearchError(Exception):
    """Base class for every error this package raises on purpose."""


class UnreadableSource(CstoSearchError):
    """A raw file could not be turned into an article (binary, bad encoding, empty, no article)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class BadQuery(CstoSearchError):
    """A search request that cannot be answered as asked; the message says why."""


class IndexMissing(CstoSearchError):
    """No built index where one was expected."""


class IndexOutdated(IndexMissing):
    """An index whose schema another version of the package wrote; it must be rebuilt."""


class IndexBusy(CstoSearchError):
    """Another run holds the index lock."""
