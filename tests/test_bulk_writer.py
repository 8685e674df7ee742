"""Rebuilds written by the bulk writer hold what Whoosh's writer writes, and commit as atomically."""

from __future__ import annotations

import json

import pytest
from whoosh import index as whoosh_index
from whoosh.index import TOC

from cstosearch.engines.whoosh import WhooshSearchEngine
from cstosearch.engines.whoosh.bulk_writer import BulkWriter
from cstosearch.engines.whoosh.store import WhooshStore
from cstosearch.index import INDEX_NAME, ArticleIndex
from cstosearch.reindex import Indexer
from cstosearch.whoosh_codec import ArrayCodec
from tests.conftest import SAMPLE_CORPUS
from tests.test_reindex import synthetic_articles, write_jsonl
from tests.test_whoosh_codec import _answers, _articles, _queries

# Words the tokenizer treats apart: acronyms with and without dots, accents, inner dots, digits.
AWKWARD = {"id": "awkward-1", "url": "https://example.org/awkward", "title": "U.N. envoy meets the U.S.A. délégation",
           "author": "Zoë Ærøskøbing, J.R.R. Tolkien", "date": "2024-03-02", "outlet": "Café Wire",
           "text": "The UN and the u.n. met at 3.5 p.m. in Ærø; example.com said co-operation_is naïve.\n\n"
                   "Über-long words, ½ fractions and ﬁ ligatures: Straße, STRASSE, İstanbul, ǅemal."}


@pytest.fixture()
def sources(tmp_path):
    inbox = tmp_path / "inbox"
    write_jsonl(inbox / "more.jsonl", [*synthetic_articles(120, seed=31), AWKWARD])
    return [SAMPLE_CORPUS, inbox]


@pytest.fixture(params=[8, 64])
def small_blocks(request, monkeypatch):
    """Posting blocks of 8 or 64 (both writers make their codec with its defaults), so many terms
    span several; blocks of 64 are cut with numpy, blocks of a few postings from lists."""
    monkeypatch.setattr(ArrayCodec.__init__, "__defaults__", (request.param, 3, 1))


def _build(index_dir, sources, bulk: bool, procs: int = 1) -> None:
    store = WhooshStore(ArticleIndex(index_dir), procs=procs, bulk=bulk)
    Indexer(index_dir, procs=procs, progress=False, store=store).run(sources, rebuild=True)


def _segment_files(index_dir) -> list[dict[str, bytes]]:
    """Each segment's files by what follows the segment's id in their names."""
    whoosh_dir = index_dir / "whoosh"
    storage = whoosh_index.open_dir(str(whoosh_dir), indexname=INDEX_NAME).storage
    found = []
    for segment in TOC.read(storage, INDEX_NAME).segments:
        prefix = f"{INDEX_NAME}_{segment.segid}"
        found.append({path.name[len(prefix):]: path.read_bytes() for path in whoosh_dir.glob(prefix + ".*")})
    return found


def _contents(index_dir) -> tuple[dict, dict]:
    """(stored fields by article id, every field's postings with documents named by article id)."""
    ix = whoosh_index.open_dir(str(index_dir / "whoosh"), indexname=INDEX_NAME)
    with ix.reader() as reader:
        ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        stored = {stored["id"]: stored for _, stored in reader.iter_docs()}
        postings = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            found = []
            while matcher.is_active():
                found.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            info = reader.term_info(fieldname, term)
            postings[fieldname, term] = (sorted(found), info.weight(), info.doc_frequency(), info.min_length(),
                                         info.max_length(), info.max_weight())
        # An empty field reads as None from a segment with that field's lengths, 0 from one without.
        lengths = {(ids[d], name): reader.doc_field_length(d, name) or 0 for d in ids for name in reader.schema.names()}
    return stored, (postings, lengths)


def test_one_process_writes_the_files_whoosh_writes(tmp_path, sources, small_blocks):
    _build(tmp_path / "whoosh", sources, bulk=False)
    _build(tmp_path / "bulk", sources, bulk=True)
    [expected], [written] = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "bulk")
    assert sorted(written) == sorted(expected)
    assert {".pst", ".trm", "._stored.col", "._body_len.col"} <= set(written)
    for suffix, content in expected.items():
        assert written[suffix] == content, suffix


def test_builder_processes_hold_what_whoosh_holds_and_answer_alike(tmp_path, sources, monkeypatch):
    """Two builder processes, the files read and fingerprinted ahead in a third."""
    monkeypatch.setattr(ArrayCodec.__init__, "__defaults__", (8, 3, 1))
    _build(tmp_path / "whoosh", sources, bulk=False)
    _build(tmp_path / "bulk", sources, bulk=True, procs=2)
    assert len(_segment_files(tmp_path / "bulk")) == 2
    assert _contents(tmp_path / "bulk") == _contents(tmp_path / "whoosh")
    stored, _ = _contents(tmp_path / "bulk")
    assert any("U.N. envoy" in json.loads(s["article"])["title"] for s in stored.values())
    queries = [*_queries(_articles(tmp_path)), "UN envoy", "strasse", "aero*", "\"3.5 p.m\"", "Tolkien"]
    assert _answers(WhooshSearchEngine(tmp_path / "bulk"), queries) == \
        _answers(WhooshSearchEngine(tmp_path / "whoosh"), queries)


def test_a_cancelled_or_failed_build_leaves_the_served_generation(tmp_path, sources):
    _build(tmp_path / "index", sources[:1], bulk=True)
    index = ArticleIndex(tmp_path / "index")
    served, generation = index.document_count(), index.open().latest_generation()
    for cancel in (True, False):
        writer = BulkWriter(index.open(), procs=2)
        writer.add_document(id="new", title="A new article")
        if cancel:
            writer.cancel()
        else:
            writer.add_document(id="broken", no_such_field="x")
            with pytest.raises(RuntimeError, match="segment builder failed"):
                writer.commit()
        assert index.open().latest_generation() == generation
        assert index.document_count() == served
    # The lock was let go each time, and the next rebuild removes the files left behind.
    _build(tmp_path / "index", sources[:1], bulk=True)
    [files] = _segment_files(tmp_path / "index")
    segment_files = [p for p in (tmp_path / "index" / "whoosh").iterdir() if p.suffix in (".pst", ".trm", ".col")]
    assert len(segment_files) == len(files)
