"""The nightly re-index: incremental, idempotent, locked, safe to kill, and live under gunicorn."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cstosearch.cli import cli
from cstosearch.reindex import LOCK_FILE, REPORT_FILE, Indexer
from cstosearch.search import WhooshSearchEngine
from cstosearch.web import create_app
from tests.conftest import SAMPLE_CORPUS
from tests.test_gunicorn import running_gunicorn

CLI = [sys.executable, "-m", "cstosearch.cli"]


def synthetic_articles(count: int, seed: int, marker: str = "") -> list[dict]:
    """Articles of random made-up words: distinct from each other, so none are grouped."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))
                  for _ in range(20_000)]
    articles = []
    for number in range(count):
        words = rng.sample(vocabulary, 250)
        if marker:
            words[10] = marker
        paragraphs = [" ".join(words[i:i + 50]) + "." for i in range(0, 250, 50)]
        articles.append({"id": f"s{seed}-{number}", "url": f"https://example.org/{seed}/{number}",
                         "title": " ".join(words[:6]).title(), "author": "Test Desk", "date": "2024-03-01",
                         "outlet": "Example Wire", "text": "\n\n".join(paragraphs)})
    return articles


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in articles))
    return path


@pytest.fixture()
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLE_CORPUS, folder / "2026-11-23")
    return folder


def run_reindex(index_dir: Path, inbox: Path):
    return Indexer(index_dir, progress=False).run([inbox])


def test_second_run_over_same_inbox_changes_nothing(tmp_path, inbox):
    index_dir = tmp_path / "index"
    first = run_reindex(index_dir, inbox)
    assert (first.added, first.updated, first.failed) == (5, 0, [])
    assert first.grouped == 1  # 001 is a rewrite of 000
    generation = WhooshSearchEngine(index_dir)._ix.latest_generation()
    second = run_reindex(index_dir, inbox)
    assert (second.added, second.updated, second.unchanged, second.files_read) == (0, 0, 0, 0)
    assert second.files_unchanged == 5
    # No commit at all: searchers keep their generation.
    assert WhooshSearchEngine(index_dir)._ix.latest_generation() == generation
    report = json.loads((index_dir / REPORT_FILE).read_text())
    assert report["files_unchanged"] == 5


def test_touched_but_unchanged_file_is_not_reindexed(tmp_path, inbox):
    index_dir = tmp_path / "index"
    run_reindex(index_dir, inbox)
    seed = next((inbox / "2026-11-23").glob("002_*.txt"))
    os.utime(seed, None)
    report = run_reindex(index_dir, inbox)
    assert (report.added, report.updated, report.files_read) == (0, 0, 0)


def test_edited_article_is_updated_not_doubled(tmp_path, inbox):
    index_dir = tmp_path / "index"
    run_reindex(index_dir, inbox)
    seed = next((inbox / "2026-11-23").glob("000_*.txt"))
    edited = inbox / "2026-11-24" / seed.name
    edited.parent.mkdir()
    edited.write_text(seed.read_text(encoding="utf-8").replace(
        "said Monday", "said Monday, in a correction-worthy Quixotically rephrased remark,"), encoding="utf-8")
    report = run_reindex(index_dir, inbox)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    engine = WhooshSearchEngine(index_dir)
    assert engine.document_count() == 5
    from werkzeug.datastructures import MultiDict

    from cstosearch.query import request_from_args
    page = engine.search(request_from_args(MultiDict({"q": "Quixotically"})))
    assert page.total == 1 and page.results[0].published == "2023-05-22"
    # The edited copy still belongs to the same story as its rewrite.
    story = engine.search(request_from_args(MultiDict({"story": page.results[0].group_id})))
    assert story.total == 2


def test_exact_copy_under_another_url_is_folded(tmp_path, inbox):
    index_dir = tmp_path / "index"
    original = synthetic_articles(1, seed=7)[0]
    copy = dict(original, id="copy", url="https://mirror.example.net/copy")
    write_jsonl(inbox / "2026-11-24" / "feed.jsonl", [original, copy])
    report = run_reindex(index_dir, inbox)
    assert report.duplicates == 1 and report.added == 7
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    word = original["text"].split()[3]
    grouped = client.get(f"/api/search?q={word}").get_json()
    assert grouped["total"] == 2 and grouped["total_groups"] == 1
    assert grouped["results"][0]["group_size"] == 2
    ungrouped = client.get(f"/api/search?q={word}&group=off").get_json()
    assert len(ungrouped["results"]) == 2


