"""The analyst's page and the API around it: chart, story links, CSV export, error answers."""

from __future__ import annotations

import csv
import io

import pytest

from cstosearch.article import Article
from cstosearch.query import SearchRequest
from cstosearch.reindex import Indexer
from cstosearch.web import create_app
from cstosearch.web.chart import month_chart, months_between
from cstosearch.web.export import safe_cell


def text(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    return response.get_data(as_text=True)


def test_results_page_has_chart_facets_and_exports(client):
    page = text(client, "/?q=CSTO")
    assert 'id="volume-chart"' in page and 'class="chart mode-count"' in page
    assert 'data-month="2023-05"' in page and 'data-month="2024-02"' in page
    assert 'data-facet="author"' in page and 'data-value="AFP"' in page
    assert 'href="/api/search?q=CSTO"' in page and 'href="/api/search.csv?q=CSTO"' in page
    assert 'rel="alternate" type="application/json"' in page
    assert 'href="#results"' in page  # skip link
    shared = text(client, "/?q=CSTO&chart=share")
    assert 'class="chart mode-share"' in shared
    assert 'href="?q=CSTO&amp;chart=share&amp;outlet=The+Moscow+Times"' in shared


def test_filter_chips_and_dates_keep_the_other_filters(client):
    page = text(client, "/?q=CSTO&author=AFP&from=2023-01-01")
    assert 'aria-label="Remove filter Author: AFP"' in page
    assert 'href="?q=CSTO&amp;from=2023-01-01"' in page  # removing the author chip
    assert '<input type="hidden" name="author" value="AFP">' in page
    assert "Clear all filters" in page


def test_story_link_lists_the_folded_articles(client):
    page = text(client, "/?q=Pashinyan")
    assert "Also in 1 other article" in page
    data = client.get("/api/search?q=Pashinyan").get_json()
    (story,) = [r for r in data["results"] if r["group_size"] == 2]
    assert f"story={story['group_id']}&amp;group=off" in page
    members = text(client, f"/?q=Pashinyan&story={story['group_id']}&group=off")
    assert "Showing every article of one story" in members
    assert '<strong class="total">2</strong>' in members


def test_did_you_mean_link(client):
    page = text(client, "/?q=Pashinin")
    assert 'Did you mean <a href="?q=Pashinyan">Pashinyan</a>?' in page


def test_article_page_and_json_have_the_related_articles(client):
    data = client.get("/api/search?q=Pashinyan").get_json()
    (story,) = [r for r in data["results"] if r["group_size"] == 2]
    article = client.get(f"/api/articles/{story['id']}").get_json()
    assert len(article["related"]) == 1 and article["related"][0]["group_id"] == story["group_id"]
    page = text(client, f"/article/{story['id']}")
    assert "Same story in other articles" in page
    assert f'/article/{article["related"][0]["id"]}' in page
    assert f'href="/api/articles/{story["id"]}"' in page


def test_csv_export_same_params_and_bounds(client):
    response = client.get("/api/search.csv?q=CSTO&group=off&sort=date")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 5 and rows[0]["published"] == "2024-02-23"
    assert "<mark" not in rows[0]["snippet"] and "CSTO" in rows[0]["snippet"]
    same = client.get("/api/search?q=CSTO&group=off&sort=date&format=csv")
    assert same.get_data() == response.get_data()
    too_big = client.get("/api/search.csv?q=CSTO&page_size=1000")
    assert too_big.status_code == 400 and too_big.get_json()["error"] == "bad_query"
    assert client.get("/api/search?q=CSTO&format=xml").status_code == 400


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("plain", "plain"), (None, ""), (3, "3"), (True, "true"),
])
def test_csv_cells_cannot_be_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_export_of_hostile_titles(tmp_path):
    hostile = Article(paragraphs=["The Pashinyan statement."], title="=cmd|' /C calc'!A0",
                      authors=["@evil"], outlet_name="+Outlet", source_path="x.txt")
    Indexer(tmp_path, progress=False).index_articles([hostile], rebuild=True)
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client()
    (row,) = csv.DictReader(io.StringIO(client.get("/api/search.csv?q=Pashinyan").get_data(as_text=True)))
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["author"] == "'@evil" and row["outlet"] == "'+Outlet"


def test_only_web_links_become_hrefs(tmp_path):
    article = Article(paragraphs=["Pashinyan spoke."], title="T", url="javascript:alert(1)", source_path="x.txt")
    Indexer(tmp_path, progress=False).index_articles([article], rebuild=True)
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client()
    page = text(client, f"/article/{article.article_id}")
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page


def test_api_errors_are_json(client):
    for url in ("/api/nope", "/api/articles/nope", "/api/articles/a/b"):
        response = client.get(url)
        assert response.status_code == 404 and response.is_json, url
        assert response.get_json()["error"] == "not_found" or response.get_json()["error"]
    response = client.post("/api/search")
    assert response.status_code == 405 and response.is_json
    assert "GET" in response.headers["Allow"]
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.content_type
    assert client.get("/article/nope").status_code == 404


def test_unexpected_errors_leak_nothing(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/index")

    monkeypatch.setattr("cstosearch.web.api.engine", broken)
    monkeypatch.setattr("cstosearch.web.pages.engine", broken)
    client = app.test_client()
    response = client.get("/api/search?q=CSTO")
    assert response.status_code == 500 and response.is_json
    body = response.get_data(as_text=True)
    assert "secret" not in body and "Traceback" not in body and response.get_json()["error"]
    page = client.get("/?q=CSTO")
    assert page.status_code == 500 and "secret" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "DENY"


def test_month_chart_fills_gaps_and_marks_the_date_filter():
    assert months_between("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    chart = month_chart({"2023-11": 4, "2024-02": 1}, {"2023-11": 8, "2024-02": 1, "2023-12": 5},
                        SearchRequest(date_from="2024-01-15"))
    assert [b.month for b in chart.bars] == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert [b.count for b in chart.bars] == [4, 0, 0, 1]
    assert [b.selected for b in chart.bars] == [False, False, True, True]
    assert chart.bars[0].share == 0.5 and chart.bars[3].share == 1.0
    assert chart.bars[0].count_h == 100 and chart.bars[3].share_h == 100
    assert month_chart({}, {}) is None


def test_a_worker_loads_columns_and_lengths_before_its_first_request(sample_index_dir, tmp_path):
    from cstosearch.web import warm_engine

    app = create_app({"INDEX_DIR": str(sample_index_dir), "TESTING": True})
    warm_engine(app)
    generation = app.extensions["cstosearch.engine"].inner._current()
    assert {"group_id", "outlet_facet", "published"} <= set(generation.columns)
    assert generation.lengths.of("body").max() > 0
    # Without an index the worker still starts; requests report the missing index.
    empty = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True})
    warm_engine(empty)
    answer = empty.test_client().get("/api/search?q=Armenia")
    assert answer.status_code == 503 and answer.is_json
