"""The transliteration key: one spelling of a name reduced so that common romanisations of it meet.

Two spellings with the same key are candidates for one name (``Gaddafi``, ``Qaddafi`` and
``Kadhafi`` all give ``kadafi``); whether they are is decided by the evidence in ``grouping``.
"""

from __future__ import annotations

import re

from cstosearch.analysis import fold

# Applied in order to the folded word. Each rule says which spellings one sound is written with
# when a name is carried over from another alphabet; the vowels that romanisations disagree on
# fall into two classes (front e/i/y, back o/u), and doubled letters are written once.
RULES: tuple[tuple[str, str], ...] = (
    (r"[^a-z]", ""),             # hyphens, spaces, apostrophes: al-Qaida, Al Qaeda
    (r"sch|sh|sz", "S"),         # Schoigu, Shoigu
    (r"tch|tsch|ch", "C"),       # Tchetchenia, Chechnya
    (r"dzh|dj|zh|j", "J"),       # Dzhokhar, Djokhar; Zhukov
    (r"kh|gh|ck|q|c|g", "k"),    # Qaddafi, Kaddafi, Gaddafi; a lone h is kept
    (r"ph", "f"),
    (r"dh", "d"),                # Gadhafi, Gaddafi
    (r"th", "t"),
    (r"x", "ks"),                # Alexei, Aleksei
    (r"w", "v"),
    (r"ou|oo", "u"),             # Abdoulaye, Abdulaye
    (r"ee|ie|ey|ei", "i"),
    (r"[eiy]", "i"),             # Zelensky, Zelenskiy, Zelenskyy; Qaeda, Qaida
    (r"o", "u"),
    (r"(?<=[aiu])h$", ""),       # Hezbollah, Hizbulla
    (r"(.)\1+", r"\1"),          # Gaddafi, Gadafi
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in RULES)


def spelling_key(name: str) -> str:
    """The transliteration key of a name (one word or several)."""
    key = fold(name)
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    return key
