"""The names an article mentions: words written with a capital inside a sentence.

A word capitalised only where a sentence starts (``The``, ``But``) is no name; one capitalised
after a lower-case word or a comma is (``said Muammar Gaddafi``). Headlines are left out: many
outlets capitalise every word of them.
"""

from __future__ import annotations

import re
import sys
from typing import NamedTuple

# A capitalised word with at least one lower-case letter (acronyms in capitals are left out:
# they are abbreviations, not transliterations), after a word, a comma or a bracket and one
# space, after a hyphen inside a word (al-Qaeda), or after a title such as "Mr."; anything
# else may start a sentence. The capital is matched first so the scan stays fast.
_UPPER = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
_NAME = re.compile(rf"([{_UPPER}](?:(?<=[\w,)][ -][{_UPPER}])|(?<=[MDS][rst]\. [{_UPPER}]))"
                   r"[^\W\d_]*[a-zß-öø-ÿ][^\W\d_]*)")
# Two capitalised words side by side ("Robert Bork", "Jim Bourg"): a name's neighbours tell
# people apart whose surnames look alike. The lookahead lets pairs overlap in longer names.
_PAIR = re.compile(rf"\b([{_UPPER}][^\W\d_]+)(?= ([{_UPPER}][^\W\d_]*[a-zß-öø-ÿ][^\W\d_]*)\b)")
MIN_LETTERS = 3


class Mentions(NamedTuple):
    """The distinct names of one article, and the pairs of capitalised words written side by side
    in it (as ``"first second"``, with one space)."""

    names: frozenset[str]
    pairs: frozenset[str]


def names_in(text: str) -> Mentions:
    """The names written inside sentences of ``text`` (spelled as written), and the neighbour pairs."""
    found = {m.group(1) for m in _NAME.finditer(text)}
    names = frozenset(sys.intern(word) for word in found if len(word) >= MIN_LETTERS and word[0].isupper())
    pairs = frozenset(sys.intern(f"{m.group(1)} {m.group(2)}") for m in _PAIR.finditer(text))
    return Mentions(names, pairs)


def article_text(document: dict) -> str:
    """The text names are read from: the body (headlines capitalise every word; captions carry
    photographers' credits, which are no context)."""
    return document.get("body", "")
