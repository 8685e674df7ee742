"""Followed searches over a real index and real re-index runs: feeds, counts, rebuilds, the CLI and the page."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from cstosearch.cli import cli
from cstosearch.follow import FOLLOWS_FILE, followed_search
from cstosearch.ingest.jsonl import article_from_record
from cstosearch.query import SearchRequest
from cstosearch.reindex import REPORT_FILE, Indexer
from cstosearch.search import WhooshSearchEngine
from cstosearch.web import create_app
from tests.conftest import SAMPLE_CORPUS
from tests.test_gunicorn import running_gunicorn

SCRIPT_TITLE = "<script>alert('feed')</script> Pashinyan answers the bloc"
NEW_ARTICLES = [
    {"url": "https://example.org/night/1", "title": SCRIPT_TITLE, "author": "Jane Roe", "date": "2026-11-20",
     "outlet": "Example Wire",
     "text": "Prime Minister Nikol Pashinyan said Armenia would not attend the summit.\n\nOfficials agreed."},
    {"url": "https://example.org/night/2", "title": "Talks in Yerevan", "author": "Test Desk", "date": "2026-11-21",
     "outlet": "Example Wire", "text": "Pashinyan met the delegation in Yerevan on Friday.\n\nNo statement followed."},
    {"url": "https://example.org/night/3", "title": "Snow in Moscow", "author": "Test Desk", "date": "2026-11-21",
     "outlet": "Example Wire", "text": "Snow fell over Moscow on Friday.\n\nTraffic slowed across the city."},
]


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in articles))
    return path


def reindex(index_dir: Path, inbox: Path, rebuild: bool = False):
    return Indexer(index_dir, progress=False).run([inbox], rebuild=rebuild)


def follow_cli(*args: str):
    return CliRunner().invoke(cli, ["follow", *args])


@pytest.fixture()
def night(tmp_path):
    """An index built by a first run over the sample corpus, and the inbox it came from."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_CORPUS, inbox / "2026-11-23")
    index_dir = tmp_path / "index"
    reindex(index_dir, inbox)
    return index_dir, inbox


def follow_pashinyan(index_dir: Path) -> str:
    result = follow_cli("add", "Pashinyan", "--index-dir", str(index_dir))
    assert result.exit_code == 0, result.output
    return result.output.split()[0]


def feed_entries(client, feed_id: str):
    response = client.get(f"/feeds/{feed_id}.atom")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return response, parsed.entries


def entry_article_id(entry) -> str:
    return entry.id.split(":")[3]


