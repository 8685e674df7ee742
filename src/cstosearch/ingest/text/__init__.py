"""Reader for plain-text scrapes: markdown-like page dumps, junk-laden scrapes, PDF-to-text and bare text."""

from cstosearch.ingest.text.pipeline import read_text

__all__ = ["read_text"]
