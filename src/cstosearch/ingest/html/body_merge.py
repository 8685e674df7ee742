"""Merge two extractors' lines: one text as the base, the other's lines inside the agreed span.

Where both extractors found the same sentences, the article is there. A line only the second
extractor found is kept when it sits between two lines both found (a subheading, a table row,
a quote trafilatura skipped); before the first or after the last it is usually a byline, a
related-stories box or an author's biography, and is left out, except paragraphs of full
sentences right above the first shared line, or with a photo caption or credit between (a lead
the base missed).
"""

from __future__ import annotations

import re
from collections import Counter

TOKEN_RE = re.compile(r"\w+")
GRAM = 4
HELD_SHARE = 0.5
LEAD_MIN_WORDS = 20
LABEL_MAX_WORDS = 14
LEAD_GAP_LABELS = 2
REPEATED_MIN_WORDS = 3
SENTENCE_ENDS = (".", "!", "?", "\"", "”", "»", "…")


def _tokens(line: str) -> list[str]:
    return TOKEN_RE.findall(line)


def _grams(tokens: list[str]) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + GRAM]) for i in range(len(tokens) - GRAM + 1)]


class _BaseText:
    """The base lines, indexed so a line of the other text can be placed among them."""

    def __init__(self, lines: list[str]) -> None:
        self.line_tokens = [" " + " ".join(_tokens(line)) + " " for line in lines]
        # Grams run across line ends too: the other text may hold as one line (a code block, a
        # table row) what the base splits over several.
        stream: list[str] = []
        token_line: list[int] = []
        for index, line in enumerate(lines):
            tokens = _tokens(line)
            stream.extend(tokens)
            token_line.extend([index] * len(tokens))
        self.gram_line: dict[tuple[str, ...], int] = {}
        for start, gram in enumerate(_grams(stream)):
            self.gram_line.setdefault(gram, token_line[start])
        self.joined = " " + " ".join(_tokens(" ".join(lines))) + " "

    def locate(self, line: str, after: int) -> int | None:
        """Index of the base line holding most of ``line`` (None when the base lacks it)."""
        tokens = _tokens(line)
        if not tokens:
            return after
        grams = _grams(tokens)
        if not grams:
            wanted = " " + " ".join(tokens) + " "
            if wanted not in self.joined:
                return None
            for index in range(max(after, 0), len(self.line_tokens)):
                if wanted in self.line_tokens[index]:
                    return index
            return after
        places = [self.gram_line[g] for g in grams if g in self.gram_line]
        if len(places) < HELD_SHARE * len(grams):
            return None
        return max(places)


def merge_lines(base: list[str], other: list[str]) -> list[str]:
    """``base`` with the lines only ``other`` holds that lie between lines both hold."""
    if not base or not other:
        return base or other
    index = _BaseText(base)
    places = []
    anchor = -1
    for line in other:
        place = index.locate(line, anchor)
        if place is not None:
            anchor = max(anchor, place)
        places.append(place)
    held = [i for i, place in enumerate(places) if place is not None]
    if not held:
        return base
    inserts: dict[int, list[str]] = {}
    lead = _leading_prose(other[: held[0]])
    if lead:
        inserts[places[held[0]] - 1] = lead
    # A line of words the other text repeats (a gallery's caption or credit, a teaser, a chart's
    # title) is not article text; repeated numbers and single words are table cells, and stay.
    counts = Counter(other)
    anchor = -1
    for i in range(held[0], held[-1] + 1):
        if places[i] is None:
            if counts[other[i]] == 1 or not _is_wordy(other[i]):
                inserts.setdefault(anchor, []).append(other[i])
        else:
            anchor = max(anchor, places[i])
    merged: list[str] = list(inserts.get(-1, []))
    for position, line in enumerate(base):
        merged.append(line)
        merged.extend(inserts.get(position, []))
    return merged


def _is_prose(line: str) -> bool:
    return len(_tokens(line)) >= LEAD_MIN_WORDS and line.rstrip().endswith(SENTENCE_ENDS)


def _leading_prose(lines: list[str]) -> list[str]:
    """The paragraphs of full sentences right before the first shared line (a lead, a standfirst).

    A photo's caption or credit often sits between the lead and the article's first shared
    paragraph ("West Mercia Police", "Keyboard via iFixit"): up to LEAD_GAP_LABELS short
    labels there are passed over, and left out.
    """
    end = len(lines)
    while end > 0 and len(lines) - end < LEAD_GAP_LABELS and _is_label(lines[end - 1]):
        end -= 1
    kept: list[str] = []
    for line in reversed(lines[:end]):
        if not _is_prose(line):
            break
        kept.append(line)
    return kept[::-1]


def without_unshared_labels(lines: list[str], other: list[str]) -> list[str]:
    """``lines`` without the lines ``other`` lacks that open the text as labels or recur in it.

    When one extractor's text is taken whole, the short non-sentences above the first line both
    found are bylines, "Updated" stamps and section labels, and a line of words repeated is a
    photo credit, a gallery caption or a button label; the article's own lines are shared or
    said once.
    """
    if not lines or not other:
        return lines
    index = _BaseText(other)
    shared = [index.locate(line, -1) is not None for line in lines]
    if not any(shared):
        return lines
    first_shared = shared.index(True)
    counts = Counter(lines)
    kept = []
    for position, line in enumerate(lines):
        if not shared[position]:
            if position < first_shared and _is_label(line):
                continue
            if counts[line] > 1 and _is_wordy(line):
                continue
        kept.append(line)
    return kept


def _is_wordy(line: str) -> bool:
    return sum(not token.isdigit() for token in _tokens(line)) >= REPEATED_MIN_WORDS


def _is_label(line: str) -> bool:
    return len(_tokens(line)) <= LABEL_MAX_WORDS and not line.rstrip().endswith(SENTENCE_ENDS)
