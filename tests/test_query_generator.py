"""The first-pass query generator: disjoint sets, every kind, a third filtered, the same sets for the same seed."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from query_gen import KINDS, ArticleText, Bands, QueryGenerator, article_text, generate_sets  # noqa: E402


def pseudo_words(prefix: str, n: int) -> list[str]:
    return [prefix + chr(97 + i // 26) + chr(97 + i % 26) for i in range(n)]


# A small corpus with every document-frequency band filled: some words in most articles, some in
# a few percent of them, each rare word in exactly two, and two-word names that make phrases.
COMMON = pseudo_words("comm", 30)
MID = pseudo_words("mid", 60)
RARE = pseudo_words("rare", 120)
NAMES = ["prime minister", "white house", "supreme court", "trade talks", "oil prices"]
OUTLETS = ["Reuters", "Vox", "NPR"]


def tiny_corpus(n: int = 120, seed: int = 5) -> list[ArticleText]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = rng.sample(COMMON, 20) + rng.sample(MID, 4) + [RARE[i % len(RARE)], RARE[(i * 7 + 3) % len(RARE)]]
        rng.shuffle(words)
        text = f"The {NAMES[i % len(NAMES)]} said. " + " ".join(words) + f". A {rng.choice(NAMES)} came."
        doc = {"title": f"Story {i}", "text": text, "outlet": OUTLETS[i % 3], "date": f"{2015 + i % 4}-06-01"}
        docs.append(article_text(doc))
    return docs


BANDS = Bands(common_min=0.5, mid_min=0.03, rare_min_docs=2)
SIZES = {"warmup": 6, "c1": 60, "cN": 60}


@pytest.fixture(scope="module")
def sets() -> dict[str, list[dict]]:
    return generate_sets(tiny_corpus(), SIZES, seed=11, bands=BANDS)


def words_of(query: dict) -> list[str]:
    return [w for w in query["q"].replace('"', "").split() if w not in ("AND", "OR")]


def word_set(query: dict) -> tuple:
    return (query["class"] == "phrase", frozenset(words_of(query)))


def test_sets_are_full_and_disjoint(sets):
    assert {name: len(queries) for name, queries in sets.items()} == SIZES
    every = [q for queries in sets.values() for q in queries]
    assert len({q["id"] for q in every}) == len(every)
    assert len({word_set(q) for q in every}) == len(every), "a word set was used twice"


def test_every_kind_and_a_third_filtered(sets):
    for name in ("c1", "cN"):
        kinds = Counter(q["class"] for q in sets[name])
        assert set(kinds) == set(KINDS)
        assert max(kinds.values()) - min(kinds.values()) <= 1
        filtered = [q for q in sets[name] if q["variant"] != "none"]
        for kind, n in kinds.items():
            assert sum(1 for q in filtered if q["class"] == kind) == n // 3
        assert {q["variant"] for q in filtered} == {"outlet", "date", "outlet+date"}
        for q in filtered:
            assert bool(q["outlet"]) == ("outlet" in q["variant"])
            assert bool(q["from"] and q["to"]) == ("date" in q["variant"])


def test_queries_are_drawn_from_the_articles(sets):
    corpus = tiny_corpus()
    generator = QueryGenerator(corpus, seed=0, bands=BANDS)
    for q in sets["c1"] + sets["cN"]:
        words = words_of(q)
        if q["class"] in ("common", "mid", "rare"):
            assert generator.band(words[0]) == q["class"]
        if q["class"] == "phrase":
            assert any(" ".join(words) in a.text for a in corpus)
        if q["class"] == "and":
            assert q["q"] == f"{words[0]} AND {words[1]}", "cstosearch reads a plain pair as either word"
            # Both words in one article of the filter's outlet and year: the query matches something.
            assert any(
                all(w in a.text for w in words)
                and (not q["outlet"] or a.outlet in q["outlet"])
                and (not q["from"] or q["from"] <= a.date <= q["to"])
                for a in corpus
            )
        assert q["fts"].startswith("{title text} : ")
        assert all(f'"{w}' in q["fts"] or f'{w}"' in q["fts"] for w in words)


def test_same_seed_same_sets_other_seed_other_sets(sets):
    again = generate_sets(tiny_corpus(), SIZES, seed=11, bands=BANDS)
    assert again == sets
    other = generate_sets(tiny_corpus(), SIZES, seed=12, bands=BANDS)
    assert [q["q"] for q in other["c1"]] != [q["q"] for q in sets["c1"]]
