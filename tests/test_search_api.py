"""The JSON API and HTML page over a real index of the sample corpus, with each engine."""

from __future__ import annotations

import pytest

from cstosearch.article import Article
from cstosearch.reindex import Indexer
from cstosearch.web import create_app
from tests.conftest import ENGINES, app_for_engine


@pytest.fixture(scope="module", params=ENGINES)
def app(request, sample_index_dir):
    return app_for_engine(request, sample_index_dir)


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_pashinyan_finds_all_five(client):
    data = search(client, q="Pashinyan", group="off")
    assert data["total"] == 5
    assert len(data["results"]) == 5
    assert set(data) >= {"query", "total", "page", "page_size", "results", "facets"}
    hit = data["results"][0]
    assert set(hit) >= {"id", "url", "title", "outlet", "author", "published", "snippet", "score"}
    assert "<mark" in hit["snippet"]


def test_rewrite_is_folded_into_its_story(client):
    data = search(client, q="Pashinyan")
    assert data["total"] == 5 and data["total_groups"] == 4 and data["grouped"] is True
    assert len(data["results"]) == 4
    (story,) = [r for r in data["results"] if r["group_size"] == 2]
    members = search(client, q="Pashinyan", story=story["group_id"])
    assert members["total"] == 2
    titles = sorted(r["title"] for r in members["results"])
    assert titles[0] == "Armenia Might Quit Russia-Led Military Bloc – PM"
    assert titles[1].startswith("In a further display of resentment")


def test_author_facet_and_filter(client):
    data = search(client, q="CSTO", group="off")
    authors = {f["value"]: f["count"] for f in data["facets"]["author"]}
    assert authors == {"AFP": 2, "Adam Morrow": 1, "Pyotr Kozlov": 1}
    assert search(client, q="CSTO", author="AFP", group="off")["total"] == 2


def test_did_you_mean_for_the_other_spelling(client):
    data = search(client, q="Pashinin")
    assert data["total"] == 1
    assert data["did_you_mean"] == "Pashinyan"
    assert search(client, q="Pashinyan")["did_you_mean"] == ""


def test_outlet_facet_counts(client):
    data = search(client, q="Pashinyan")
    outlets = {f["value"]: f["count"] for f in data["facets"]["outlet"]}
    assert outlets == {"The Moscow Times": 3}
    years = {f["value"]: f["count"] for f in data["facets"]["year"]}
    assert years == {"2023": 1, "2024": 1}
    assert {f["value"] for f in data["facets"]["month"]} == {"2023-05", "2024-02"}


