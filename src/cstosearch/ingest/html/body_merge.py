"""Merge two extractors' lines: one text as the base, the other's lines inside the agreed span.

Where both extractors found the same sentences, the article is there. A line only the second
extractor found is kept when it sits between two lines both found (a subheading, a table row,
a quote trafilatura skipped); before the first or after the last it is usually a byline, a
related-stories box or an author's biography, and is left out.
"""

from __future__ import annotations

import re

TOKEN_RE = re.compile(r"\w+")
GRAM = 4
HELD_SHARE = 0.5


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
    anchor = -1
    for i in range(held[0], held[-1] + 1):
        if places[i] is None:
            inserts.setdefault(anchor, []).append(other[i])
        else:
            anchor = max(anchor, places[i])
    merged: list[str] = []
    for position, line in enumerate(base):
        merged.append(line)
        merged.extend(inserts.get(position, []))
    return merged
