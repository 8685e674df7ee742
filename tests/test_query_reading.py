"""Queries read the way a reader means them: hyphens join, operators only where meant,
partial matches ranked after full ones, and totals, facets and pages that agree."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstosearch.engines.whoosh.snippets import CAPTION_SEPARATOR
from cstosearch.ingest.reader import read_file
from cstosearch.query_parser import parse_query
from cstosearch.query_tree import Group, Phrase, Prefix, Word
from cstosearch.reindex import Indexer
from cstosearch.web import create_app
from tests.conftest import SAMPLE_CORPUS, SHARED

PAGES = Path(__file__).parent / "pages"


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture(scope="module")
def sample_texts() -> dict[str, str]:
    """Each sample's article id -> its file's number and cleaned searchable text, read by the project's reader."""
    texts = {}
    for path in sorted(SAMPLE_CORPUS.glob("*.txt")):
        (article,) = list(read_file(path))
        captions = " ".join(f"{c.text} {c.credit}" for c in article.captions)
        text = " ".join([article.title, article.subtitle, article.body_text, captions])
        texts[article.article_id] = (path.name[:3], text)
    return texts


def ids(data) -> set[str]:
    return {hit["id"] for hit in data["results"]}


def urls(data) -> set[str]:
    return {hit["url"] for hit in data["results"]}


def containing(texts: dict[str, str], pattern: str) -> set[str]:
    return {article_id for article_id, (_, text) in texts.items() if re.search(pattern, text, re.IGNORECASE)}


def test_hyphenated_place_name_joins(client, sample_texts):
    expected = containing(sample_texts, r"nagorno\W+karabakh")
    found = search(client, q="Nagorno-Karabakh", group="off", page_size=20)
    assert ids(found) == expected and found["total"] == len(expected)
    assert {"002", "003", "004"} <= {sample_texts[article_id][0] for article_id in expected}


def test_moscow_led_finds_every_sample_with_it(client, sample_texts):
    expected = containing(sample_texts, r"moscow\W+led")
    assert expected
    assert ids(search(client, q="Moscow-led", group="off", page_size=20)) == expected


def test_hyphen_inside_a_phrase(client, sample_texts):
    expected = containing(sample_texts, r"nagorno\W+karabakh\W+region")
    assert expected
    assert ids(search(client, q='"Nagorno-Karabakh region"', group="off", page_size=20)) == expected


def test_leading_minus_still_excludes(client, sample_texts):
    with_belarus = containing(sample_texts, r"\bbelarus")
    everyone = ids(search(client, q="Pashinyan", group="off", page_size=20))
    assert with_belarus and ids(search(client, q="Pashinyan -Belarus", group="off", page_size=20)) == (
        everyone - with_belarus)
    assert ids(search(client, q="Pashinyan NOT Belarus", group="off", page_size=20)) == everyone - with_belarus


@pytest.mark.parametrize("query", [
    "a (c-d)", "x (chapman-enskog theory)", "?transverse", "*karabakh", "((csto", "csto)) armenia (",
    'EFFORTS OF ARMENIA AND RUSSIA NOT BELARUS', "three-point", "source_path:/etc/passwd", "article:x",
    "csto AND", "OR csto", "NOT", '"unclosed phrase', "csto -", "U.S.", "title:(bloc OR csto)",
])
def test_ordinary_text_answers(client, query):
    data = search(client, q=query, group="off", page_size=100)
    assert len(data["results"]) == min(data["total"], 100)


def test_capitals_are_words_not_operators(client):
    shouting = search(client, q="ARMENIA AND THE CSTO", group="off")
    quiet = search(client, q="armenia csto", group="off")
    assert shouting["total"] == quiet["total"] > 0


def test_only_documented_fields_are_searchable(client):
    assert search(client, q="source_path:ingest")["total"] == 0
    assert search(client, q="outlet:moscow", group="off")["total"] == 3


def test_parser_reads_the_rules():
    root = parse_query("Nagorno-Karabakh -Belarus +CSTO title:bloc karab*").root
    assert isinstance(root, Group)
    assert root.optional == (Phrase(("Nagorno", "Karabakh"), joined="Nagorno-Karabakh"), Word("bloc", "title"),
                             Prefix("karab"))
    assert root.required == (Word("CSTO"),) and root.excluded == (Word("Belarus"),)
    # Stop words are passed over in a plain search, but an acronym in capitals is kept.
    assert parse_query("what is the IT budget").root == Group(optional=(Word("IT"), Word("budget")))
    assert parse_query("the who").root == Group(optional=(Word("the"), Word("who")))


