"""Whoosh and OpenSearch answer the same searches over the sample corpus with the same matches and counts.

Scores differ (BM25F over one index against BM25 per shard), so orders are compared only where
they are fixed: by word-count tier and by date.
"""

from __future__ import annotations

import re

import pytest

from cstosearch.web import create_app

QUERIES = [
    {"q": "Pashinyan"}, {"q": "CSTO"}, {"q": "csto armenia"}, {"q": "Pashinyan Zainetdinov Mishustin"},
    {"q": '"Yerevan and Moscow lasts"'}, {"q": '"Yerevan Moscow lasts"'}, {"q": "Mishustin OR Kozlov"},
    {"q": "CSTO -Mishustin"}, {"q": "CSTO NOT Mishustin"}, {"q": "+CSTO +Aliyev"}, {"q": "title:bloc"},
    {"q": "author:morrow"}, {"q": "outlet:moscow"}, {"q": "caption:Mishustin"}, {"q": "karab*"},
    {"q": "Nagorno-Karabakh"}, {"q": "U.S."}, {"q": "(Putin OR Aliyev) security"}, {"q": "armenian's"},
    {"q": "zzzqqq"}, {"q": ""}, {"q": "CSTO", "outlet": "The Moscow Times"}, {"q": "CSTO", "author": "AFP"},
    {"q": "CSTO", "year": "2024"}, {"q": "Pashinyan", "from": "2024-01-01", "to": "2024-12-31"},
    {"q": "CSTO", "month": "2023-05"}, {"q": "", "outlet": "The Moscow Times", "year": "2023"},
]
MARK = re.compile(r'<mark class="match term\d">[^<]+</mark>')


@pytest.fixture(scope="module")
def clients(sample_index_dir, opensearch_sample_config):
    whoosh = create_app({"INDEX_DIR": str(sample_index_dir), "TESTING": True}).test_client()
    opensearch = create_app(opensearch_sample_config).test_client()
    return whoosh, opensearch


def _answer(client, params: dict) -> dict:
    response = client.get("/api/search", query_string={**params, "page_size": 100})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def _tiers(data: dict, key: str) -> list[set[str]]:
    """Result ids (or story ids) with every word, then the others: the first must all come first."""
    complete = [not hit.get("missing") for hit in data["results"]]
    assert complete == sorted(complete, reverse=True)
    return [{h[key] for h, whole in zip(data["results"], complete, strict=True) if whole is tier}
            for tier in (True, False)]


@pytest.mark.opensearch
@pytest.mark.parametrize("group", ["on", "off"])
@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "empty")
def test_same_matches_counts_and_facets(clients, params, group):
    whoosh, opensearch = (_answer(client, {**params, "group": group}) for client in clients)
    for key in ("total", "total_groups", "page_count", "relaxed", "notice", "total_all_words", "grouped"):
        assert whoosh[key] == opensearch[key], key
    assert whoosh["facets"] == opensearch["facets"]
    # A folded story shows its best-scored article, which the two scorings may pick differently.
    key = "group_id" if group == "on" else "id"
    assert _tiers(whoosh, key) == _tiers(opensearch, key)
    for engine in (whoosh, opensearch):
        assert all({"group_size", "missing", "snippet"} <= set(hit) for hit in engine["results"])
    assert {h[key]: h["group_size"] for h in whoosh["results"]} == \
        {h[key]: h["group_size"] for h in opensearch["results"]}
    if group == "off":
        assert {h["id"]: h["missing"] for h in whoosh["results"]} == \
            {h["id"]: h["missing"] for h in opensearch["results"]}


@pytest.mark.opensearch
@pytest.mark.parametrize("query", ["CSTO", "Pashinyan Zainetdinov Mishustin", ""])
def test_same_order_by_date(clients, query):
    whoosh, opensearch = (_answer(client, {"q": query, "sort": "date", "group": "off"}) for client in clients)
    assert [(h["published"], not h["missing"]) for h in whoosh["results"]] == \
        [(h["published"], not h["missing"]) for h in opensearch["results"]]
    assert all(h["score"] is None for h in opensearch["results"])


@pytest.mark.opensearch
def test_snippets_are_marked_and_escaped_alike(clients):
    whoosh, opensearch = (_answer(client, {"q": "Pashinyan", "group": "off"}) for client in clients)
    for engine in (whoosh, opensearch):
        for hit in engine["results"]:
            assert MARK.search(hit["snippet"]), hit["snippet"]
            assert "<" not in MARK.sub("", hit["snippet"])
            assert "&#x2F;" not in hit["snippet"] + hit["caption_snippet"]
    assert {h["id"] for h in whoosh["results"] if h["caption_snippet"]} == \
        {h["id"] for h in opensearch["results"] if h["caption_snippet"]}


@pytest.mark.opensearch
def test_explain_counts_each_clause(clients):
    whoosh, opensearch = (_answer(client, {"q": "CSTO -Mishustin karab*", "explain": "1"}) for client in clients)
    assert whoosh["explain"] == opensearch["explain"]


@pytest.mark.opensearch
def test_article_and_related_agree(clients):
    whoosh, opensearch = clients
    story = next(h for h in _answer(whoosh, {"q": "Pashinyan"})["results"] if h["group_size"] == 2)
    answers = [c.get(f"/api/articles/{story['id']}").get_json() for c in clients]
    assert answers[0] == answers[1]
    assert opensearch.get("/api/articles/nope").status_code == 404
