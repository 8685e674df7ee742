"""Bytes of a saved web page to text (charset detection) and text to an lxml tree."""

from __future__ import annotations

import codecs
import re
from typing import Any

import lxml.etree
import lxml.html

from cstosearch.errors import UnreadableSource
from cstosearch.ingest.files import decode_text

HEAD_BYTES = 8192
META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# Browsers read these labels as windows-1252 (WHATWG encoding standard); so must we.
WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "l1"})
# Comments and processing instructions confuse the extractors' tree walks (text hides in tails).
HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in its first bytes (meta tag or XML declaration)."""
    head = raw[:HEAD_BYTES]
    found = XML_ENCODING_RE.search(head) or META_CHARSET_RE.search(head)
    if not found:
        return None
    label = found.group(1).decode("ascii", "ignore").strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if label in WINDOWS_1252_LABELS or name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return name


def decode_html(raw: bytes, source_path: str) -> str:
    """Page text: UTF-8 when valid, else the declared charset, else a sniffed one."""
    charset = declared_charset(raw)
    if charset == "cp1252" and _looks_cyrillic_misdeclared(raw):
        charset = None
    text = decode_text(raw, source_path, charset)
    return text.lstrip("\ufeff")


def _looks_cyrillic_misdeclared(raw: bytes) -> bool:
    """True when bytes declared as Latin-1 read like windows-1251 Cyrillic instead.

    Western text has a few accented letters among ASCII ones; Cyrillic text in a single-byte
    code page is mostly high bytes in the 0xC0-0xFF range, forming whole words.
    """
    sample = raw[:65536]
    high = sum(1 for b in sample if b >= 0xC0)
    letters = sum(1 for b in sample if 65 <= (b | 32) <= 122)
    return high > 200 and high > 0.5 * letters


def parse_html(text: str, source_path: str) -> Any:
    """An lxml tree of the page; raises UnreadableSource when nothing parses."""
    text = XML_DECLARATION_RE.sub("", text, count=1)
    if not text.strip():
        raise UnreadableSource(source_path, "empty page")
    try:
        tree = lxml.html.document_fromstring(text, parser=HTML_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise UnreadableSource(source_path, f"cannot parse HTML: {exc}") from exc
    return tree
