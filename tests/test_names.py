"""One name, many spellings: groups learned at index time, searched together, shown, and corrected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cstosearch.cli import cli
from cstosearch.names.expand import expand_names
from cstosearch.names.learning import relearn
from cstosearch.names.overrides import BadOverrides
from cstosearch.names.spelling import spelling_key
from cstosearch.names.stats import STATS_FILE
from cstosearch.names.storage import GROUPS_FILE, NameVariants, read_groups_file
from cstosearch.query import SearchRequest
from cstosearch.query_parser import parse_query
from cstosearch.query_tree import Group, Phrase, Spellings, Word
from cstosearch.reindex import Indexer
from cstosearch.search import WhooshSearchEngine
from cstosearch.web import create_app
from tests.names_corpus import TOPICS, names_articles, twin_articles, write_jsonl

LIBYA_ARTICLES = sum(TOPICS[s][0] for s in ("Gaddafi", "Qaddafi", "Gadhafi")) + 2  # and the two twins


@pytest.fixture(scope="module")
def names_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("names")
    write_jsonl(root / "sources" / "news.jsonl", names_articles() + twin_articles(("Gaddafi", "Qaddafi")))
    Indexer(root / "index", progress=False).run([root / "sources"], rebuild=True)
    return root / "index"


@pytest.fixture()
def index_copy(names_index, tmp_path) -> Path:
    """A copy to change (overrides, runs) without touching the shared index."""
    copy = tmp_path / "data" / "index"
    shutil.copytree(names_index, copy)
    shutil.copytree(names_index.parent / "sources", tmp_path / "data" / "sources")
    return copy


def group_of(index_dir: Path, spelling: str) -> set[str]:
    for group in read_groups_file(index_dir)["groups"]:
        if spelling in group["spellings"]:
            return set(group["spellings"])
    return {spelling}


def search(index_dir: Path, query: str, **options):
    engine = WhooshSearchEngine(index_dir)
    try:
        return engine.search(SearchRequest(query, page_size=100, group_duplicates=False, **options))
    finally:
        engine.close()


def test_transliteration_key_meets_romanisations():
    assert len({spelling_key(s) for s in ("Gaddafi", "Qaddafi", "Gadhafi", "Kadhafi", "Qadhafi")}) == 1
    assert len({spelling_key(s) for s in ("Zelensky", "Zelenskiy", "Zelenskyy")}) == 1
    assert spelling_key("al-Qaida") == spelling_key("Al Qaeda")
    assert spelling_key("Obama") != spelling_key("Osama")
    assert spelling_key("Iran") != spelling_key("Iraq")


def test_spellings_of_one_name_are_grouped_with_evidence(names_index):
    assert group_of(names_index, "Qaddafi") == {"Gaddafi", "Qaddafi", "Gadhafi"}
    data = read_groups_file(names_index)
    group = next(g for g in data["groups"] if "Qaddafi" in g["spellings"])
    assert group["counts"]["Qaddafi"] == TOPICS["Qaddafi"][0] + 1
    assert "Libya" in [word for shared in group["shared_context"].values() for word in shared]
    assert all(0.45 <= similarity <= 1 for similarity in group["similarity"].values())


def test_look_alike_names_stay_apart(names_index):
    assert group_of(names_index, "Obama") == {"Obama"}
    assert group_of(names_index, "Osama") == {"Osama"}
    # The same key, other contexts; and two provinces named side by side in the same articles.
    assert group_of(names_index, "Georgia") == {"Georgia"}
    assert group_of(names_index, "Shanxi") == {"Shanxi"}
    rejected = {tuple(sorted(r["spellings"])): r["reason"] for r in read_groups_file(names_index)["rejected"]}
    assert rejected[("Georgia", "Giorgia")] == "different contexts"
    assert rejected[("Shaanxi", "Shanxi")] == "often in the same articles"


def test_search_finds_every_spelling_and_says_which(names_index):
    page = search(names_index, "Gaddafi")
    assert page.total == LIBYA_ARTICLES
    assert [(v.word, set(v.also)) for v in page.variants] == [("Gaddafi", {"Qaddafi", "Gadhafi"})]
    exact = search(names_index, "Gaddafi", variants=False)
    assert exact.total == TOPICS["Gaddafi"][0] + 1
    assert exact.variants == [] and exact.exact


def test_spellings_rank_as_equals(names_index):
    """Two articles alike but for the spelling score the same, whichever spelling is searched."""
    for query in ("Gaddafi", "Qaddafi", "Gaddafi Libya"):
        scores = {hit.url: hit.score for hit in search(names_index, query).results if "/twins/" in hit.url}
        assert len(scores) == 2 and len(set(scores.values())) == 1, (query, scores)
    # A plain OR weighs the rarer spelling more: what the grouping avoids.
    plain = {hit.url: hit.score for hit in search(names_index, "Gaddafi OR Qaddafi", variants=False).results
             if "/twins/" in hit.url}
    assert len(set(plain.values())) == 2


def test_phrases_and_fields_expand_too(names_index):
    assert search(names_index, '"Muammar Gaddafi"').total == LIBYA_ARTICLES - 2
    assert search(names_index, '"Muammar Gaddafi"', variants=False).total == TOPICS["Gaddafi"][0]
    assert search(names_index, "title:Gaddafi").total == LIBYA_ARTICLES - 2
    assert search(names_index, "Libya -Qaddafi").total == 0


def test_expansion_is_a_function_over_the_query_tree():
    variants = NameVariants([["Gaddafi", "Qaddafi"], ["Kiev", "Kyiv"]])
    parsed, notes = expand_names(parse_query('title:Gaddafi "in Kiev" Libya'), variants)
    title, phrase, libya = parsed.root.optional
    assert title == Spellings((Word("Gaddafi", "title"), Word("Qaddafi", "title")))
    assert phrase == Spellings((Phrase(("in", "Kiev")), Phrase(("in", "Kyiv"))))
    assert libya == Word("Libya")
    assert [(n.word, n.also) for n in notes] == [("Gaddafi", ["Qaddafi"]), ("Kiev", ["Kyiv"])]
    assert parsed.root.describe() == 'title:Gaddafi (also Qaddafi) "in Kiev" (also "in Kyiv") Libya'
    unchanged = parse_query("Libya")
    assert expand_names(unchanged, variants) == (unchanged, [])
    excluded, _ = expand_names(parse_query("Libya -Gaddafi"), variants)
    assert isinstance(excluded.root, Group) and isinstance(excluded.root.excluded[0], Spellings)


def test_json_api_and_explain_show_the_spellings(names_index):
    client = create_app({"INDEX_DIR": str(names_index), "TESTING": True}).test_client()
    data = client.get("/api/search?q=Gaddafi&explain=1").get_json()
    assert data["variants"] == [{"word": "Gaddafi", "also": ["Qaddafi", "Gadhafi"]}]
    assert data["exact"] is False
    assert data["explain"]["reading"] == "Gaddafi (also Qaddafi, Gadhafi)"
    assert data["explain"]["clauses"][0]["kind"] == "spellings"
    assert data["explain"]["variants"] == data["variants"]
    exact = client.get("/api/search?q=Gaddafi&variants=off&explain=1").get_json()
    assert exact["variants"] == [] and exact["exact"] is True
    assert exact["explain"]["reading"] == "Gaddafi"
    assert exact["total"] < data["total"]
    spec = client.get("/api/openapi.json").get_json()
    assert "variants" in {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}


def test_html_says_also_matched_with_a_link_to_the_exact_spelling(names_index):
    client = create_app({"INDEX_DIR": str(names_index), "TESTING": True}).test_client()
    html = client.get("/?q=Gaddafi").get_data(as_text=True)
    assert "Also matched: Qaddafi, Gadhafi." in html
    assert 'href="?q=Gaddafi&amp;variants=off"' in html
    assert "also matches Qaddafi, Gadhafi" in html  # the "How your query was read" panel
    exact = client.get("/?q=Gaddafi&variants=off").get_data(as_text=True)
    assert "Also matched" not in exact and "Only the spelling as typed." in exact
    assert 'href="?q=Gaddafi"' in exact


def test_overrides_merge_and_never_merge_survive_a_rebuild(index_copy):
    overrides = index_copy.parent / "names-overrides.toml"
    overrides.write_text('merge = [["Georgia", "Giorgia"]]\nnever = [["Gaddafi", "Qaddafi"]]\n')
    relearn(index_copy)  # the default place: beside the index folder
    assert group_of(index_copy, "Georgia") == {"Georgia", "Giorgia"}
    assert not {"Gaddafi", "Qaddafi"} <= group_of(index_copy, "Qaddafi")
    assert search(index_copy, "Giorgia").total == TOPICS["Georgia"][0] + TOPICS["Giorgia"][0]
    Indexer(index_copy, progress=False).run([index_copy.parent / "sources"], rebuild=True)
    assert group_of(index_copy, "Georgia") == {"Georgia", "Giorgia"}
    assert not {"Gaddafi", "Qaddafi"} <= group_of(index_copy, "Qaddafi")
    overrides.unlink()
    relearn(index_copy)
    assert group_of(index_copy, "Georgia") == {"Georgia"}


def test_a_broken_overrides_file_stops_the_run_before_it_writes(index_copy):
    overrides = index_copy.parent / "names-overrides.toml"
    overrides.write_text('never = [["Obama"]]\n')
    before = (index_copy / GROUPS_FILE).read_bytes()
    with pytest.raises(BadOverrides):
        Indexer(index_copy, progress=False).run([index_copy.parent / "sources"])
    assert (index_copy / GROUPS_FILE).read_bytes() == before


def test_nightly_run_updates_the_groups(index_copy):
    inbox = index_copy.parent / "sources"
    extra = [{**article, "id": f"k{n}", "url": f"https://example.org/kadhafi/{n}",
              "text": article["text"].replace("Qaddafi", "Kadhafi")}
             for n, article in enumerate([a for a in names_articles() if "Qaddafi" in a["title"]][:3])]
    write_jsonl(inbox / "night.jsonl", extra)
    report = Indexer(index_copy, progress=False).run([inbox])
    assert report.added == len(extra) and report.names["groups"] >= 1
    assert "Kadhafi" in group_of(index_copy, "Qaddafi")
    engine = WhooshSearchEngine(index_copy)  # a searcher opened before the groups changed sees the new ones
    assert engine.search(SearchRequest("Gaddafi", page_size=1)).total == LIBYA_ARTICLES + len(extra)
    (inbox / "night.jsonl").unlink()
    Indexer(index_copy, progress=False).run([inbox], prune=True)
    assert "Kadhafi" not in group_of(index_copy, "Qaddafi")
    assert engine.search(SearchRequest("Gaddafi", page_size=1)).total == LIBYA_ARTICLES


def test_an_index_without_statistics_is_read_once(index_copy):
    (index_copy / STATS_FILE).unlink()
    summary = relearn(index_copy)
    assert summary["read_from_index"] is True
    assert group_of(index_copy, "Qaddafi") == {"Gaddafi", "Qaddafi", "Gadhafi"}
    assert relearn(index_copy)["read_from_index"] is False


def test_cli_lists_groups_with_evidence(names_index):
    result = CliRunner().invoke(cli, ["names", "--index-dir", str(names_index)])
    assert result.exit_code == 0, result.output
    assert "Qaddafi: Qaddafi 8, Gaddafi 4, Gadhafi 4" in result.output
    assert "shared context: " in result.output and "similarity" in result.output
    rejected = CliRunner().invoke(cli, ["names", "--index-dir", str(names_index), "--rejected"])
    assert "Georgia / Giorgia: different contexts" in rejected.output
    as_json = json.loads(CliRunner().invoke(cli, ["names", "--index-dir", str(names_index), "--json"]).output)
    assert as_json["articles"] == LIBYA_ARTICLES + sum(
        count for name, (count, _, _) in TOPICS.items() if name not in ("Gaddafi", "Qaddafi", "Gadhafi")) + 6 + 100


def test_cli_search_says_what_it_also_matched(names_index):
    found = CliRunner().invoke(cli, ["search", "Gaddafi", "--index-dir", str(names_index), "--page-size", "1"])
    assert found.output.startswith(f"{LIBYA_ARTICLES} articles\nalso matched for Gaddafi: Qaddafi, Gadhafi")
    exact = CliRunner().invoke(cli, ["search", "Gaddafi", "--index-dir", str(names_index), "--exact"])
    assert exact.output.startswith(f"{TOPICS['Gaddafi'][0] + 1} articles\n") and "also matched" not in exact.output
