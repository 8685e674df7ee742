"""Shortcuts the Whoosh engine takes give what Whoosh's own (slower) ways give, on a real index."""

from __future__ import annotations

import random

import numpy as np
import pytest

from cstosearch.engines.whoosh import WhooshSearchEngine
from cstosearch.engines.whoosh.generation import CodedColumn
from cstosearch.reindex import Indexer
from tests.conftest import SAMPLE_CORPUS
from tests.test_reindex import synthetic_articles, write_jsonl


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shortcuts")
    write_jsonl(folder / "inbox" / "more.jsonl", synthetic_articles(80, seed=8))
    index_dir = folder / "index"
    Indexer(index_dir, progress=False).run([SAMPLE_CORPUS, folder / "inbox"], rebuild=True)
    # A second segment, so the lexicon is merged from two readers.
    write_jsonl(folder / "inbox" / "later.jsonl", synthetic_articles(20, seed=9))
    Indexer(index_dir, progress=False).run([SAMPLE_CORPUS, folder / "inbox"])
    return WhooshSearchEngine(index_dir)


def test_near_spellings_are_whooshs_terms_within(engine):
    generation = engine._current()
    reader = generation.searcher.reader()
    terms = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon("body")]
    rng = random.Random(4)
    checked = 0
    for term in rng.sample([t for t in terms if len(t) > 3], 120):
        # The term itself and a misspelling of it: a letter dropped or two letters swapped.
        i = rng.randrange(2, len(term) - 1)
        for probe in (term, term[:i] + term[i + 1:], term[:i - 1] + term[i] + term[i - 1] + term[i + 1:]):
            expected = set(reader.terms_within("body", probe, maxdist=2, prefix=2))
            assert set(generation.spelling.near(probe)) == expected, probe
            checked += len(expected) > 1
    assert checked > 20


def test_facet_lists_equal_sorting_every_value():
    rng = random.Random(2)
    labels = [""] + [f"value {n:03d}" for n in range(300)]
    column = CodedColumn([rng.choice(labels) for _ in range(5000)])
    for _ in range(30):
        mask = np.array([rng.random() < 0.3 for _ in range(5000)])
        tally = column.counts(mask)
        pairs = [(column.labels[c], int(tally[c])) for c in np.flatnonzero(tally) if column.labels[c]]
        for limit in (1, 10, 50, 400):
            assert column.most_common(tally, limit) == sorted(pairs, key=lambda p: (-p[1], p[0]))[:limit]
            assert column.latest(tally, limit) == sorted(pairs, reverse=True)[:limit]


def test_snippet_fragments_equal_whooshs_highlighter(engine):
    from whoosh import highlight

    from cstosearch.analysis import index_term, news_analyzer, split_words
    from cstosearch.engines.whoosh.fragments import context_fragments
    from cstosearch.query import SearchRequest

    analyzer = news_analyzer()
    rng = random.Random(6)
    hits = engine.search(SearchRequest(query="", page_size=60)).results
    texts = [" ".join(article.paragraphs) for article in (engine.article(h.id) for h in hits) if article]
    texts.append("The U.N. said. U.N. troops and the u.n mission — costs 3.5% (U.S.A.) in 2024.")
    compared = 0
    for text in texts:
        words = split_words(text)
        for _ in range(3):
            terms = frozenset(index_term(w) for w in rng.sample(words, min(len(words), rng.randint(1, 3))))
            for maxchars, surround, charlimit in ((240, 80, 2 ** 15), (60, 10, 2 ** 15), (1000, 300, 900)):
                fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=surround, charlimit=charlimit)
                expected = highlight.highlight(text, terms, analyzer, fragmenter, highlight.HtmlFormatter(), top=2)
                found = highlight.top_fragments(context_fragments(text, terms, maxchars, surround, charlimit), 2,
                                                highlight.BasicFragmentScorer(), highlight.FIRST)
                assert highlight.HtmlFormatter()(text, found) == expected
                compared += bool(expected)
    assert compared > 300


def test_fragments_equal_whooshs_context_fragmenter_fragment_by_fragment():
    """Every fragment, not just the best two, on made-up texts with the fragmenter's edge cases:
    words longer than the context or the whole fragment, a fragment closing at exactly zero,
    acronyms with dots, accents and the character limit."""
    from whoosh import highlight

    from cstosearch.analysis import index_term, news_analyzer
    from cstosearch.engines.whoosh.fragments import TermMatcher, context_fragments

    analyzer = news_analyzer()
    rng = random.Random(11)
    vocabulary = ["a", "an", "of", "Armenia", "armenian", "Armenians", "U.N.", "u.n", "UN", "3.5", "x" * 9,
                  "y" * 30, "z" * 90, "CSTO", "Pashinyán", "pashinyan", "extraordinarily", "Moscow-led", "bloc",
                  "e.g.", "i.e", "a.b.c1", "U.S.A", "example.com", "x.y_z", "A.B.", "b"]
    separators = [" ", " ", " ", ", ", ". ", "\n", " — ", "  ", ".", "_", ""]

    def fragments(found):
        return [(f.startchar, f.endchar, [(t.startchar, t.endchar, t.text) for t in f.matches]) for f in found]

    compared = 0
    for _ in range(300):
        text = "".join(rng.choice(vocabulary) + rng.choice(separators) for _ in range(rng.randint(1, 80)))
        terms = frozenset(index_term(w) for w in rng.sample(vocabulary, rng.randint(1, 4)))
        shared = TermMatcher(terms)
        for maxchars, surround, charlimit in ((240, 80, 2 ** 15), (60, 10, 2 ** 15), (40, 5, 300), (25, 25, 100),
                                              (12, 3, 0), (30, 9, 0), (1000, 300, 150)):
            fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=surround, charlimit=charlimit)
            tokens = highlight.set_matched_filter(analyzer(text, chars=True, mode="query", removestops=False), terms)
            expected = fragments(fragmenter.fragment_tokens(text, tokens))
            assert fragments(context_fragments(text, terms, maxchars, surround, charlimit)) == expected
            assert fragments(context_fragments(text, shared, maxchars, surround, charlimit)) == expected
            compared += len(expected)
    assert compared > 2000


def test_page_as_json_data_equals_dataclasses_asdict(engine):
    import json
    from dataclasses import asdict

    from cstosearch.query import SearchRequest

    requests = [SearchRequest(query="Armenia"), SearchRequest(query="Armenia Moscow", explain=True),
                SearchRequest(query="Pashinyan zzzqqq"), SearchRequest(query=""),
                SearchRequest(query='"Nagorno-Karabakh region" -Belarus', outlets=("Reuters",), years=("2021",)),
                SearchRequest(query="Pashinin", explain=True)]
    checked = 0
    for request in requests:
        page = engine.search(request)
        expected = asdict(page)
        expected["page_count"] = page.page_count
        if page.explain is None:
            expected.pop("explain")
        assert json.dumps(page.to_dict()) == json.dumps(expected)
        checked += len(page.results) + len(page.variants) + bool(page.explain)
    assert checked > 10