def test_broken_files_are_reported_in_the_run_report(tmp_path, inbox):
    (inbox / "2026-11-24").mkdir()
    (inbox / "2026-11-24" / "junk.txt").write_bytes(b"\x00\xff" * 50)
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["reindex", str(inbox), "--index-dir", str(tmp_path / "index"),
                                      "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "junk.txt" in result.stderr and "binary" in result.stderr
    report = json.loads(report_path.read_text())
    assert report["added"] == 5
    assert [Path(f["path"]).name for f in report["failed"]] == ["junk.txt"]
    status = CliRunner().invoke(cli, ["status", "--index-dir", str(tmp_path / "index"), "--json"])
    assert json.loads(status.stdout)["documents"] == 5


def _start_reindex(index_dir: Path, inbox: Path) -> subprocess.Popen:
    return subprocess.Popen(CLI + ["reindex", str(inbox), "--index-dir", str(index_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lock_holder(index_dir: Path, process: subprocess.Popen) -> None:
    lock = index_dir / LOCK_FILE
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(process.pid):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    pytest.fail("the re-index never took its lock")


@pytest.mark.slow
def test_killed_run_leaves_old_index_and_next_run_completes(tmp_path, inbox):
    index_dir = tmp_path / "index"
    run_reindex(index_dir, inbox)
    write_jsonl(inbox / "2026-11-24" / "big.jsonl", synthetic_articles(4000, seed=1, marker="Zyxwarble"))
    process = _start_reindex(index_dir, inbox)
    _wait_for_lock_holder(index_dir, process)
    time.sleep(1.5)
    assert process.poll() is None, "the run ended before it could be killed; make it bigger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    engine = WhooshSearchEngine(index_dir)
    from werkzeug.datastructures import MultiDict

    from cstosearch.query import request_from_args
    assert engine.document_count() == 5
    assert engine.search(request_from_args(MultiDict({"q": "CSTO"}))).total == 5
    assert engine.search(request_from_args(MultiDict({"q": "Zyxwarble"}))).total == 0
    # The dead run's lock is stale: the next run takes it and finishes the work.
    report = run_reindex(index_dir, inbox)
    assert report.added == 4000 and report.failed == []
    assert engine.document_count() == 4005
    assert engine.search(request_from_args(MultiDict({"q": "Zyxwarble"}))).total == 4000


@pytest.mark.slow
def test_second_concurrent_run_refuses(tmp_path, inbox):
    index_dir = tmp_path / "index"
    write_jsonl(inbox / "2026-11-24" / "big.jsonl", synthetic_articles(3000, seed=2))
    process = _start_reindex(index_dir, inbox)
    _wait_for_lock_holder(index_dir, process)
    second = subprocess.run(CLI + ["reindex", str(inbox), "--index-dir", str(index_dir)],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 3
    assert "another indexing run" in second.stderr and str(process.pid) in second.stderr
    assert process.wait(timeout=300) == 0


@pytest.mark.slow
def test_gunicorn_answers_throughout_a_reindex_and_then_finds_new_articles(tmp_path, inbox):
    index_dir = tmp_path / "index"
    run_reindex(index_dir, inbox)
    write_jsonl(inbox / "2026-11-24" / "new.jsonl", synthetic_articles(1500, seed=3, marker="Quorblatt"))
    statuses: list[int] = []
    stop = threading.Event()

    def hammer(base: str) -> None:
        while not stop.is_set():
            for query in ("CSTO", "Pashinyan", "Quorblatt"):
                try:
                    with urllib.request.urlopen(f"{base}/api/search?q={query}", timeout=10) as response:
                        statuses.append(response.status)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                except OSError:
                    statuses.append(-1)

    with running_gunicorn(index_dir) as base:
        threads = [threading.Thread(target=hammer, args=(base,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            result = subprocess.run(CLI + ["reindex", str(inbox), "--index-dir", str(index_dir)],
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        found = 0
        for _ in range(20):  # each worker switches on its next request
            with urllib.request.urlopen(f"{base}/api/search?q=Quorblatt", timeout=10) as response:
                found = json.loads(response.read())["total"]
        assert found == 1500
    assert len(statuses) > 20
    assert set(statuses) == {200}


def test_rebuild_keeps_the_later_version_of_a_repeated_article(tmp_path):
    first, other = synthetic_articles(2, seed=11)
    later = dict(first, text=first["text"] + "\n\nA late correction mentions Frobnicated details.")
    source = write_jsonl(tmp_path / "feed.jsonl", [first, other, later])
    report = Indexer(tmp_path / "index", progress=False).run([source], rebuild=True)
    assert (report.added, report.updated) == (2, 1)
    engine = WhooshSearchEngine(tmp_path / "index")
    assert engine.document_count() == 2
    from werkzeug.datastructures import MultiDict

    from cstosearch.query import request_from_args
    assert engine.search(request_from_args(MultiDict({"q": "Frobnicated"}))).total == 1


def test_multiprocess_rebuild_indexes_everything(tmp_path):
    source = write_jsonl(tmp_path / "feed.jsonl", synthetic_articles(400, seed=12, marker="Plinthwise"))
    report = Indexer(tmp_path / "index", procs=2, limitmb=64, progress=False).run([source], rebuild=True)
    assert report.added == 400 and report.documents == 400
    again = Indexer(tmp_path / "index", procs=2, limitmb=64, progress=False).run([source], rebuild=True)
    assert again.documents == 400
    from werkzeug.datastructures import MultiDict

    from cstosearch.query import request_from_args
    page = WhooshSearchEngine(tmp_path / "index").search(request_from_args(MultiDict({"q": "Plinthwise"})))
    assert page.total == 400


def test_index_from_another_version_is_refused_then_rebuilt(tmp_path, inbox):
    from whoosh import fields
    from whoosh import index as whoosh_index

    from cstosearch.errors import IndexOutdated
    from cstosearch.index import INDEX_NAME, WHOOSH_DIR

    old = tmp_path / "index" / WHOOSH_DIR
    old.mkdir(parents=True)
    whoosh_index.create_in(str(old), fields.Schema(id=fields.ID(stored=True)), indexname=INDEX_NAME)
    with pytest.raises(IndexOutdated, match="rebuild it"):
        WhooshSearchEngine(tmp_path / "index")
    response = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client().get("/api/search?q=CSTO")
    assert response.status_code == 503 and "rebuild it" in response.get_json()["message"]
    with pytest.raises(IndexOutdated):
        run_reindex(tmp_path / "index", inbox)
    report = Indexer(tmp_path / "index", progress=False).run([inbox], rebuild=True)
    assert report.added == 5
    assert WhooshSearchEngine(tmp_path / "index").document_count() == 5
