"""Learning groups of spellings of one name from the articles that mention them.

Candidates are names whose transliteration keys are equal (``spelling.spelling_key``). A
candidate joins a group only when the evidence says it names the same thing: the other names
found in its articles look like those around the group's main spelling (cosine over names
weighted by how rare they are), and the two spellings seldom share an article (one article
keeps to one spelling; ``Iran`` and ``Iraq``, ``Obama`` and ``Osama`` are often side by side).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from cstosearch.names import neighbours as neighbour_evidence
from cstosearch.names.mentions import Mentions
from cstosearch.names.neighbours import Neighbours
from cstosearch.names.spelling import RULES as TRANSLITERATION_RULES
from cstosearch.names.spelling import spelling_key

# A spelling needs this many articles to start a group; a spelling seen in one article may only
# join a group that a more frequent spelling started (``Kaddafi`` once, beside ``Muammar``).
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
# A context name counts when it comes with the spelling in at least this many articles.
MIN_CONTEXT_ARTICLES = 2
# Shorter spellings are left alone: short words meet by chance under the key (Hill, Hell).
MIN_LETTERS = 4
# A spelling must be written with a capital in at least this share of the articles that have the word
# in any case (when the index can say): "Could" or "Police" are common words, not names.
MIN_CAPITALISED = 0.7
EVIDENCE_WORDS = 8
# Raise when the way groups are learned changes beyond the thresholds here and in ``neighbours``
# (whose values ``rules_signature`` reads itself): a nightly run then learns every name again.
LEARNING_REVISION = 2


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
    key: str = ""


@dataclass
class MentionCounts:
    """In how many articles each name, and each pair of capitalised words side by side, is written."""

    names: Counter
    pairs: Counter


def count_mentions(articles: Mapping[str, Mentions]) -> MentionCounts:
    names: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for found in articles.values():
        names.update(found.names)
        pairs.update(found.pairs)
    return MentionCounts(names, pairs)


def cached_key(name: str, cache: dict[str, str]) -> str:
    """``name``'s transliteration key, computed once into ``cache``."""
    key = cache.get(name)
    if key is None:
        key = cache[name] = spelling_key(name)
    return key


@dataclass
class Learned:
    groups: list[NameGroup]
    rejections: list[Rejection]
    # Articles per spelling (every name seen, not only those grouped).
    frequency: Counter


def learn_groups(articles: Mapping[str, Mentions],
                 any_case_frequency: Callable[[str, int], int] | None = None,
                 forbidden: Callable[[str, str], bool] | None = None, seed: int = 0,
                 keys: Collection[str] | None = None, key_cache: dict[str, str] | None = None,
                 counts: MentionCounts | None = None) -> Learned:
    """Groups of spellings learned from each article's names, and the candidate pairs rejected.

    ``any_case_frequency(word, at_most)`` says how many articles hold a word in any case (from the
    index; counting may stop past ``at_most``), to leave out common words that are often
    capitalised; ``forbidden`` names pairs never to join. With ``keys``, only the names with one of
    these transliteration keys are weighed (a nightly run: the keys of the names it added or removed).
    ``key_cache`` keeps each name's key across runs (filled as keys are computed); ``counts`` are
    ``count_mentions(articles)`` when the caller has them already.
    """
    key_cache = {} if key_cache is None else key_cache
    counts = count_mentions(articles) if counts is None else counts
    frequency, pair_frequency = counts.names, counts.pairs
    buckets: dict[str, list[str]] = defaultdict(list)
    for name in frequency:
        if len(name) >= MIN_LETTERS and _VOWEL.search(name):
            key = cached_key(name, key_cache)
            if keys is None or key in keys:
                buckets[key].append(name)
    # A group needs a spelling seen in two articles; the others may be seen once.
    buckets = {key: names for key, names in buckets.items()
               if len(names) > 1 and any(frequency[name] >= MIN_ARTICLES for name in names)}
    if any_case_frequency is not None:
        for key, names in list(buckets.items()):
            kept = []
            for name in names:
                at_most = int(frequency[name] / MIN_CAPITALISED)
                if any_case_frequency(name, at_most) <= at_most:
                    kept.append(name)
            buckets[key] = kept
    buckets = {key: names for key, names in buckets.items()
               if len(names) > 1 and _distinct_words(names) and any(frequency[n] >= MIN_ARTICLES for n in names)}
    if not buckets:
        return Learned([], [], frequency)
    candidates = {name for names in buckets.values() for name in names}
    mentions = _articles_of(articles, candidates)
    profiles = _Profiles(mentions, frequency, len(articles), seed, key_cache)
    neighbours = Neighbours(pair_frequency, candidates, frequency, profiles.key_of, MIN_CONTEXT_ARTICLES)
    groups: list[NameGroup] = []
    rejections: list[Rejection] = []
    for key in sorted(buckets):
        spellings = sorted(buckets[key], key=lambda name: (-frequency[name], name))
        found, rejected = _cluster(key, spellings, frequency, mentions, profiles, neighbours, forbidden)
        groups += found
        rejections += rejected
    groups.sort(key=lambda group: (-sum(group.counts.values()), group.head))
    return Learned(groups, rejections, frequency)