@pytest.fixture(scope="module")
def small_client(tmp_path_factory):
    """A few articles written for one rule each: acronyms, prefixes, partial matches, captions."""
    corpus = tmp_path_factory.mktemp("small")
    records = [
        {"id": "un", "url": "https://example.org/un", "title": "Council meets", "outlet": "Example",
         "date": "2024-01-02", "text": "The U.N. Security Council met on Monday about the ceasefire."},
        {"id": "every", "url": "https://example.org/every", "title": "Everyone agrees", "outlet": "Example",
         "date": "2024-01-03", "text": "Everything was said, and everyone left. Policymakers were absent."},
        {"id": "all", "url": "https://example.org/all", "title": "Grain exports", "outlet": "Example",
         "date": "2024-01-04", "text": "Ukraine grain exports through the Black Sea corridor resumed."},
        {"id": "two", "url": "https://example.org/two", "title": "Grain prices", "outlet": "Example",
         "date": "2024-01-05", "text": "Grain exports fell while prices rose across Europe and beyond."},
        {"id": "one", "url": "https://example.org/one", "title": "Ukraine talks", "outlet": "Example",
         "date": "2024-01-06",
         "text": "Ukraine and its partners talked about grain grain grain grain grain grain, corridor sea."},
    ]
    (corpus / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("small-index")
    Indexer(index_dir, progress=False).run([corpus], rebuild=True)
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


@pytest.mark.parametrize("query", ["U.N.", "UN", "u.n.", "U.N"])
def test_acronyms_meet_however_written(small_client, query):
    assert urls(search(small_client, q=query, group="off")) == {"https://example.org/un"}


def test_wildcards_expand_the_word_form_not_its_stem(small_client):
    assert urls(search(small_client, q="every*", group="off")) == {"https://example.org/every"}
    assert urls(search(small_client, q="policy*", group="off")) == {"https://example.org/every"}


def test_partial_matches_follow_full_ones_by_words_matched(small_client):
    data = search(small_client, q="ukraine grain exports corridor", group="off")
    order = [hit["url"].rsplit("/", 1)[1] for hit in data["results"]]
    # "all" has every word; "one" has three of four however often it repeats "grain"; "two" has two.
    assert order[:3] == ["all", "one", "two"]
    assert data["total_all_words"] == 1 and data["total"] == 3 and not data["relaxed"]
    assert data["results"][0]["missing"] == [] and data["results"][1]["missing"] == ["exports"]
    assert data["results"][2]["missing"] == ["ukraine", "corridor"]


def test_no_full_match_is_widened_and_said(small_client):
    data = search(small_client, q="ukraine ceasefire", group="off")
    assert data["relaxed"] and data["notice"] and data["total"] == 3 and data["total_all_words"] == 0


def test_explain_shows_each_clause_and_its_matches(small_client):
    data = search(small_client, q="grain -prices every* the", explain="1")
    explain = data["explain"]
    by_clause = {c["clause"]: c for c in explain["clauses"]}
    assert by_clause["grain"]["matches"] == 3 and by_clause["grain"]["role"] == "optional"
    assert by_clause["prices"]["role"] == "excluded" and by_clause["prices"]["matches"] == 1
    assert by_clause["every*"]["kind"] == "prefix"
    assert explain["ignored_words"] == ["the"]
    page = small_client.get("/?q=grain+-prices&explain=1").get_data(as_text=True)
    assert "How your query was read" in page


def test_caption_snippets_keep_captions_apart(tmp_path):
    (tmp_path / "src").mkdir()
    shutil.copy(PAGES / "two-figures.html", tmp_path / "src" / "page.html")
    Indexer(tmp_path / "index", progress=False).run([tmp_path / "src"], rebuild=True)
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    (hit,) = search(client, q="market sandbags")["results"]
    first, second = hit["caption_snippet"].split(CAPTION_SEPARATOR)
    assert first.startswith("Water covers the") and first.endswith("Lena Marsh / Valley Courier")
    assert second.startswith("Volunteers stack") and second.endswith("Reuters/Tom Birch")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(["csto", "armenia", "pashinyan", "belarus", "putin", "bloc", "karabakh",
                                    "moscow-led", '"prime minister"', "nagorno-karabakh", "kremlin", "zzz"]),
                   min_size=1, max_size=4),
    signs=st.lists(st.sampled_from(["", "", "-", "+", "NOT "]), min_size=4, max_size=4),
    outlet=st.sampled_from([None, "The Moscow Times", "Asbarez"]),
    year=st.sampled_from([None, "2023", "2022"]),
    group=st.sampled_from(["on", "off"]),
)
def test_total_facets_and_pages_agree(client, words, signs, outlet, year, group):
    query = " ".join(sign + word for sign, word in zip(signs, words, strict=False))
    params = {"q": query, "group": group, "page_size": 2}
    if outlet:
        params["outlet"] = outlet
    if year:
        params["year"] = year
    first = search(client, **params)
    seen = []
    for page in itertools.count(1):
        data = search(client, **params, page=page)
        seen += [hit["id"] for hit in data["results"]]
        if page >= data["page_count"]:
            break
    shown = first["total_groups"] if group == "on" else first["total"]
    assert len(seen) == len(set(seen)) == shown
    if not outlet:
        assert sum(v["count"] for v in first["facets"]["outlet"]) <= first["total"]
    if not year:
        assert sum(v["count"] for v in first["facets"]["year"]) <= first["total"]
    with_outlet = {v["value"]: v["count"] for v in first["facets"]["outlet"]}
    if outlet and first["total"]:
        assert with_outlet.get(outlet) == first["total"] or year


@pytest.mark.skipif(not (SHARED / "corpus" / "news-58k.jsonl.gz").exists(),
                    reason="../shared/corpus/news-58k.jsonl.gz is absent")
def test_covid_19_finds_what_the_phrase_finds(tmp_path):
    slice_path = tmp_path / "src" / "slice.jsonl"
    slice_path.parent.mkdir()
    kept = 0
    with gzip.open(SHARED / "corpus" / "news-58k.jsonl.gz", "rt", encoding="utf-8") as lines, \
            slice_path.open("w", encoding="utf-8") as out:
        for line in lines:
            if kept < 150 and re.search(r"covid", line, re.IGNORECASE) or kept < 40:
                out.write(line)
                kept += 1
            if kept >= 150:
                break
    Indexer(tmp_path / "index", progress=False).run([slice_path.parent], rebuild=True)
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    hyphen = search(client, q="covid-19", group="off", page_size=100)
    phrase = search(client, q='"covid 19"', group="off", page_size=100)
    assert hyphen["total"] == phrase["total"] > 0
    assert urls(hyphen) == urls(phrase)
