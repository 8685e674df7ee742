"""The text field holds the article as read (headline first, never twice), and pseudo-relevance
feedback leans on the articles that match the query best; on a real index in a temp folder."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cstosearch.analysis import index_term
from cstosearch.article import Article, opens_with
from cstosearch.engines.whoosh import feedback
from cstosearch.index import ArticleIndex
from cstosearch.reindex import Indexer
from tests.test_reindex import write_jsonl


def test_headline_leads_the_indexed_text():
    article = Article(paragraphs=["Troops left the border on Monday."], title="Border talks resume",
                      subtitle="A first meeting in months")
    assert article.indexed_text.splitlines() == ["Border talks resume", "A first meeting in months",
                                                 "Troops left the border on Monday."]


@pytest.mark.parametrize("opening", ["Border talks resume", "BORDER TALKS RESUME.", "Border  talks -- resume:"])
def test_a_headline_the_text_opens_with_is_not_written_twice(opening):
    article = Article(paragraphs=[f"{opening} Troops left the border on Monday."], title="Border talks resume")
    assert article.indexed_text == article.indexed_body
    assert opens_with(article.indexed_text, article.title)


def test_a_headline_only_mentioned_later_still_leads():
    article = Article(paragraphs=["Troops left. Border talks resume today, officials said."],
                      title="Border talks resume")
    assert article.indexed_text.startswith("Border talks resume\n")


def test_untitled_article_text_is_its_body():
    article = Article(paragraphs=["Only a body."])
    assert article.indexed_text == "Only a body."


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    folder = tmp_path_factory.mktemp("headline")
    articles = [
        {"id": "copied", "url": "https://example.org/copied", "title": "Glacier melts early",
         "text": "Glacier melts early.\n\nScientists measured the ice shelf all spring."},
        {"id": "apart", "url": "https://example.org/apart", "title": "Glacier melts early",
         "text": "Scientists measured the ice shelf all spring."},
    ]
    index_dir = folder / "index"
    Indexer(index_dir, progress=False).run([write_jsonl(folder / "inbox" / "a.jsonl", articles).parent],
                                           rebuild=True)
    searcher = ArticleIndex(index_dir).open().searcher()
    yield searcher
    searcher.close()


def test_headline_words_count_once_in_the_text_wherever_the_headline_came_from(reader):
    ids = {reader.stored_fields(n)["url"].rsplit("/", 1)[-1]: n for n in range(reader.doc_count_all())}
    for word in ("glacier", "melts", "early"):
        frequencies = dict(reader.postings("body", index_term(word)).items_as("frequency"))
        assert frequencies == {ids["copied"]: 1, ids["apart"]: 1}, word
    lengths = {name: reader.doc_field_length(n, "body") for name, n in ids.items()}
    assert lengths["copied"] == lengths["apart"]


def test_feedback_articles_count_by_how_well_they_match():
    targets = np.array([3, 5, 8, 11])
    scores = np.array([2.0, 9.0, 0.0, 7.5])
    tier = np.zeros(4, dtype=np.int8)
    sharp = feedback.best(scores, tier, targets, count=3, sharpness=1.0)
    assert [docnum for docnum, _ in sharp] == [5, 11, 3]  # best first; an unscored match lends nothing
    assert [weight for _, weight in sharp] == pytest.approx([1.0, math.exp(-1.5), math.exp(-7.0)])
    alike = feedback.best(scores, tier, targets, count=3, sharpness=0.0)
    assert [weight for _, weight in alike] == [1.0, 1.0, 1.0]


def test_feedback_takes_the_first_tier_first():
    targets = np.array([1, 2])
    scores = np.array([1.0, 5.0])
    tier = np.array([1, 0], dtype=np.int8)
    chosen = feedback.best(scores, tier, targets, count=2, sharpness=1.0)
    assert [docnum for docnum, _ in chosen] == [1, 2]
    assert [weight for _, weight in chosen] == pytest.approx([math.exp(-4.0), 1.0])
