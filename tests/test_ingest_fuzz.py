"""Hostile input to the ingester and the indexer: every file gives articles or reasons, never a crash.

Random bytes, truncated copies of the test pages, text in odd encodings and random JSON lines must
each come back as ``Article`` or ``UnreadableSource`` values. A batch with broken files in it keeps
every good article, and a run that dies part-way leaves the index as it was.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.reader import read_file
from cstosearch.query import SearchRequest
from cstosearch.reindex import Indexer
from cstosearch.search import WhooshSearchEngine
from tests.conftest import SAMPLE_CORPUS

PAGES = Path(__file__).resolve().parent / "pages"
HTML_PAGES = {p.name: p.read_bytes() for p in sorted(PAGES.glob("*.html"))}
SEEDS = {p.name: p.read_bytes() for p in sorted(SAMPLE_CORPUS.glob("*.txt"))}
SUFFIXES = [".txt", ".html", ".htm", ".jsonl", ".txt.gz", ".html.gz", ".jsonl.gz", ""]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "cp1251", "koi8-r", "latin-1", "cp1252",
             "shift_jis", "gb18030", "euc-kr", "iso8859-7", "mac_roman", "cp437"]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def outcomes_of(raw: bytes, name: str, may_be_empty: bool = False) -> list:
    """Read one file holding ``raw``; fail the test on anything but articles and reasons."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        outcomes = list(read_file(path))
    assert outcomes or may_be_empty, f"{name}: no outcome at all"
    for outcome in outcomes:
        assert isinstance(outcome, (Article, UnreadableSource)), type(outcome)
        if isinstance(outcome, UnreadableSource):
            assert outcome.reason and outcome.path.startswith(str(path))
        else:
            assert all(isinstance(p, str) and p.strip() for p in outcome.paragraphs)
            assert outcome.published_at == "" or len(outcome.published_at) == 10
            Article.from_dict(json.loads(json.dumps(outcome.to_dict())))  # survives the index round trip
    return outcomes


def maybe_gzip(raw: bytes, suffix: str, broken: bool) -> bytes:
    if not suffix.endswith(".gz"):
        return raw
    packed = gzip.compress(raw)
    return packed[: max(10, len(packed) // 2)] if broken else packed


@FUZZ
@given(raw=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES), broken=st.booleans())
def test_random_bytes(raw, suffix, broken):
    blank_lines = ".jsonl" in suffix and not raw.decode("utf-8", errors="replace").strip()
    outcomes_of(maybe_gzip(raw, suffix, broken), "random" + suffix, may_be_empty=blank_lines)


@FUZZ
@given(page=st.sampled_from(sorted(HTML_PAGES)), cut=st.floats(0, 1), suffix=st.sampled_from([".html", ".txt"]),
       noise=st.binary(max_size=64), at=st.floats(0, 1))
def test_truncated_and_damaged_test_pages(page, cut, suffix, noise, at):
    raw = HTML_PAGES[page]
    raw = raw[: int(len(raw) * cut)]
    where = int(len(raw) * at)
    raw = raw[:where] + noise + raw[where + len(noise):]
    outcomes_of(raw, "page" + suffix)


@FUZZ
@given(text=st.one_of(st.sampled_from(sorted(SEEDS)).map(lambda n: SEEDS[n].decode("utf-8")),
                      st.text(min_size=0, max_size=2000)),
       encoding=st.sampled_from(ENCODINGS), as_html=st.booleans(), declared=st.sampled_from(ENCODINGS + ["bogus"]))
def test_odd_encodings(text, encoding, as_html, declared):
    if as_html:
        text = (f'<html><head><meta charset="{declared}"><title>T</title></head>'
                f"<body><article><h1>Headline</h1><p>{text}</p></article></body></html>")
    raw = text.encode(encoding, errors="replace")
    outcomes_of(raw, "encoded.html" if as_html else "encoded.txt")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=200),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
FIELD = st.sampled_from(["text", "body", "content", "title", "headline", "url", "link", "author", "authors",
                         "date", "published", "published_at", "outlet", "site_name", "source", "subtitle"])
RECORDS = st.dictionaries(FIELD, JSON_VALUES | st.text(max_size=300), max_size=8)
LINES = st.one_of(RECORDS.map(json.dumps), JSON_VALUES.map(json.dumps), st.text(max_size=200).map(
    lambda s: s.replace("\n", " ")))


