"""One name, many spellings: groups learned at index time, searched together, shown, and corrected."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cstosearch.cli import cli
from cstosearch.engines.opensearch.engine import OpenSearchEngine
from cstosearch.engines.opensearch.spellings import SpellingWeights, bm25_idf
from cstosearch.engines.whoosh.store import WhooshStore
from cstosearch.index import ArticleIndex
from cstosearch.names import grouping
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
from tests.conftest import ENGINES
from tests.names_corpus import TOPICS, names_articles, twin_articles, write_jsonl

LIBYA_ARTICLES = sum(TOPICS[s][0] for s in ("Gaddafi", "Qaddafi", "Gadhafi")) + 2  # and the two twins


@dataclass
class NamesIndex:
    """The names corpus indexed with one engine: the index folder (groups, statistics, run
    bookkeeping) and, over OpenSearch, the store holding the articles."""

    index_dir: Path
    engine_name: str
    store: object | None = None
    opensearch_url: str = ""

    def indexer(self) -> Indexer:
        return Indexer(self.index_dir, progress=False, store=self.store)

    def relearn(self) -> dict:
        return relearn(self.index_dir, store=self.store)

    def engine(self):
        if self.store is None:
            return WhooshSearchEngine(self.index_dir)
        return OpenSearchEngine(self.store.client, self.store.alias, self.index_dir)

    def app_config(self) -> dict:
        if self.store is None:
            return {"INDEX_DIR": str(self.index_dir), "TESTING": True}
        return {"ENGINE": "opensearch", "OPENSEARCH_URL": self.opensearch_url, "OPENSEARCH_INDEX": self.store.alias,
                "INDEX_DIR": str(self.index_dir), "TESTING": True}

    def cli_args(self, monkeypatch) -> list[str]:
        """The engine options of a CLI command (the alias goes by the environment, as in production)."""
        if self.store is None:
            return ["--index-dir", str(self.index_dir)]
        monkeypatch.setenv("CSTOSEARCH_OPENSEARCH_INDEX", self.store.alias)
        return ["--index-dir", str(self.index_dir), "--engine", "opensearch", "--opensearch-url", self.opensearch_url]


def names_index_for(request, engine_name: str, root: Path, name: str) -> NamesIndex:
    """The corpus in ``root / "sources"`` indexed into ``root / "index"`` (and an alias over OpenSearch)."""
    if engine_name == "opensearch":
        indexes = request.getfixturevalue("opensearch_indexes")
        index = NamesIndex(root / "index", engine_name, indexes.store(name), indexes.url)
    else:
        index = NamesIndex(root / "index", engine_name)
    index.indexer().run([root / "sources"], rebuild=True)
    return index


@pytest.fixture(scope="module", params=ENGINES)
def names_index(request, tmp_path_factory) -> NamesIndex:
    root = tmp_path_factory.mktemp(f"names-{request.param}")
    write_jsonl(root / "sources" / "news.jsonl", names_articles() + twin_articles(("Gaddafi", "Qaddafi")))
    return names_index_for(request, request.param, root, "names")


@pytest.fixture()
def index_copy(names_index, request, tmp_path) -> NamesIndex:
    """A copy to change (overrides, runs) without touching the shared index: the folder copied, and
    over OpenSearch the articles indexed again under an alias of its own."""
    copy = tmp_path / "data" / "index"
    shutil.copytree(names_index.index_dir.parent / "sources", tmp_path / "data" / "sources")
    if names_index.store is None:
        shutil.copytree(names_index.index_dir, copy)
        return NamesIndex(copy, "whoosh")
    return names_index_for(request, "opensearch", tmp_path / "data", request.node.name.lower()[5:35].strip("_-[]"))


def group_of(index_dir: Path, spelling: str) -> set[str]:
    for group in read_groups_file(index_dir)["groups"]:
        if spelling in group["spellings"]:
            return set(group["spellings"])
    return {spelling}


def search(index: NamesIndex, query: str, **options):
    engine = index.engine()
    try:
        return engine.search(SearchRequest(query, page_size=100, group_duplicates=False, **options))
    finally:
        if hasattr(engine, "close"):
            engine.close()


def test_transliteration_key_meets_romanisations():
    assert len({spelling_key(s) for s in ("Gaddafi", "Qaddafi", "Gadhafi", "Kadhafi", "Qadhafi")}) == 1
    assert len({spelling_key(s) for s in ("Zelensky", "Zelenskiy", "Zelenskyy")}) == 1
    assert spelling_key("al-Qaida") == spelling_key("Al Qaeda")
    assert spelling_key("Obama") != spelling_key("Osama")
    assert spelling_key("Iran") != spelling_key("Iraq")


def test_spellings_of_one_name_are_grouped_with_evidence(names_index):
    assert group_of(names_index.index_dir, "Qaddafi") == {"Gaddafi", "Qaddafi", "Gadhafi"}
    data = read_groups_file(names_index.index_dir)
    group = next(g for g in data["groups"] if "Qaddafi" in g["spellings"])
    assert group["counts"]["Qaddafi"] == TOPICS["Qaddafi"][0] + 1
    assert "Libya" in [word for shared in group["shared_context"].values() for word in shared]
    assert all(0.45 <= similarity <= 1 for similarity in group["similarity"].values())


def test_look_alike_names_stay_apart(names_index):
    assert group_of(names_index.index_dir, "Obama") == {"Obama"}
    assert group_of(names_index.index_dir, "Osama") == {"Osama"}
    # The same key, other contexts; and two provinces named side by side in the same articles.
    assert group_of(names_index.index_dir, "Georgia") == {"Georgia"}
    assert group_of(names_index.index_dir, "Shanxi") == {"Shanxi"}
    rejected = {tuple(sorted(r["spellings"])): r["reason"] for r in read_groups_file(names_index.index_dir)["rejected"]}
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
        assert len(scores) == 2 and _alike(names_index, scores.values()), (query, scores)
    # A plain OR weighs the rarer spelling more: what the grouping avoids.
    plain = {hit.url: hit.score for hit in search(names_index, "Gaddafi OR Qaddafi", variants=False).results
             if "/twins/" in hit.url}
    assert len(plain) == 2 and not _alike(names_index, plain.values())


def _alike(index: NamesIndex, scores) -> bool:
    """Equal scores; OpenSearch's boosts reach the group's idf up to float rounding."""
    low, high = min(scores), max(scores)
    return low == high if index.store is None else high - low <= 1e-4 * high


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


def test_opensearch_boosts_give_each_spelling_its_groups_idf():
    """Lucene multiplies a clause's idf by its boost: the boost makes it the group's idf."""
    weights = SpellingWeights({"body": 100}, {("body", "Gaddafi"): 4, ("body", "Qaddafi"): 8, ("body", "Libya"): 20},
                              {("body", "Gaddafi"): 12, ("body", "Qaddafi"): 12})
    group = bm25_idf(100, 12)
    assert weights.boost("body", "Gaddafi") * bm25_idf(100, 4) == pytest.approx(group)
    assert weights.boost("body", "Qaddafi") * bm25_idf(100, 8) == pytest.approx(group)
    assert weights.boost("body", "Libya") == 1.0 and weights.boost("title", "Gaddafi") == 1.0
    # A phrase's idf is the sum of its words': only the spelling's share changes.
    libya = bm25_idf(100, 20)
    phrase_idf = bm25_idf(100, 4) + libya
    assert weights.phrase_boost("body", ("Gaddafi", "Libya")) * phrase_idf == pytest.approx(group + libya)


def test_json_api_and_explain_show_the_spellings(names_index):
    client = create_app(names_index.app_config()).test_client()
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
    client = create_app(names_index.app_config()).test_client()
    html = client.get("/?q=Gaddafi").get_data(as_text=True)
    assert "Also matched: Qaddafi, Gadhafi." in html
    assert 'href="?q=Gaddafi&amp;variants=off"' in html
    assert "also matches Qaddafi, Gadhafi" in html  # the "How your query was read" panel
    exact = client.get("/?q=Gaddafi&variants=off").get_data(as_text=True)
    assert "Also matched" not in exact and "Only the spelling as typed." in exact
    assert 'href="?q=Gaddafi"' in exact


def test_overrides_merge_and_never_merge_survive_a_rebuild(index_copy):
    overrides = index_copy.index_dir.parent / "names-overrides.toml"
    overrides.write_text('merge = [["Georgia", "Giorgia"]]\nnever = [["Gaddafi", "Qaddafi"]]\n')
    index_copy.relearn()  # the default place: beside the index folder
    assert group_of(index_copy.index_dir, "Georgia") == {"Georgia", "Giorgia"}
    assert not {"Gaddafi", "Qaddafi"} <= group_of(index_copy.index_dir, "Qaddafi")
    assert search(index_copy, "Giorgia").total == TOPICS["Georgia"][0] + TOPICS["Giorgia"][0]
    index_copy.indexer().run([index_copy.index_dir.parent / "sources"], rebuild=True)
    assert group_of(index_copy.index_dir, "Georgia") == {"Georgia", "Giorgia"}
    assert not {"Gaddafi", "Qaddafi"} <= group_of(index_copy.index_dir, "Qaddafi")
    overrides.unlink()
    index_copy.relearn()
    assert group_of(index_copy.index_dir, "Georgia") == {"Georgia"}


def test_a_broken_overrides_file_stops_the_run_before_it_writes(index_copy):
    overrides = index_copy.index_dir.parent / "names-overrides.toml"
    overrides.write_text('never = [["Obama"]]\n')
    before = (index_copy.index_dir / GROUPS_FILE).read_bytes()
    with pytest.raises(BadOverrides):
        index_copy.indexer().run([index_copy.index_dir.parent / "sources"])
    assert (index_copy.index_dir / GROUPS_FILE).read_bytes() == before


def test_nightly_run_updates_the_groups(index_copy):
    inbox = index_copy.index_dir.parent / "sources"
    extra = [{**article, "id": f"k{n}", "url": f"https://example.org/kadhafi/{n}",
              "text": article["text"].replace("Qaddafi", "Kadhafi")}
             for n, article in enumerate([a for a in names_articles() if "Qaddafi" in a["title"]][:3])]
    write_jsonl(inbox / "night.jsonl", extra)
    report = index_copy.indexer().run([inbox])
    assert report.added == len(extra) and report.names["groups"] >= 1
    assert "Kadhafi" in group_of(index_copy.index_dir, "Qaddafi")
    # The run weighed only the keys of the names its articles touched, and found what weighing
    # every name finds.
    assert isinstance(report.names["keys_weighed"], int) and report.names["keys_weighed"] > 0
    nightly = sorted(sorted(g["spellings"]) for g in read_groups_file(index_copy.index_dir)["groups"])
    assert index_copy.relearn()["keys_weighed"] == "all"
    assert sorted(sorted(g["spellings"]) for g in read_groups_file(index_copy.index_dir)["groups"]) == nightly
    engine = index_copy.engine()  # a searcher opened before the groups changed sees the new ones
    assert engine.search(SearchRequest("Gaddafi", page_size=1)).total == LIBYA_ARTICLES + len(extra)
    (inbox / "night.jsonl").unlink()
    index_copy.indexer().run([inbox], prune=True)
    assert "Kadhafi" not in group_of(index_copy.index_dir, "Qaddafi")
    assert engine.search(SearchRequest("Gaddafi", page_size=1)).total == LIBYA_ARTICLES


def test_a_nightly_run_learns_every_name_again_when_the_rules_changed(index_copy, monkeypatch):
    inbox = index_copy.index_dir.parent / "sources"
    article = next(a for a in names_articles() if "Qaddafi" in a["title"])
    write_jsonl(inbox / "night.jsonl", [{**article, "id": "late", "url": "https://example.org/late"}])
    monkeypatch.setattr(grouping, "LEARNING_REVISION", grouping.LEARNING_REVISION + 1)
    report = index_copy.indexer().run([inbox])
    assert report.names["keys_weighed"] == "all"
    write_jsonl(inbox / "night2.jsonl", [{**article, "id": "later", "url": "https://example.org/later"}])
    assert index_copy.indexer().run([inbox]).names["keys_weighed"] != "all"


def test_an_index_without_statistics_is_read_once(index_copy):
    (index_copy.index_dir / STATS_FILE).unlink()
    summary = index_copy.relearn()
    assert summary["read_from_index"] is True
    assert group_of(index_copy.index_dir, "Qaddafi") == {"Gaddafi", "Qaddafi", "Gadhafi"}
    assert index_copy.relearn()["read_from_index"] is False


def test_cli_lists_groups_with_evidence(names_index):
    result = CliRunner().invoke(cli, ["names", "--index-dir", str(names_index.index_dir)])
    assert result.exit_code == 0, result.output
    assert "Qaddafi: Qaddafi 8, Gaddafi 4, Gadhafi 4" in result.output
    assert "shared context: " in result.output and "similarity" in result.output
    rejected = CliRunner().invoke(cli, ["names", "--index-dir", str(names_index.index_dir), "--rejected"])
    assert "Georgia / Giorgia: different contexts" in rejected.output
    as_json = json.loads(CliRunner().invoke(cli, ["names", "--index-dir", str(names_index.index_dir),
                                                  "--json"]).output)
    assert as_json["articles"] == LIBYA_ARTICLES + sum(
        count for name, (count, _, _) in TOPICS.items() if name not in ("Gaddafi", "Qaddafi", "Gadhafi")) + 6 + 100


def test_cli_search_says_what_it_also_matched(names_index, monkeypatch):
    options = names_index.cli_args(monkeypatch)
    found = CliRunner().invoke(cli, ["search", "Gaddafi", *options, "--page-size", "1"])
    assert found.output.startswith(f"{LIBYA_ARTICLES} articles\nalso matched for Gaddafi: Qaddafi, Gadhafi")
    exact = CliRunner().invoke(cli, ["search", "Gaddafi", *options, "--exact"])
    assert exact.output.startswith(f"{TOPICS['Gaddafi'][0] + 1} articles\n") and "also matched" not in exact.output


def test_cli_learns_again_over_either_engine(index_copy, monkeypatch):
    overrides = index_copy.index_dir.parent / "names-overrides.toml"
    overrides.write_text('merge = [["Georgia", "Giorgia"]]\n')
    result = CliRunner().invoke(cli, ["names", "--learn", *index_copy.cli_args(monkeypatch)])
    assert result.exit_code == 0, result.output
    assert "learned 2 groups from" in result.output
    assert group_of(index_copy.index_dir, "Georgia") == {"Georgia", "Giorgia"}


@pytest.mark.opensearch
def test_both_stores_give_learning_the_same_figures(request, tmp_path):
    """The same articles in the Whoosh index and in the cluster: the same live ids, word counts,
    stored articles, and so the same groups and rejections."""
    sources = tmp_path / "sources" / "news.jsonl"
    articles = names_articles() + twin_articles(("Gaddafi", "Qaddafi"))
    write_jsonl(sources, articles)
    whoosh = names_index_for(request, "whoosh", tmp_path, "")
    shutil.copytree(tmp_path / "sources", tmp_path / "cluster" / "sources")
    cluster = names_index_for(request, "opensearch", tmp_path / "cluster", "same-figures")
    learned = [read_groups_file(index.index_dir) for index in (whoosh, cluster)]
    assert learned[0]["groups"] and learned[0]["groups"] == learned[1]["groups"]
    assert learned[0]["rejected"] == learned[1]["rejected"]
    # Counts stop one past their bound over the cluster; Whoosh may count further.
    bounds = {"said": 5, "Libya": 100, "Gaddafi": 2, "libya": 100, "Nowhere": 3}
    with WhooshStore(ArticleIndex(whoosh.index_dir)).name_corpus() as local, cluster.store.name_corpus() as remote:
        assert local.live_ids() == remote.live_ids()
        local_counts, remote_counts = local.any_case_counts(bounds), remote.any_case_counts(bounds)
        assert {w: min(n, bounds[w] + 1) for w, n in local_counts.items()} == remote_counts
        with_libya = sum("libya" in (a["title"] + " " + a["text"]).lower() for a in articles)
        assert remote_counts == {"said": 6, "Libya": with_libya, "Gaddafi": 3, "libya": with_libya, "Nowhere": 0}
        assert dict(local.stored_articles()) == dict(remote.stored_articles())
