"""What the words written beside a name say: the same person (``Viktor Yanukovych``, ``Viktor
Yanukovich``), other people (``Robert Bork``, ``Jim Bourg``), or a one-off spelling vouched for
(``Muammar Kaddafi``).

A neighbour is a capitalised word standing just before or just after a name in an article;
neighbours are compared by transliteration key, or by their consonants when they have enough.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping

SIDES = ("before", "after")
# A word beside a spelling in at least this share of its articles is one of its usual neighbours.
USUAL_NEIGHBOUR = 0.25
# A word beside a spelling seen once vouches for it when at least this share of the word's pairs
# stand beside the group (a specific first name, not a common one).
SPECIFIC_NEIGHBOUR = 0.1
# A surname that several other people carry: the rarer spelling stands after at least this many
# different first names never seen beside the group (``John Morrell``, ``Geoff Morrell`` beside
# ``Michael Morell``), in at least this share of the names written before it.
OTHER_FIRST_NAMES = 3
OTHER_FIRST_NAMES_SHARE = 0.3
# Keys with fewer consonants are not compared by their consonants: short names meet by chance.
MIN_CONSONANTS = 3
# The vowels left in a transliteration key (``spelling.spelling_key`` writes every vowel as a, i or u).
_KEY_VOWELS = re.compile("[aiu]")


class Neighbours:
    """The words beside each candidate spelling, counted in articles, and what they say."""

    def __init__(self, pair_frequency: Mapping[str, int], candidates: set[str], frequency: Mapping[str, int],
                 key_of: Callable[[str], str], least_articles: int) -> None:
        """``pair_frequency``: in how many articles each pair of capitalised words (``"first second"``)
        is written; ``frequency``: in how many articles each name is; ``least_articles``: how many
        articles make a pattern (a word in fewer is no usual neighbour, and no name)."""
        self.beside: dict[tuple[str, str], Counter] = defaultdict(Counter)
        # For each side, in how many pairs each word stands there beside any capitalised word:
        # ``John`` stands before hundreds of surnames, ``Muammar`` before few.
        self.totals: dict[str, Counter] = {side: Counter() for side in SIDES}
        for pair, count in pair_frequency.items():
            first, second = pair.split(" ", 1)
            if second in candidates:
                self.beside[("before", second)][first] += count
            if first in candidates:
                self.beside[("after", first)][second] += count
            self.totals["before"][first] += count
            self.totals["after"][second] += count
        self.frequency = frequency
        self.key_of = key_of
        self.least_articles = least_articles

    def of(self, side: str, name: str) -> Counter:
        return self.beside.get((side, name), Counter())

    def is_name(self, word: str) -> bool:
        """Seen with a capital inside sentences of enough articles (``The`` at a sentence start is not)."""
        return self.frequency.get(word, 0) >= self.least_articles

    def usual(self, side: str, name: str) -> set[str]:
        """The keys of the words that stand beside ``name`` in at least a quarter of its articles."""
        counts = self.beside.get((side, name))
        if not counts:
            return set()
        seen = self.frequency.get(name, 0)
        # A spelling seen once: the words beside it there are all it has.
        least = max(min(self.least_articles, seen), USUAL_NEIGHBOUR * seen)
        return {self.key_of(word) for word, count in counts.items() if count >= least}

    def same_person(self, first: str, second: str) -> bool:
        """On one side, the spellings share a usual neighbour (by key): ``Viktor Yanukovych`` and
        ``Viktor Yanukovich``, ``Mohamed Morsi`` and ``Mohamed Mursi``."""
        return any(self.usual(side, first) & self.usual(side, second) for side in SIDES)

    def other_people(self, first: str, second: str) -> bool:
        """Both spellings have usual neighbours on one side and none of them is shared (by key or
        consonants): ``Robert Bork`` and ``Jim Bourg``, ``Jude Law`` and ``Judi Dench`` are other people."""
        for side in SIDES:
            mine, theirs = self.usual(side, first), self.usual(side, second)
            if mine and theirs and not mine & theirs and not _consonants_of(mine) & _consonants_of(theirs):
                return True
        return False

    def vouch(self, group: list[str], spelling: str) -> bool:
        """A word beside the spelling is a usual neighbour of the group and says little else: it stands
        beside the group's spellings in at least ``SPECIFIC_NEIGHBOUR`` of all its pairs (``Muammar
        Kaddafi``; ``John`` before a one-off ``Gile`` vouches for no ``Kelly``). The neighbour may be
        spelled another way too: its consonants are enough (``Moamer Kadhafi`` beside ``Moammar
        Gadhafi``; romanisations of Arabic names differ most in their vowels, which Arabic seldom writes)."""
        for side in SIDES:
            usual = set().union(*(self.usual(side, member) for member in group))
            usual_consonants = _consonants_of(usual)
            for word, count in self.of(side, spelling).items():
                key = self.key_of(word)
                if key not in usual and consonants(key) not in usual_consonants:
                    continue
                beside_group = count + sum(self.of(side, member)[word] for member in group)
                if beside_group >= SPECIFIC_NEIGHBOUR * self.totals[side][word]:
                    return True
        return False

    def other_first_names(self, group: list[str], spelling: str) -> bool:
        """The rarer spelling is also the surname of other people: it stands after several names (first
        names) that never stand before any spelling of the group (compared by key)."""
        names = {word: count for word, count in self.of("before", spelling).items() if self.is_name(word)}
        if len(names) < OTHER_FIRST_NAMES:
            return False
        known = {self.key_of(word) for member in group for word in self.of("before", member)}
        others = [word for word in names if self.key_of(word) not in known]
        if len(others) < OTHER_FIRST_NAMES:
            return False
        return sum(names[word] for word in others) >= OTHER_FIRST_NAMES_SHARE * sum(names.values())


def consonants(key: str) -> str:
    """The consonants of a key, or "" when there are too few to tell names apart (``Ken``, ``Egon``)."""
    found = _KEY_VOWELS.sub("", key)
    return found if len(found) >= MIN_CONSONANTS else ""


def _consonants_of(keys: set[str]) -> set[str]:
    return {consonants(key) for key in keys} - {""}
