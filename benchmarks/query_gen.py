"""Generated query sets for the first-pass benchmark, drawn from the articles themselves: each query from
an anchor article (its words, pairs, phrases, outlet and year), no word set used twice in a run."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cstosearch.analysis import STOP_WORDS

KINDS = ("common", "mid", "rare", "and", "or", "phrase")
FILTER_VARIANTS = ("outlet", "date", "outlet+date")
# Words the query syntax of either engine reads as operators.
OPERATOR_WORDS = frozenset({"and", "or", "not", "near"})
WORD_RE = re.compile(r"[a-z][a-z'’]*[a-z]|[a-z]")
CLEAN_WORD_RE = re.compile(r"[a-z]{3,20}")
ATTEMPTS_PER_QUERY = 200
AND_WINDOW = 10  # words either side


@dataclass(frozen=True)
class Bands:
    """Document-frequency bands, as fractions of the articles scanned."""

    common_min: float = 0.05
    mid_min: float = 0.003
    rare_min_docs: int = 2  # a word seen once is as often a typo as a name


@dataclass(frozen=True)
class ArticleText:
    text: str  # title and body, lower-cased
    outlet: str
    date: str


def article_text(doc: dict) -> ArticleText:
    # The lone "." keeps a phrase from spanning the end of the title and the start of the body.
    text = f"{doc.get('title') or ''}\n.\n{doc.get('text') or ''}".lower()
    return ArticleText(text, doc.get("outlet") or "", doc.get("date") or "")


def clean_words(text: str) -> list[str]:
    """The words a reader could type, in order: letters only, 3 to 20 of them, no stop words."""
    return [
        w
        for w in WORD_RE.findall(text)
        if CLEAN_WORD_RE.fullmatch(w) and w not in STOP_WORDS and w not in OPERATOR_WORDS
    ]


def adjacent_pairs(text: str) -> list[tuple[str, str]]:
    """Two clean words with only white space between them (no punctuation, so a phrase)."""
    tokens = text.split()
    pairs = []
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a == b:
            continue
        if all(CLEAN_WORD_RE.fullmatch(t) and t not in STOP_WORDS and t not in OPERATOR_WORDS for t in (a, b)):
            pairs.append((a, b))
    return pairs


class QueryGenerator:
    """Seeded generator of disjoint query sets over a list of articles."""

    def __init__(self, articles: Sequence[ArticleText], seed: int, bands: Bands | None = None) -> None:
        if not articles:
            raise ValueError("no articles to generate queries from")
        self.articles = articles
        self.rng = random.Random(seed)
        self.bands = bands or Bands()
        self.words_of = [sorted(set(clean_words(a.text))) for a in articles]
        self.doc_freq: Counter[str] = Counter(w for words in self.words_of for w in words)
        n = len(articles)
        # On a small scan the fractions round to a few documents: keep every band at least two counts wide.
        self.mid_min = max(self.bands.rare_min_docs + 2, math.ceil(self.bands.mid_min * n))
        self.common_min = max(self.mid_min + 2, math.ceil(self.bands.common_min * n))
        self.used: set[tuple] = set()

    def band(self, word: str) -> str:
        df = self.doc_freq[word]
        if df >= self.common_min:
            return "common"
        if df >= self.mid_min:
            return "mid"
        return "rare" if df >= self.bands.rare_min_docs else "unique"

    def band_sizes(self) -> dict[str, int]:
        return dict(Counter(self.band(w) for w in self.doc_freq))

    def words_in(self, doc: int, bands: Iterable[str]) -> list[str]:
        wanted = set(bands)
        return [w for w in self.words_of[doc] if self.band(w) in wanted]

    def _terms(self, kind: str, doc: int) -> tuple[tuple, str, str] | None:
        """(word-set key, cstosearch query, FTS5 query) for one kind from one anchor article, or None."""
        rng = self.rng
        if kind in ("common", "mid", "rare"):
            words = self.words_in(doc, [kind])
            if not words:
                return None
            w = rng.choice(words)
            return ("word", w), w, f'{{title text}} : "{w}"'
        if kind == "and":
            # Two words near each other, as a reader pairs a topic with what narrows it.
            sequence = clean_words(self.articles[doc].text)
            starts = [i for i, w in enumerate(sequence) if self.band(w) == "mid"]
            if not starts:
                return None
            i = rng.choice(starts)
            a = sequence[i]
            near = sequence[max(0, i - AND_WINDOW) : i + AND_WINDOW + 1]
            seconds = sorted({w for w in near if w != a and self.band(w) in ("mid", "common")})
            if not seconds:
                return None
            b = rng.choice(seconds)
            # cstosearch reads plain `a b` as either word (all-words hits first): `AND` asks what FTS5's AND does.
            return ("and", *sorted((a, b))), f"{a} AND {b}", f'{{title text}} : ("{a}" AND "{b}")'
        if kind == "or":
            firsts = self.words_in(doc, ["mid", "rare"])
            seconds = self.words_in(rng.randrange(len(self.articles)), ["mid", "rare"])
            seconds = [w for w in seconds if w not in firsts]
            if not firsts or not seconds:
                return None
            a, b = rng.choice(firsts), rng.choice(seconds)
            return ("or", *sorted((a, b))), f"{a} OR {b}", f'{{title text}} : ("{a}" OR "{b}")'
        if kind == "phrase":
            pairs = [
                p for p in adjacent_pairs(self.articles[doc].text) if all(self.band(w) in ("mid", "common") for w in p)
            ]
            if not pairs:
                return None
            a, b = rng.choice(sorted(set(pairs)))
            return ("phrase", a, b), f'"{a} {b}"', f'{{title text}} : "{a} {b}"'
        raise ValueError(f"unknown query kind {kind!r}")

    def _filters(self, variant: str, doc: int) -> tuple[list[str], str, str] | None:
        """(outlets, from, to) of the anchor article, or None when it lacks what the variant needs."""
        article = self.articles[doc]
        year = article.date[:4]
        if "outlet" in variant and not article.outlet:
            return None
        if "date" in variant and not year.isdigit():
            return None
        outlets = [article.outlet] if "outlet" in variant else []
        date_from, date_to = (f"{year}-01-01", f"{year}-12-31") if "date" in variant else ("", "")
        return outlets, date_from, date_to

    def one(self, kind: str, variant: str, query_id: str) -> dict | None:
        for _ in range(ATTEMPTS_PER_QUERY):
            doc = self.rng.randrange(len(self.articles))
            filters = self._filters(variant, doc) if variant != "none" else ([], "", "")
            terms = self._terms(kind, doc) if filters is not None else None
            if terms is None or terms[0] in self.used:
                continue
            key, q, fts = terms
            self.used.add(key)
            outlets, date_from, date_to = filters
            return {
                "id": query_id,
                "class": kind,
                "variant": variant,
                "q": q,
                "fts": fts,
                "outlet": outlets,
                "from": date_from,
                "to": date_to,
                "sort": "relevance",
                "page": 1,
            }
        return None

    def query_set(self, name: str, size: int, filtered_share: float = 1 / 3) -> list[dict]:
        """`size` queries, the kinds in turn, `filtered_share` of each kind with an outlet and/or date filter."""
        queries = []
        seen_per_kind: Counter[str] = Counter()
        filtered_per_kind: Counter[str] = Counter()
        for i in range(size):
            kind = KINDS[i % len(KINDS)]
            seen_per_kind[kind] += 1
            # Filter the kind's next query whenever its filtered count falls behind the share.
            if filtered_per_kind[kind] < math.floor(seen_per_kind[kind] * filtered_share + 1e-9):
                variant = FILTER_VARIANTS[filtered_per_kind[kind] % len(FILTER_VARIANTS)]
                filtered_per_kind[kind] += 1
            else:
                variant = "none"
            query = self.one(kind, variant, f"{name}:{i:04d}:{kind}:{variant}")
            if query is not None:
                queries.append(query)
        return queries


def generate_sets(
    articles: Sequence[ArticleText], sizes: dict[str, int], seed: int, bands: Bands | None = None
) -> dict[str, list[dict]]:
    """Disjoint query sets (no word set shared between or within them), one per name in `sizes`."""
    generator = QueryGenerator(articles, seed, bands)
    return {name: generator.query_set(name, size) for name, size in sizes.items()}