def test_outlet_filter_and_date_range(client):
    data = search(client, q="Pashinyan", outlet="The Moscow Times")
    assert data["total"] == 3
    assert all(r["outlet"] == "The Moscow Times" for r in data["results"])
    # The outlet facet still offers its counts under its own filter, so it can widen again.
    assert data["facets"]["outlet"][0]["count"] == 3
    data = search(client, q="Pashinyan", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert [r["published"] for r in data["results"]] == ["2024-02-23"]


def test_exact_phrase_across_page_break(client):
    data = search(client, q='"Yerevan and Moscow lasts"')
    assert data["total"] == 1
    assert data["results"][0]["author"] == "Pyotr Kozlov"
    assert search(client, q='"Yerevan Moscow lasts"')["total"] == 0


def test_caption_only_word_is_found(client):
    data = search(client, q="Mishustin")
    assert data["total"] == 1
    hit = data["results"][0]
    assert hit["author"] == "Adam Morrow"
    assert "<mark" in hit["caption_snippet"]
    assert search(client, q="caption:Mishustin")["total"] == 1
    assert search(client, q="title:Mishustin")["total"] == 0


def test_footer_text_is_not_indexed(client):
    assert search(client, q='"Original url"')["total"] == 0
    assert search(client, q='"Related article"')["total"] == 0


def test_operators(client):
    all_cst = search(client, q="CSTO")["total"]
    assert all_cst == 5
    assert search(client, q="CSTO -Mishustin")["total"] == 4
    assert search(client, q="CSTO NOT Mishustin")["total"] == 4
    assert search(client, q="Mishustin OR Kozlov")["total"] == 2
    assert search(client, q="author:Morrow")["total"] == 1
    assert search(client, q="outlet:moscow")["total"] == 3


def test_long_query_is_widened_not_empty(client):
    data = search(client, q="Pashinyan Zainetdinov Mishustin")
    assert data["total"] > 0 and data["relaxed"] is True and data["notice"]


def test_sort_by_date_and_pagination(client):
    data = search(client, q="CSTO", sort="date", page_size=2, group="off")
    assert [r["published"] for r in data["results"]] == ["2024-02-23", "2023-05-22"]
    assert all(r["score"] is None for r in data["results"])
    page3 = search(client, q="CSTO", sort="date", page_size=2, page=3, group="off")
    assert len(page3["results"]) == 1 and page3["page"] == 3


@pytest.mark.parametrize("params", [
    {"q": '"unbalanced quotes'},
    {"q": "x" * 10_000},
    {"q": "*"},
    {"q": "a*"},
    {"q": "((((("},
    {"q": ")))"},
    {"q": "title:"},
    {"q": "NOT"},
    {"q": "OR OR AND"},
    {"q": "date:[2020 TO 2021]"},
    {"q": "\x00\ufffd"},
    {"q": "Pashinyan", "page": "0"},
    {"q": "Pashinyan", "page": "abc"},
    {"q": "Pashinyan", "page_size": "100000"},
    {"q": "Pashinyan", "page": "99999999"},
    {"q": "Pashinyan", "from": "2024-13-45"},
    {"q": "Pashinyan", "sort": "random"},
])
def test_hostile_queries_never_500(client, params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code in (200, 400), response.data[:300]
    body = response.get_json()
    if response.status_code == 400:
        assert body["error"] == "bad_query" and body["message"]
    else:
        assert isinstance(body["total"], int)


def test_too_long_query_message(client):
    response = client.get("/api/search", query_string={"q": "x" * 10_000})
    assert response.status_code == 400
    assert "too long" in response.get_json()["message"]
    # A stray * is punctuation, not an error: it searches nothing in particular, so every article.
    assert search(client, q="*")["total"] == 5
    too_loose = client.get("/api/search", query_string={"q": '"yerevan moscow"~500'})
    assert too_loose.status_code == 400 and "at most" in too_loose.get_json()["message"]


def test_article_endpoint(client):
    hit = search(client, q="Zainetdinov")["results"][0]
    article = client.get(f"/api/articles/{hit['id']}").get_json()
    assert article["authors"] == ["Pyotr Kozlov"]
    assert article["captions"][0]["credit"] == "Alexander Patrin / TASS"
    assert client.get("/api/articles/nope").status_code == 404


@pytest.mark.parametrize("engine", ENGINES)
def test_script_in_article_is_escaped(tmp_path, engine, request):
    hostile = Article(
        paragraphs=["Officials said <script>alert('x')</script> the Pashinyan statement was <b>bold</b>."],
        title="<img src=x onerror=alert(1)> Pashinyan", source_path="hostile.txt")
    config = {"INDEX_DIR": str(tmp_path), "TESTING": True}
    store = None
    if engine == "opensearch":
        indexes = request.getfixturevalue("opensearch_indexes")
        store = indexes.store("hostile")
        config = indexes.app_config(store, tmp_path)
    Indexer(tmp_path, progress=False, store=store).index_articles([hostile], rebuild=True)
    client = create_app(config).test_client()
    hit = client.get("/api/search?q=Pashinyan").get_json()["results"][0]
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert "<mark" in hit["snippet"]
    page = client.get("/?q=Pashinyan").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_html_page_states(client):
    empty = client.get("/")
    assert empty.status_code == 200 and "Search the news archive" in empty.get_data(as_text=True)
    none = client.get("/?q=zzzqqq").get_data(as_text=True)
    assert "No articles found" in none
    page = client.get("/?q=CSTO").get_data(as_text=True)
    assert "The Moscow Times" in page and "<mark" in page
    assert 'href="?q=CSTO&amp;outlet=The+Moscow+Times"' in page
    filtered = client.get("/?q=CSTO&outlet=The+Moscow+Times").get_data(as_text=True)
    assert '<strong class="total">3</strong>' in filtered
    bad = client.get('/?q="yerevan moscow"~500')
    assert bad.status_code == 400 and "at most" in bad.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/?q=CSTO")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_article_page(client):
    hit = search(client, q="Mishustin")["results"][0]
    page = client.get(f"/article/{hit['id']}").get_data(as_text=True)
    assert "Adam Morrow" in page and "<figcaption>" in page and "Stringer/Reuters" in page
