"""Specific error types, caught at the edges (CLI, HTTP) and turned into messages."""

from __future__ import annotations

import re

# C0 and C1 control characters: a newline in a file name must not start a new report line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe for a one-line report: undecodable bytes and control characters as escapes."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # lone surrogates that did not come from a file name
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class CstoSearchError(Exception):
    """Base class for every error this package raises on purpose."""


class UnreadableSource(CstoSearchError):
    """A raw file could not be turned into an article (binary, bad encoding, empty, no article)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = printable(str(path))
        self.reason = printable(reason)
        super().__init__(f"{self.path}: {self.reason}")

    def __reduce__(self):
        # Read in another process (``read_ahead``) and sent back: pickled by its path and reason.
        return type(self), (self.path, self.reason)


class SourceWarning:
    """Something dropped from a source on purpose (an implausible date); the article itself is kept."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = printable(str(path))
        self.reason = printable(reason)

    def __repr__(self) -> str:
        return f"SourceWarning({self.path!r}, {self.reason!r})"


class BadQuery(CstoSearchError):
    """A search request that cannot be answered as asked; the message says why."""


class IndexMissing(CstoSearchError):
    """No built index where one was expected."""


class IndexOutdated(IndexMissing):
    """An index whose schema another version of the package wrote; it must be rebuilt."""


class IndexBusy(CstoSearchError):
    """Another run holds the index lock."""


class IndexNotWritable(CstoSearchError):
    """The index folder cannot be written (read-only, permissions, disk full); nothing served changed."""
