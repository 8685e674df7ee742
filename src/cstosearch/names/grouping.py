"""Learning groups of spellings of one name from the articles that mention them.

Candidates are names whose transliteration keys are equal (``spelling.spelling_key``). A
candidate joins a group only when the evidence says it names the same thing: the other names
found in its articles look like those around the group's main spelling (cosine over names
weighted by how rare they are), and the two spellings seldom share an article (one article
keeps to one spelling; ``Iran`` and ``Iraq``, ``Obama`` and ``Osama`` are often side by side).
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from cstosearch.names.mentions import Mentions
from cstosearch.names.spelling import spelling_key

# A spelling needs this many articles to be weighed at all: one article is too little evidence.
MIN_ARTICLES = 2
# Context similarity a spelling needs to join a group (cosine of idf-weighted name profiles).
MIN_SIMILARITY = 0.45
# At most this share of the rarer spelling's articles may also hold the other spelling.
MAX_SHARED_ARTICLES = 0.25
SHARED_SMOOTHING = 2
# ... or this share, when the two spellings have a usual neighbour in common.
MAX_SHARED_WITH_NEIGHBOUR = 0.5
# Context profiles read at most this many articles per spelling (a random sample past it).
PROFILE_ARTICLES = 400
# Names in more than this share of all articles say nothing about context.
MAX_CONTEXT_SHARE = 0.2
# A context name counts when it is at least e ** MIN_LIFT times likelier beside the spelling than anywhere.
MIN_LIFT = math.log(2)
# A word beside a spelling in at least this share of its articles is one of its usual neighbours.
USUAL_NEIGHBOUR = 0.25
# A context name counts when it comes with the spelling in at least this many articles.
MIN_CONTEXT_ARTICLES = 2
# Shorter spellings are left alone: short words meet by chance under the key (Hill, Hell).
MIN_LETTERS = 4
# A spelling must be written with a capital in at least this share of the articles that have the word
# in any case (when the index can say): "Could" or "Police" are common words, not names.
MIN_CAPITALISED = 0.7
EVIDENCE_WORDS = 8


@dataclass
class NameGroup:
    """Spellings of one name, the most frequent first, with the evidence that joined them."""

    spellings: list[str]
    counts: dict[str, int]
    key: str
    similarity: dict[str, float] = field(default_factory=dict)
    shared_context: dict[str, list[str]] = field(default_factory=dict)
    origin: str = "learned"

    @property
    def head(self) -> str:
        return self.spellings[0]


@dataclass
class Rejection:
    """A candidate pair kept apart, and why (shown by ``cstosearch names --rejected``)."""

    spellings: tuple[str, str]
    similarity: float
    shared_articles: float
    reason: str


@dataclass
class Learned:
    groups: list[NameGroup]
    rejections: list[Rejection]
    # Articles per spelling (every name seen, not only those grouped).
    frequency: Counter


def learn_groups(articles: Mapping[str, Mentions],
                 any_case_frequency: Callable[[str, int], int] | None = None,
                 forbidden: Callable[[str, str], bool] | None = None, seed: int = 0) -> Learned:
    """Groups of spellings learned from each article's names, and the candidate pairs rejected.

    ``any_case_frequency(word, at_most)`` says how many articles hold a word in any case (from the
    index; counting may stop past ``at_most``), to leave out common words that are often
    capitalised; ``forbidden`` names pairs never to join.
    """
    frequency: Counter[str] = Counter()
    pair_frequency: Counter[str] = Counter()
    for found in articles.values():
        frequency.update(found.names)
        pair_frequency.update(found.pairs)
    buckets: dict[str, list[str]] = defaultdict(list)
    for name, count in frequency.items():
        if count >= MIN_ARTICLES and len(name) >= MIN_LETTERS:
            buckets[spelling_key(name)].append(name)
    buckets = {key: names for key, names in buckets.items() if len(names) > 1}
    if any_case_frequency is not None:
        for key, names in list(buckets.items()):
            kept = []
            for name in names:
                at_most = int(frequency[name] / MIN_CAPITALISED)
                if any_case_frequency(name, at_most) <= at_most:
                    kept.append(name)
            buckets[key] = kept
    buckets = {key: names for key, names in buckets.items() if len(names) > 1 and _distinct_words(names)}
    if not buckets:
        return Learned([], [], frequency)
    candidates = {name for names in buckets.values() for name in names}
    mentions = _articles_of(articles, candidates)
    profiles = _Profiles(mentions, frequency, len(articles), random.Random(seed))
    profiles.neighbours = _neighbours(pair_frequency, candidates)
    groups: list[NameGroup] = []
    rejections: list[Rejection] = []
    for key in sorted(buckets):
        spellings = sorted(buckets[key], key=lambda name: (-frequency[name], name))
        found, rejected = _cluster(key, spellings, frequency, mentions, profiles, forbidden)
        groups += found
        rejections += rejected
    groups.sort(key=lambda group: (-sum(group.counts.values()), group.head))
    return Learned(groups, rejections, frequency)


def _distinct_words(names: list[str]) -> bool:
    """More than one word once case is set aside (``Nato`` and ``NATO`` are one word to the index)."""
    return len({name.lower() for name in names}) > 1


def _articles_of(articles: Mapping[str, Mentions], wanted: set[str]) -> dict[str, list[frozenset[str]]]:
    found: dict[str, list[frozenset[str]]] = defaultdict(list)
    for mentions in articles.values():
        names = mentions.names
        for name in names & wanted:
            found[name].append(names)
    return found


class _Profiles:
    """Each spelling's context: how often each other name appears in its articles, weighted by rarity."""

    def __init__(self, mentions, frequency: Counter, total: int, sampler: random.Random) -> None:
        self.mentions = mentions
        self.frequency = frequency
        self.total = max(total, 1)
        self.sampler = sampler
        self._cache: dict[str, dict[str, float]] = {}
        self._keys: dict[str, str] = {}
        self.neighbours: dict[tuple[str, str], Counter] = {}

    def key_of(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = spelling_key(name)
        return key

    def of(self, names: tuple[str, ...], own_key: str) -> dict[str, float]:
        """The context of one spelling, or of several taken together (a group so far)."""
        if names not in self._cache:
            documents = [d for name in names for d in self.mentions[name]]
            if len(documents) > PROFILE_ARTICLES:
                documents = self.sampler.sample(documents, PROFILE_ARTICLES)
            counts: Counter[str] = Counter()
            for found in documents:
                counts.update(found)
            profile = {}
            sampled = len(documents)
            for other, count in counts.items():
                if count < MIN_CONTEXT_ARTICLES:
                    continue  # one article (a list of names, say) is no pattern
                background = self.frequency[other] / self.total
                if self.frequency[other] < MIN_ARTICLES or background > MAX_CONTEXT_SHARE:
                    continue
                if self.key_of(other) == own_key:
                    continue  # the spellings themselves are not context
                share = count / sampled
                lift = math.log(share / background)
                # Only names that come with this spelling more than with any article count
                # (positive pointwise mutual information): "Senate" is everywhere in politics.
                if lift > MIN_LIFT:
                    profile[other] = share * lift
            self._cache[names] = profile
        return self._cache[names]


def _neighbours(pair_frequency: Counter, candidates: set[str]) -> dict[tuple[str, str], Counter]:
    """For each candidate, in how many articles each capitalised word stands just before it
    (``("before", name)``) and just after it (``("after", name)``)."""
    found: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for pair, count in pair_frequency.items():
        first, second = pair.split(" ", 1)
        if second in candidates:
            found[("before", second)][first] += count
        if first in candidates:
            found[("after", first)][second] += count
    return found


def _usual_neighbours(profiles: _Profiles, side: str, name: str) -> set[str]:
    """The keys of the words that stand beside ``name`` in at least a quarter of its articles."""
    counts = profiles.neighbours.get((side, name))
    if not counts:
        return set()
    least = max(MIN_CONTEXT_ARTICLES, USUAL_NEIGHBOUR * profiles.frequency[name])
    return {profiles.key_of(word) for word, count in counts.items() if count >= least}


def _same_neighbours(profiles: _Profiles, first: str, second: str) -> bool:
    """On one side, the spellings share a usual neighbour (by key): ``Viktor Yanukovych`` and
    ``Viktor Yanukovich``, ``Mohamed Morsi`` and ``Mohamed Mursi``."""
    return any(_usual_neighbours(profiles, side, first) & _usual_neighbours(profiles, side, second)
               for side in ("before", "after"))


def _other_neighbours(profiles: _Profiles, first: str, second: str) -> bool:
    """Both spellings have usual neighbours on one side and none of them is shared (by key):
    ``Robert Bork`` and ``Jim Bourg``, ``Jude Law`` and ``Judi Dench`` are other people."""
    for side in ("before", "after"):
        mine, theirs = _usual_neighbours(profiles, side, first), _usual_neighbours(profiles, side, second)
        if mine and theirs and not mine & theirs:
            return True
    return False


def _cosine(first: dict[str, float], second: dict[str, float]) -> float:
    if len(second) < len(first):
        first, second = second, first
    dot = sum(weight * second.get(name, 0.0) for name, weight in first.items())
    norms = math.sqrt(sum(w * w for w in first.values())) * math.sqrt(sum(w * w for w in second.values()))
    return dot / norms if norms else 0.0


def _shared_context(first: dict[str, float], second: dict[str, float]) -> list[str]:
    shared = sorted(set(first) & set(second), key=lambda name: -first[name] * second[name])
    return shared[:EVIDENCE_WORDS]


def _shared_share(mentions, first: str, second: str) -> float:
    """Of the rarer spelling's articles, the share that also hold the other spelling (two articles
    added to the count, so that one shared article out of three is not read as a third)."""
    rarer, other = sorted((first, second), key=lambda name: len(mentions[name]))
    shared = sum(1 for names in mentions[rarer] if other in names)
    return shared / (len(mentions[rarer]) + SHARED_SMOOTHING)


def _cluster(key: str, spellings: list[str], frequency: Counter, mentions, profiles: _Profiles, forbidden):
    """Each spelling, most frequent first, joins the first group it matches: its context is like that
    of the group as a whole or of one of its spellings, and it seldom shares an article with them."""
    groups: list[NameGroup] = []
    rejections: list[Rejection] = []
    for spelling in spellings:
        joined = False
        for group in groups:
            if any(member.lower() == spelling.lower() for member in group.spellings):
                group.spellings.append(spelling)  # the same word to the index, in another case
                group.counts[spelling] = frequency[spelling]
                joined = True
                break
            if forbidden is not None and any(forbidden(member, spelling) for member in group.spellings):
                rejections.append(Rejection((group.head, spelling), 0.0, 0.0, "kept apart by the overrides"))
                continue
            own = profiles.of((spelling,), key)
            compared = [tuple(group.spellings)] + [(member,) for member in group.spellings]
            similarity, closest = max((_cosine(profiles.of(names, key), own), names) for names in compared)
            shared = max(_shared_share(mentions, member, spelling) for member in group.spellings)
            neighbours_differ = all(_other_neighbours(profiles, member, spelling) for member in group.spellings)
            # A usual neighbour in common (a first name) says the same person: an article may then
            # well write both spellings (a quotation, "also spelled").
            same_neighbours = any(_same_neighbours(profiles, member, spelling) for member in group.spellings)
            most_shared = MAX_SHARED_WITH_NEIGHBOUR if same_neighbours else MAX_SHARED_ARTICLES
            if similarity >= MIN_SIMILARITY and shared <= most_shared and not neighbours_differ:
                group.spellings.append(spelling)
                group.counts[spelling] = frequency[spelling]
                group.similarity[spelling] = round(similarity, 3)
                group.shared_context[spelling] = _shared_context(profiles.of(closest, key), own)
                joined = True
                break
            if similarity < MIN_SIMILARITY:
                reason = "different contexts"
            elif shared > most_shared:
                reason = "often in the same articles"
            else:
                reason = "different neighbouring names"
            rejections.append(Rejection((group.head, spelling), round(similarity, 3), round(shared, 3), reason))
        if not joined:
            groups.append(NameGroup([spelling], {spelling: frequency[spelling]}, key))
    return [g for g in groups if len({s.lower() for s in g.spellings}) > 1], rejections


def spellings_of(groups: Iterable[NameGroup]) -> dict[str, NameGroup]:
    """Each spelling (lower-cased) to its group."""
    return {spelling.lower(): group for group in groups for spelling in group.spellings}