def rules_signature() -> str:
    """What the groups learned depend on besides the articles: the transliteration rules, the
    thresholds and the revision. A learning kept from other rules is not added to."""

    def numbers(names: dict) -> list:
        return sorted((name, value) for name, value in names.items()
                      if name.isupper() and isinstance(value, int | float))

    described = repr((LEARNING_REVISION, TRANSLITERATION_RULES, numbers(globals()), numbers(vars(neighbour_evidence))))
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def update_learned(previous: Learned, fresh: Learned, keys: Collection[str]) -> Learned:
    """The groups and rejections of ``previous`` whose keys were not weighed again, and ``fresh``
    (learned for ``keys`` only) in place of the others."""
    kept = [g for g in previous.groups if g.key not in keys]
    for group in kept:  # their spellings' articles may have changed a little
        group.counts = {spelling: fresh.frequency.get(spelling, 0) for spelling in group.spellings}
    groups = kept + fresh.groups
    groups.sort(key=lambda group: (-sum(group.counts.values()), group.head))
    rejections = [r for r in previous.rejections if r.key not in keys] + fresh.rejections
    return Learned(groups, rejections, fresh.frequency)


# A name has a vowel: "Stcks" and "Stks" are abbreviations in price tables, not spellings of a name.
_VOWEL = re.compile(r"[aeiouyAEIOUYà-öø-ÿÀ-ÖØ-Þ]")


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

    def __init__(self, mentions, frequency: Counter, total: int, seed: int, keys: dict[str, str]) -> None:
        self.mentions = mentions
        self.frequency = frequency
        self.total = max(total, 1)
        self.seed = seed
        self._cache: dict[str, dict[str, float]] = {}
        self._keys = keys

    def key_of(self, name: str) -> str:
        return cached_key(name, self._keys)

    def of(self, names: tuple[str, ...], own_key: str) -> dict[str, float]:
        """The context of one spelling, or of several taken together (a group so far)."""
        if names not in self._cache:
            documents = [d for name in names for d in self.mentions[name]]
            self._cache[names] = self._profile(documents, names, own_key)
        return self._cache[names]

    def alone(self, names: tuple[str, ...], others: tuple[str, ...], own_key: str) -> dict[str, float]:
        """The context of ``names`` in the articles that hold none of ``others``: articles that hold
        both spellings give both profiles the same names, whether or not they name one thing."""
        documents = [d for name in names for d in self.mentions[name] if not any(o in d for o in others)]
        return self._profile(documents, names, own_key)

    def _profile(self, documents: list[frozenset[str]], names: tuple[str, ...], own_key: str) -> dict[str, float]:
        if len(documents) > PROFILE_ARTICLES:
            # Seeded by the spellings: a profile does not depend on which were drawn before it.
            sampler = random.Random(f"{self.seed}:{'|'.join(names)}")
            documents = sampler.sample(documents, PROFILE_ARTICLES)
        counts: Counter[str] = Counter()
        for found in documents:
            counts.update(found)
        profile = {}
        sampled = len(documents)
        # One article (a list of names, say) is no pattern, unless the spelling has only one.
        least = min(MIN_CONTEXT_ARTICLES, sampled)
        for other, count in counts.items():
            if count < least:
                continue
            background = self.frequency[other] / self.total
            if self.frequency[other] < MIN_ARTICLES or background > MAX_CONTEXT_SHARE:
                continue
            share = count / sampled
            lift = math.log(share / background)
            # Only names that come with this spelling more than with any article count
            # (positive pointwise mutual information): "Senate" is everywhere in politics;
            # the spellings themselves are not context.
            if lift > MIN_LIFT and self.key_of(other) != own_key:
                profile[other] = share * lift
        return profile