def test_feed_gains_exactly_the_two_new_matches(night):
    index_dir, inbox = night
    feed_id = follow_pashinyan(index_dir)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    _, before = feed_entries(client, feed_id)
    assert before, "the first run's matching sample articles are in the feed"

    write_jsonl(inbox / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
    report = reindex(index_dir, inbox)
    assert report.added == 3
    assert [(f["id"], f["new_matches"]) for f in report.followed] == [(feed_id, 2)]
    assert f"followed search {feed_id}" in report.summary() and "2 new" in report.summary()
    assert json.loads((index_dir / REPORT_FILE).read_text())["followed"][0]["new_matches"] == 2

    response, after = feed_entries(client, feed_id)
    added = {entry_article_id(e) for e in after} - {entry_article_id(e) for e in before}
    assert added == {article_from_record(a, "night.jsonl").article_id for a in NEW_ARTICLES[:2]}
    titles = {e.title for e in after[:2]}
    assert titles == {SCRIPT_TITLE, "Talks in Yerevan"}, "the newest run comes first"
    assert "Snow in Moscow" not in {e.title for e in after}
    # The hostile title is escaped text, never markup; the snippet's <mark> is escaped HTML content.
    assert b"<script>" not in response.data and b"&lt;script&gt;" in response.data
    assert b"&lt;mark" in response.data
    script_entry = next(e for e in after if e.title == SCRIPT_TITLE)
    assert script_entry.author == "Jane Roe"
    assert script_entry.published.startswith("2026-11-20")
    assert [t.term for t in script_entry.tags] == ["Example Wire"]
    links = {link.rel: link.href for link in script_entry.links}
    assert links["alternate"] == "https://example.org/night/1"
    article_page = links["related"].replace("http://localhost", "")
    assert article_page.startswith("/article/")
    assert client.get(article_page).status_code == 200
    assert article_page in script_entry.content[0].value


def test_json_twin_lists_the_same_entries(night):
    index_dir, inbox = night
    feed_id = follow_pashinyan(index_dir)
    write_jsonl(inbox / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
    reindex(index_dir, inbox)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    _, atom_entries = feed_entries(client, feed_id)
    data = client.get(f"/api/feeds/{feed_id}").get_json()
    assert data["id"] == feed_id and data["params"] == [["q", "Pashinyan"]]
    assert [e["id"] for e in data["entries"]] == [entry_article_id(e) for e in atom_entries]
    newest = data["entries"][0]
    assert newest["run"] == 2 and newest["article_page"] == f"/article/{newest['id']}"
    assert "<mark" in newest["snippet"]
    assert data["new_matches"]["matches"] == 2


def test_full_rebuild_keeps_the_followed_search(night):
    index_dir, inbox = night
    feed_id = follow_pashinyan(index_dir)
    write_jsonl(inbox / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
    reindex(index_dir, inbox)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    _, before = feed_entries(client, feed_id)

    rebuilt = reindex(index_dir, inbox, rebuild=True)
    # Same articles, new document numbers: the rebuild itself adds nothing new to follow.
    assert rebuilt.rebuild and [(f["id"], f["new_matches"]) for f in rebuilt.followed] == [(feed_id, 0)]
    _, after = feed_entries(client, feed_id)
    assert [e.id for e in after] == [e.id for e in before]

    later = [{"url": "https://example.org/night/4", "title": "Pashinyan in Brussels", "date": "2026-11-25",
              "outlet": "Example Wire", "text": "Pashinyan travelled to Brussels.\n\nTalks went on late."}]
    write_jsonl(inbox / "2026-11-25" / "night.jsonl", later)
    assert [f["new_matches"] for f in reindex(index_dir, inbox).followed] == [1]
    _, latest = feed_entries(client, feed_id)
    assert latest[0].title == "Pashinyan in Brussels"


@pytest.mark.parametrize("hostile", ["../x", "..%2Fx", "a" * 5000, "not-hex-at-all!!", "ZZZZZZZZZZZZZZZZ",
                                     "0123456789abcdef", "%00", "0123456789ABCDEF"])
def test_hostile_feed_ids_are_not_found(night, hostile):
    index_dir, _ = night
    follow_pashinyan(index_dir)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    atom = client.get(f"/feeds/{hostile}.atom")
    assert atom.status_code == 404
    api = client.get(f"/api/feeds/{hostile}")
    assert api.status_code == 404
    assert api.is_json and api.get_json()["error"] == "not_found"


def test_feeds_answer_404_before_anything_is_followed(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client()
    assert client.get("/feeds/0123456789abcdef.atom").status_code == 404
    assert client.get("/api/feeds/0123456789abcdef").get_json()["error"] == "not_found"
    assert client.get("/api/follows").get_json() == {"follows": []}
    assert not (tmp_path / FOLLOWS_FILE).exists(), "reading never creates the file"


def test_etag_and_last_modified_answer_304_until_a_run_lands(night):
    index_dir, inbox = night
    feed_id = follow_pashinyan(index_dir)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    for url in (f"/feeds/{feed_id}.atom", f"/api/feeds/{feed_id}"):
        first = client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert first.status_code == 200 and etag and modified
        same = client.get(url, headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == etag
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200

    write_jsonl(inbox / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
    reindex(index_dir, inbox)
    changed = client.get(f"/feeds/{feed_id}.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_follow_add_list_remove_from_the_shell(night):
    index_dir, _ = night
    added = follow_cli("add", "CSTO", "--outlet", "The Moscow Times", "--from", "2023-01-01",
                       "--index-dir", str(index_dir))
    assert added.exit_code == 0, added.output
    follow_id = added.output.split()[0]
    # The same search typed differently is the same followed search.
    again = follow_cli("add", "  CSTO ", "--from", "2023-01-01", "--outlet", "The Moscow Times",
                       "--index-dir", str(index_dir))
    assert again.output.split()[0] == follow_id

    listed = follow_cli("list", "--index-dir", str(index_dir))
    assert listed.exit_code == 0
    assert follow_id in listed.output and "outlet: The Moscow Times" in listed.output
    assert "new since" in listed.output
    as_json = json.loads(follow_cli("list", "--json", "--index-dir", str(index_dir)).output)
    assert [f["id"] for f in as_json] == [follow_id]
    assert as_json[0]["feed_url"] == f"/feeds/{follow_id}.atom"
    assert as_json[0]["new_matches"]["run"] == 1

    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    assert client.get(f"/feeds/{follow_id}.atom").status_code == 200
    removed = follow_cli("remove", follow_id, "--index-dir", str(index_dir))
    assert removed.exit_code == 0
    assert client.get(f"/feeds/{follow_id}.atom").status_code == 404
    assert follow_cli("remove", follow_id, "--index-dir", str(index_dir)).exit_code == 1
    assert "no followed searches" in follow_cli("list", "--index-dir", str(index_dir)).output

    bad = follow_cli("add", "--from", "2023-02-30", "--index-dir", str(index_dir))
    assert bad.exit_code != 0


def test_search_page_follows_and_shows_new_since(night):
    index_dir, inbox = night
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    page = client.get("/?q=Pashinyan&sort=date").get_data(as_text=True)
    assert "Follow this search" in page

    followed = client.post("/follows", data={"q": "Pashinyan", "sort": "date"})
    assert followed.status_code == 303
    assert followed.headers["Location"] == "/?q=Pashinyan#follow"
    feed_id = followed_search(SearchRequest(query="Pashinyan")).id

    write_jsonl(inbox / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
    reindex(index_dir, inbox)
    page = client.get("/?q=Pashinyan").get_data(as_text=True)
    assert "Following this search" in page and "Follow this search" not in page
    assert f"/feeds/{feed_id}.atom" in page
    assert "2 new since" in page
    home = client.get("/").get_data(as_text=True)
    assert "Followed searches" in home and "2 new since" in home and f"/feeds/{feed_id}.atom" in home

    assert client.post("/follows", data={"q": "x", "from": "nope"}).status_code == 400


def test_follow_api(night):
    index_dir, _ = night
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    created = client.post("/api/follows?q=Pashinyan&outlet=The+Moscow+Times")
    assert created.status_code == 201
    body = created.get_json()
    assert body["feed_url"] == f"/feeds/{body['id']}.atom"
    listed = client.get("/api/follows").get_json()["follows"]
    assert [f["id"] for f in listed] == [body["id"]]
    bad = client.post("/api/follows?q=x&page_size=9999")
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_query"


def test_search_restricted_to_article_ids(night):
    index_dir, _ = night
    engine = WhooshSearchEngine(index_dir)
    everything = engine.search(SearchRequest(group_duplicates=False, page_size=20))
    chosen = tuple(hit.id for hit in everything.results[:2])
    restricted = engine.search(SearchRequest(article_ids=chosen, group_duplicates=False))
    assert {hit.id for hit in restricted.results} == set(chosen)
    assert restricted.total == 2
    assert sum(f.count for f in restricted.facets["year"]) <= 2
    assert engine.search(SearchRequest(article_ids=("0000000000000000",))).total == 0


def test_unreadable_follows_file_leaves_search_working(night):
    index_dir, _ = night
    (index_dir / FOLLOWS_FILE).write_bytes(b"this is not a database" * 100)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    page = client.get("/?q=Pashinyan")
    assert page.status_code == 200 and "Follow this search" not in page.get_data(as_text=True)
    assert client.get("/").status_code == 200
    feed = client.get("/api/feeds/0123456789abcdef")
    assert feed.status_code == 503 and feed.get_json()["error"] == "follows_unavailable"
    assert client.get("/feeds/0123456789abcdef.atom").status_code == 503
    # A re-index is not failed by it either: the run is committed and reported, with the reason.
    write_jsonl(index_dir.parent / "inbox" / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
    report = reindex(index_dir, index_dir.parent / "inbox")
    assert report.added == 3
    assert report.followed[0]["new_matches"] is None and "follows.sqlite" in report.followed[0]["error"]
    assert "not counted" in report.summary()


def test_followed_searches_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr("cstosearch.follow.MAX_FOLLOWS", 2)
    for word in ("one", "two"):
        assert follow_cli("add", word, "--index-dir", str(tmp_path)).exit_code == 0
    assert follow_cli("add", "one", "--index-dir", str(tmp_path)).exit_code == 0, "following again is fine"
    third = follow_cli("add", "three", "--index-dir", str(tmp_path))
    assert third.exit_code != 0 and "at most 2" in str(third.exception)


def test_feed_over_gunicorn_follows_a_run_across_workers(night):
    index_dir, inbox = night
    with running_gunicorn(index_dir, workers=2) as base:
        request = urllib.request.Request(base + "/follows", data=b"q=Pashinyan", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # follows the 303 to the page
            assert "Following this search" in response.read().decode()
        feed_id = followed_search(SearchRequest(query="Pashinyan")).id
        with urllib.request.urlopen(f"{base}/feeds/{feed_id}.atom", timeout=10) as response:
            etag, before = response.headers["ETag"], feedparser.parse(response.read())
        assert not before.bozo
        unchanged = urllib.request.Request(f"{base}/feeds/{feed_id}.atom", headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(unchanged, timeout=10)
        assert not_modified.value.code == 304

        write_jsonl(inbox / "2026-11-24" / "night.jsonl", NEW_ARTICLES)
        reindex(index_dir, inbox)
        # Both workers switch to the new run on their next request.
        for _ in range(4):
            with urllib.request.urlopen(unchanged, timeout=10) as response:
                assert response.headers["ETag"] != etag
                after = feedparser.parse(response.read())
            assert {e.title for e in after.entries[:2]} == {SCRIPT_TITLE, "Talks in Yerevan"}
