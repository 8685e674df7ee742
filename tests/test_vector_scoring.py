"""Scores computed as arrays equal Whoosh's own matcher scores, on a real index."""

from __future__ import annotations

import numpy as np
import pytest

from cstosearch.engines.whoosh import WhooshSearchEngine
from cstosearch.engines.whoosh.deadline import Deadline
from cstosearch.engines.whoosh.translate import Translator
from cstosearch.engines.whoosh.vector_scoring import scores_of
from cstosearch.query import SearchRequest
from cstosearch.query_parser import parse_query
from cstosearch.reindex import Indexer
from tests.conftest import SAMPLE_CORPUS
from tests.test_reindex import synthetic_articles, write_jsonl


def score_targets(searcher, query, targets: np.ndarray, weighting) -> np.ndarray:
    """Whoosh's own scores, one matcher step at a time: what the array scores must equal."""
    scores = np.zeros(len(targets), dtype=np.float64)
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, subsearcher.context(needs_current=True, weighting=weighting))
        while matcher.is_active():
            docnum = matcher.id() + offset
            where = np.searchsorted(targets, docnum)
            if where < len(targets) and targets[where] == docnum:
                scores[where] = matcher.score()
            matcher.next()
    return scores


QUERIES = ["Armenia", "Armenia Russia", "CSTO summit Yerevan", "Nagorno-Karabakh", '"prime minister" Pashinyan',
           "Pashin*", "title:Armenia", "Armenia -quokka", "a (b OR Armenia)", "quokka wombat"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vector")
    inbox = folder / "inbox"
    write_jsonl(inbox / "more.jsonl", synthetic_articles(60, seed=5, marker="quokka"))
    index_dir = folder / "index"
    Indexer(index_dir, progress=False).run([SAMPLE_CORPUS, inbox], rebuild=True)
    # A second segment, so documents are numbered across sub-searchers.
    write_jsonl(inbox / "later.jsonl", synthetic_articles(20, seed=6, marker="wombat"))
    Indexer(index_dir, progress=False).run([SAMPLE_CORPUS, inbox])
    return WhooshSearchEngine(index_dir)


@pytest.mark.parametrize("text", QUERIES)
def test_array_scores_equal_matcher_scores(engine, text):
    generation = engine._current()
    assert len(list(generation.searcher.leaf_searchers())) >= 2
    parsed = parse_query(text)
    deadline = Deadline(60)
    translator = Translator(generation, engine.ranking, deadline)
    targets = np.flatnonzero(translator.mask(parsed.root) & generation.live())
    assert len(targets), text
    query = translator.scoring_query(parsed)
    expected = score_targets(generation.searcher, query, targets, engine._weighting)
    tiers = np.zeros(len(targets), dtype=np.int8)
    found = scores_of(generation, query, targets, tiers, engine._weighting, deadline, len(targets))
    np.testing.assert_allclose(found, expected, rtol=1e-9, atol=1e-12)
    assert found.max() > 0


def test_phrases_are_position_checked_on_the_best_candidates_only(engine):
    generation = engine._current()
    parsed = parse_query('"prime minister" Armenia')
    deadline = Deadline(60)
    translator = Translator(generation, engine.ranking, deadline)
    targets = np.flatnonzero(translator.mask(parsed.root) & generation.live())
    query = translator.scoring_query(parsed)
    tiers = np.zeros(len(targets), dtype=np.int8)
    full = scores_of(generation, query, targets, tiers, engine._weighting, deadline, len(targets))
    cut = scores_of(generation, query, targets, tiers, engine._weighting, deadline, 2)
    # The best two keep their exact scores; the others lose only their phrase part.
    best = np.argsort(-full)[:2]
    np.testing.assert_allclose(cut[best], full[best])
    assert (cut <= full + 1e-12).all()


def test_a_search_ranks_the_same_through_the_engine(engine):
    page = engine.search(SearchRequest(query="Armenia Russia", page_size=50, group_duplicates=False))
    scores = [hit.score for hit in page.results]
    assert scores == sorted(scores, reverse=True) and page.total >= len(scores) > 0


def _whoosh_phrase_mask(generation, fieldname, stems, slop):
    from whoosh import query as wq

    mask = np.zeros(generation.size, dtype=bool)
    phrase = wq.Phrase(fieldname, list(stems), slop=slop)
    for subsearcher, offset in generation.searcher.leaf_searchers():
        matcher = phrase.matcher(subsearcher, subsearcher.boolean_context())
        if matcher.is_active():
            mask[np.fromiter(matcher.all_ids(), dtype=np.int64) + offset] = True
    return mask & generation.live()


def test_phrase_documents_equal_whoosh_phrase_matches(engine):
    import random

    from cstosearch.analysis import index_term, split_words
    from cstosearch.engines.whoosh.phrases import phrase_documents

    generation = engine._current()
    rng = random.Random(3)
    texts = [engine.article(h.id) for h in engine.search(SearchRequest(query="", page_size=50)).results]
    words = [w for article in texts if article for w in split_words(" ".join(article.paragraphs))]
    checked = 0
    for _ in range(60):
        start = rng.randrange(len(words) - 3)
        length = rng.choice([2, 2, 3])
        stems = tuple(index_term(w) for w in words[start:start + length])
        # Shuffled pairs too, so that some phrases are absent and only near misses remain.
        if rng.random() < 0.3:
            stems = tuple(reversed(stems))
        for fieldname in ("body", "title"):
            for slop in (1, 3):
                expected = _whoosh_phrase_mask(generation, fieldname, stems, slop)
                found = phrase_documents(generation, fieldname, stems, slop, Deadline(60)) & generation.live()
                assert (found == expected).all(), (stems, fieldname, slop)
                checked += int(expected.any())
    assert checked > 20
