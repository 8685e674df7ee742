"""Paragraphs from lines: hard-wrapped PDF text re-joined, paragraphs split where a short line ends a sentence,
and paragraphs broken by a page break or a stray blank line mended."""

from __future__ import annotations

import re

from cstosearch.ingest.normalize import TERMINAL
from cstosearch.ingest.text.junk import is_related_line
from cstosearch.ingest.text.lines import (
    CJK_CHAR,
    CLOSING_QUOTES,
    blocks,
    ends_sentence,
    has_blank_between,
    is_cjk,
    join_wrapped,
)

LIST_ITEM = re.compile(r"^\s*•\s*")
# Words a sentence cannot end on: a paragraph ending on one was cut, whatever the next line starts with.
OPEN_ENDINGS = frozenset({
    "the", "a", "an", "to", "of", "and", "or", "in", "on", "for", "with", "by", "at", "from", "that", "as", "is",
    "are", "was", "were", "his", "her", "their", "its", "our", "your", "de", "la", "le", "les", "des", "du", "et",
    "und", "der", "die", "das", "el", "los", "las", "y", "en",
})


def is_hard_wrapped(lines: list[str]) -> bool:
    """PDF dumps wrap lines at a fixed width, mostly in the middle of sentences, with blank lines between paragraphs."""
    filled = [line for line in lines if line.strip()]
    if len(filled) < 6 or not has_blank_between(lines):
        return False
    longest = wrap_width(filled)
    if longest > 130:
        return False
    mid_sentence = sum(1 for line in filled if len(line) > longest * 0.6 and not line.endswith(TERMINAL))
    return mid_sentence / len(filled) > 0.3


def wrap_width(filled: list[str]) -> int:
    """The width the text was wrapped at (95th percentile of line lengths, so a few long lines do not count)."""
    if not filled:
        return 0
    return sorted(len(line) for line in filled)[max(0, int(len(filled) * 0.95) - 1)]


def line_pieces(lines: list[str], hard_wrapped: bool) -> list[str]:
    """One piece per line, or per paragraph where the dump is hard-wrapped."""
    if not hard_wrapped:
        return [line.strip() for line in lines if line.strip()]
    width = wrap_width([line for line in lines if line.strip()])
    pieces: list[str] = []
    for block in blocks(lines):
        current = ""
        for k, line in enumerate(block):
            text = line.strip()
            if (LIST_ITEM.match(text) or is_related_line(text)) and current:
                pieces.append(current)  # a list item or a related-article line starts its own piece
                current = ""
            current = join_wrapped(current, text) if current else text
            following = block[k + 1].strip() if k + 1 < len(block) else ""
            ends = ends_sentence(text) or is_related_line(current)
            if following and ends and _next_word_fits(line, following, width):
                pieces.append(current)  # a short line ending a sentence closes its paragraph
                current = ""
        if current:
            pieces.append(current)
    return pieces


def _next_word_fits(line: str, following: str, width: int) -> bool:
    """Had the line gone on, the next word would have fitted: so the line ended its paragraph."""
    first = following[0] if CJK_CHAR.match(following[0]) else following.split()[0]
    gap = 0 if CJK_CHAR.match(following[0]) else 1
    return len(line.rstrip()) + gap + len(first) < width


def rejoin_broken(pieces: list[str], hard_wrapped: bool, heading_chars: int = 0) -> list[str]:
    """Re-join a paragraph split mid-sentence by a page break or a stray blank line.

    In wrapped text a page break or stray blank line follows a full line, so a piece shorter than
    ``heading_chars`` (one short line) is a sub-heading, never the first half of a paragraph.
    """
    joined: list[str] = []
    for piece in pieces:
        if joined and len(joined[-1]) >= heading_chars and _ends_mid_sentence(joined[-1]) \
                and _continues(joined[-1], piece, hard_wrapped):
            joined[-1] = join_wrapped(joined[-1], piece)
        else:
            joined.append(piece)
    return [p if is_cjk(p) else " ".join(p.split()) for p in joined]


def _continues(previous: str, piece: str, hard_wrapped: bool) -> bool:
    if LIST_ITEM.match(piece):
        return False
    # Outside PDF text a new line starting with a capital is a new paragraph (list items, sub-headings),
    # unless the line before stopped on a comma or a word no sentence ends on.
    last_word = previous.split()[-1].casefold() if previous.split() else ""
    return (hard_wrapped or piece[:1].islower() or bool(CJK_CHAR.match(piece[:1])) or last_word in OPEN_ENDINGS)


def _ends_mid_sentence(paragraph: str) -> bool:
    if paragraph.endswith(TERMINAL) or paragraph.endswith((")", "]")):
        return False
    if is_cjk(paragraph):
        return not paragraph.rstrip(CLOSING_QUOTES).endswith(("。", "！", "？", "…", "：")) and len(paragraph) >= 30
    words = paragraph.split()
    # A short line with no full stop is a sub-heading, not a broken sentence, unless it stops on a word
    # no sentence ends on.
    return len(words) >= 8 or paragraph.endswith((",", "-", "—")) or words[-1].casefold() in OPEN_ENDINGS
