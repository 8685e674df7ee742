"""Posting blocks stored as arrays read back as Whoosh's own blocks do, through every path."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

import cstosearch.index
from cstosearch.article import Article
from cstosearch.engines.whoosh import WhooshSearchEngine
from cstosearch.engines.whoosh.store import WhooshStore
from cstosearch.index import ArticleIndex, article_document, build_schema
from cstosearch.ingest.reader import read_paths
from cstosearch.query import SearchRequest
from cstosearch.reindex import Indexer
from cstosearch.whoosh_codec import ArrayCodec, ArrayLeafMatcher, ArraySegment, pack_unsigned, unpack_unsigned
from tests.conftest import SAMPLE_CORPUS
from tests.test_reindex import synthetic_articles, write_jsonl

BLOCK = 8  # small blocks, so that many terms span several


def _articles(folder):
    path = write_jsonl(folder / "more.jsonl", synthetic_articles(150, seed=21))
    articles = [a for a in read_paths([SAMPLE_CORPUS, path]) if isinstance(a, Article)]
    assert len(articles) > 150
    return articles


def _whoosh_index(folder, codec, articles):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname="t")
    writer = ix.writer(codec=codec)
    for article in articles:
        writer.add_document(**article_document(article))
    writer.commit()
    return ix


@pytest.fixture(scope="module")
def readers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("codec")
    articles = _articles(folder)
    own = _whoosh_index(folder / "w3", W3Codec(blocklimit=BLOCK), articles)
    arrays = _whoosh_index(folder / "arrays", ArrayCodec(blocklimit=BLOCK), articles)
    with own.reader() as a, arrays.reader() as b:
        yield a, b


def _postings(matcher):
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def test_every_posting_reads_back_as_whooshs_own(readers):
    own, arrays = readers
    compared = multi_block = 0
    for fieldname in ("title", "body", "captions", "author", "outlet", "words", "outlet_facet"):
        terms = list(own.lexicon(fieldname))
        assert terms == list(arrays.lexicon(fieldname))
        for term in terms:
            expected = _postings(own.postings(fieldname, term))
            assert _postings(arrays.postings(fieldname, term)) == expected, (fieldname, term)
            compared += 1
            multi_block += len(expected) > BLOCK
    assert compared > 1000 and multi_block > 20


def test_block_arrays_match_the_postings(readers):
    _, arrays = readers
    field = arrays.schema["body"]
    checked = 0
    for term in list(arrays.lexicon("body"))[::7]:
        matcher = arrays.postings("body", term)
        if not isinstance(matcher, ArrayLeafMatcher):
            continue  # a posting list of one is kept in the term's record, as Whoosh does
        expected = _postings(arrays.postings("body", term))
        ids, weights, positions = [], [], []
        while matcher.is_active():
            counts, flat = matcher.position_arrays()
            ends = np.cumsum(counts)
            ids += matcher.id_array().tolist()
            weights += matcher.weight_array().tolist()
            positions += [flat[end - count:end].tolist() for count, end in zip(counts, ends, strict=True)]
            matcher._next_block()
        assert ids == [p[0] for p in expected]
        assert weights == [p[1] for p in expected]
        assert positions == [field.format.decode_positions(p[2]) for p in expected]
        checked += 1
    assert checked > 50


def test_packed_integers_round_trip():
    rng = random.Random(3)
    for top in (0, 1, 255, 256, 65535, 65536, 2**32 - 1, 2**32):
        values = np.array([rng.randint(0, top) for _ in range(50)] + [top], dtype=np.int64)
        code, data = pack_unsigned(values)
        assert np.array_equal(unpack_unsigned((code, data)), values)
        assert len(data) == len(values) * np.dtype(code).itemsize


def _queries(articles):
    rng = random.Random(5)
    words = [w for a in articles[-150:] for w in a.body_text.split()[:40]]
    queries = ["Nagorno-Karabakh", '"Nagorno-Karabakh region"', "Armenia -Belarus", "Pashin*", "CSTO Moscow"]
    for _ in range(40):
        i = rng.randrange(len(words) - 3)
        queries += [words[i], f"{words[i]} {words[i + 2]}", f'"{words[i]} {words[i + 1]}"',
                    f'"{words[i]} {words[i + 1]} {words[i + 2]}"', f"{words[i]} -{words[i + 1]}"]
    return queries


def _answers(engine, queries):
    answers = []
    for query in queries:
        page = engine.search(SearchRequest(query=query, page_size=100, group_duplicates=False))
        answers.append((query, page.total, sorted((hit.id, hit.score, hit.snippet) for hit in page.results)))
    return answers


def test_searches_answer_the_same_over_either_codec(tmp_path, monkeypatch):
    """Words, phrases (positions read as arrays), exclusions and prefixes, index by index;
    then an index whose first segment was written by Whoosh's codec takes new articles in this one."""
    inbox = tmp_path / "inbox"
    write_jsonl(inbox / "more.jsonl", synthetic_articles(150, seed=21))
    arrays_dir, own_dir = tmp_path / "arrays", tmp_path / "own"
    Indexer(arrays_dir, progress=False).run([SAMPLE_CORPUS, inbox], rebuild=True)
    with monkeypatch.context() as patch:
        patch.setattr(cstosearch.index, "ArrayCodec", W3Codec)
        whoosh_writer = WhooshStore(ArticleIndex(own_dir), bulk=False)
        Indexer(own_dir, progress=False, store=whoosh_writer).run([SAMPLE_CORPUS, inbox], rebuild=True)
    queries = _queries(_articles(tmp_path))
    expected = _answers(WhooshSearchEngine(own_dir), queries)
    assert sum(total > 0 for _, total, _ in expected) > len(queries) // 2
    assert _answers(WhooshSearchEngine(arrays_dir), queries) == expected

    # Whoosh's segment stays as written; the new articles land in a segment of arrays.
    write_jsonl(inbox / "later.jsonl", synthetic_articles(30, seed=22))
    Indexer(own_dir, progress=False).run([SAMPLE_CORPUS, inbox])
    Indexer(arrays_dir, progress=False).run([SAMPLE_CORPUS, inbox])
    with whoosh_index.open_dir(str(own_dir / "whoosh"), indexname="articles").reader() as reader:
        kinds = {type(leaf.segment()) is ArraySegment for leaf, _ in reader.leaf_readers()}
    assert kinds == {True, False}
    assert _answers(WhooshSearchEngine(own_dir), queries) == _answers(WhooshSearchEngine(arrays_dir), queries)