@FUZZ
@given(lines=st.lists(LINES, max_size=12), gz=st.booleans(), crlf=st.booleans())
def test_random_jsonl_lines(lines, gz, crlf):
    raw = ("\r\n" if crlf else "\n").join(lines).encode("utf-8", errors="surrogatepass")
    # Blank lines are skipped, and a file of nothing else is reported as holding no articles.
    outcomes = outcomes_of(gzip.compress(raw) if gz else raw, "batch.jsonl.gz" if gz else "batch.jsonl")
    assert len(outcomes) <= max(1, len(lines))


def test_page_cut_after_its_headline_is_not_an_article():
    raw = HTML_PAGES["cp1251-declared.html"][:170]
    (outcome,) = outcomes_of(raw, "cut.html")
    assert isinstance(outcome, UnreadableSource)


# ------------------------------------------------------------------- batches


BROKEN_FILES = {
    "binary.txt": bytes(range(256)) * 8,
    "empty.txt": b"  \n\n ",
    "broken.txt.gz": b"\x1f\x8b\x08\x00not gzip at all",
    "truncated.html": HTML_PAGES["two-figures.html"][:300],
    "no-article.html": HTML_PAGES["no-article.html"],
    "lines.jsonl": b'{not json\n[1, 2]\n{"title": "no text"}\n',
    "utf16.txt": "\ufeff\x00\x01\x02 nothing".encode("utf-16"),
}


def good_article_ids(folder: Path) -> set[str]:
    ids = set()
    for path in sorted(folder.iterdir()):
        ids |= {o.article_id for o in read_file(path) if isinstance(o, Article)}
    return ids


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(broken=st.lists(st.sampled_from(sorted(BROKEN_FILES)), min_size=1, unique=True),
       noise=st.lists(st.binary(min_size=1, max_size=512), max_size=3))
def test_batch_with_broken_files_keeps_every_good_article(broken, noise):
    with tempfile.TemporaryDirectory() as work:
        folder, index_dir = Path(work) / "raw", Path(work) / "index"
        folder.mkdir()
        for name, raw in SEEDS.items():
            (folder / name).write_bytes(raw)
        for name in broken:
            (folder / name).write_bytes(BROKEN_FILES[name])
        for number, raw in enumerate(noise):
            (folder / f"noise-{number}.txt").write_bytes(raw)
        expected = good_article_ids(folder)
        report = Indexer(index_dir, progress=False).run([folder], rebuild=True)
        engine = WhooshSearchEngine(index_dir)
        try:
            assert report.documents == len(expected) >= len(SEEDS)
            for article_id in expected:
                assert engine.article(article_id) is not None
            assert engine.search(SearchRequest(query="Pashinyan", group_duplicates=False)).total == 5
            failed = {Path(f["path"].split(":", 1)[0]).name for f in report.failed}
            assert {"binary.txt", "empty.txt", "broken.txt.gz"} & set(broken) <= failed
        finally:
            engine.close()


def test_a_run_that_dies_part_way_leaves_the_index_as_it_was(tmp_path):
    corpus = tmp_path / "raw"
    corpus.mkdir()
    for name, raw in SEEDS.items():
        (corpus / name).write_bytes(raw)
    index_dir = tmp_path / "index"
    Indexer(index_dir, progress=False).run([corpus], rebuild=True)
    before = WhooshSearchEngine(index_dir)
    count = before.document_count()
    total = before.search(SearchRequest(query="CSTO", group_duplicates=False)).total

    def dying():
        yield Article(paragraphs=["A new Pashinyan statement that must not be half indexed."], title="New",
                      source_path="new.txt")
        raise RuntimeError("the reader died")

    with pytest.raises(RuntimeError):
        Indexer(index_dir, progress=False).index_articles(dying(), rebuild=True)
    after = WhooshSearchEngine(index_dir)
    try:
        assert after.document_count() == count
        assert after.search(SearchRequest(query="CSTO", group_duplicates=False)).total == total
        assert after.search(SearchRequest(query='"must not be half indexed"')).total == 0
        # The next complete run works: the lock was released.
        Indexer(index_dir, progress=False).run([corpus], rebuild=True)
    finally:
        before.close()
        after.close()