def _cosine(first: dict[str, float], second: dict[str, float]) -> float:
    if len(second) < len(first):
        first, second = second, first
    dot = sum(weight * second.get(name, 0.0) for name, weight in first.items())
    norms = math.sqrt(sum(w * w for w in first.values())) * math.sqrt(sum(w * w for w in second.values()))
    return dot / norms if norms else 0.0


def _shared_context(first: dict[str, float], second: dict[str, float]) -> list[str]:
    shared = sorted(set(first) & set(second), key=lambda name: (-first[name] * second[name], name))
    return shared[:EVIDENCE_WORDS]


def _shared_share(mentions, first: str, second: str) -> float:
    """Of the rarer spelling's articles, the share that also hold the other spelling (two articles
    added to the count, so that one shared article out of three is not read as a third)."""
    rarer, other = sorted((first, second), key=lambda name: len(mentions[name]))
    shared = sum(1 for names in mentions[rarer] if other in names)
    return shared / (len(mentions[rarer]) + SHARED_SMOOTHING)


def _cluster(key: str, spellings: list[str], frequency: Counter, mentions, profiles: _Profiles,
             neighbours: Neighbours, forbidden):
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
                rejections.append(Rejection((group.head, spelling), 0.0, 0.0, "kept apart by the overrides", key))
                continue
            own = profiles.of((spelling,), key)
            compared = [tuple(group.spellings)] + [(member,) for member in group.spellings]
            similarity, closest = max((_cosine(profiles.of(names, key), own), names) for names in compared)
            shared = max(_shared_share(mentions, member, spelling) for member in group.spellings)
            # A usual neighbour in common (a first name) says the same person: an article may then
            # well write both spellings (a quotation, "also spelled").
            same_neighbours = any(neighbours.same_person(member, spelling) for member in group.spellings)
            most_shared = MAX_SHARED_WITH_NEIGHBOUR if same_neighbours else MAX_SHARED_ARTICLES
            if MAX_SHARED_ARTICLES < shared <= MAX_SHARED_WITH_NEIGHBOUR and not same_neighbours:
                # Often side by side, yet alike in the articles where each stands alone: one thing,
                # written both ways where it matters ("Uighur (also spelled Uyghur)", "World Uyghur
                # Congress"); two provinces or two people are alike only where they meet.
                members = tuple(group.spellings)
                alone = _cosine(profiles.alone(members, (spelling,), key), profiles.alone((spelling,), members, key))
                if alone >= MIN_SIMILARITY:
                    most_shared = MAX_SHARED_WITH_NEIGHBOUR
            # A spelling seen once has too little context of its own; the first name beside it can vouch.
            once = frequency[spelling] < MIN_ARTICLES
            alike = similarity >= MIN_SIMILARITY or (once and neighbours.vouch(group.spellings, spelling))
            # Weighed last, and only when all else says join: the neighbours of the group's spellings.
            neighbours_differ = alike and shared <= most_shared and (
                all(neighbours.other_people(member, spelling) for member in group.spellings)
                or neighbours.other_first_names(group.spellings, spelling))
            if alike and shared <= most_shared and not neighbours_differ:
                group.spellings.append(spelling)
                group.counts[spelling] = frequency[spelling]
                group.similarity[spelling] = round(similarity, 3)
                group.shared_context[spelling] = _shared_context(profiles.of(closest, key), own)
                joined = True
                break
            if not alike:
                reason = "different contexts"
            elif shared > most_shared:
                reason = "often in the same articles"
            else:
                reason = "different neighbouring names"
            rejections.append(Rejection((group.head, spelling), round(similarity, 3), round(shared, 3), reason, key))
        if not joined and frequency[spelling] >= MIN_ARTICLES:
            groups.append(NameGroup([spelling], {spelling: frequency[spelling]}, key))
    return [g for g in groups if len({s.lower() for s in g.spellings}) > 1], rejections


def spellings_of(groups: Iterable[NameGroup]) -> dict[str, NameGroup]:
    """Each spelling (lower-cased) to its group."""
    return {spelling.lower(): group for group in groups for spelling in group.spellings}
