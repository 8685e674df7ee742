"""Removing articles: files gone (reindex --prune), by id or URL (remove), and a re-read file replacing its own."""

from __future__ import annotations

import shutil
import subprocess
import sys

from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from cstosearch.cli import cli
from cstosearch.query import request_from_args
from cstosearch.reindex import Indexer
from cstosearch.search import WhooshSearchEngine
from tests.conftest import SAMPLE_CORPUS
from tests.test_hostile_corpus import record

CLI = [sys.executable, "-m", "cstosearch.cli"]


def total(index_dir, query: str) -> int:
    return WhooshSearchEngine(index_dir).search(request_from_args(MultiDict({"q": query, "group": "off"}))).total


def test_prune_removes_articles_of_deleted_files_only_under_the_sources(tmp_path):
    inbox, other, index_dir = tmp_path / "inbox", tmp_path / "other", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, inbox)
    other.mkdir()
    (other / "feed.jsonl").write_text(record("Elsewhere", 1))
    Indexer(index_dir, progress=False).run([inbox, other])
    assert total(index_dir, "CSTO") == 5
    next(inbox.glob("004_*.txt")).unlink()
    kept = Indexer(index_dir, progress=False).run([inbox])
    assert kept.removed == 0 and total(index_dir, "CSTO") == 5  # no --prune: nothing removed
    result = CliRunner().invoke(cli, ["reindex", str(inbox), "--prune", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "removed 1" in result.stdout
    assert total(index_dir, "CSTO") == 4
    assert total(index_dir, "Elsewhere") == 1  # a file under another source is not touched


def test_renamed_file_keeps_its_articles_through_a_prune(tmp_path):
    inbox, index_dir = tmp_path / "inbox", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, inbox)
    Indexer(index_dir, progress=False).run([inbox])
    seed = next(inbox.glob("002_*.txt"))
    seed.rename(inbox / "renamed.txt")
    report = Indexer(index_dir, progress=False).run([inbox], prune=True)
    assert (report.added, report.removed, report.unchanged) == (0, 0, 1)
    assert total(index_dir, "CSTO") == 5


def test_edited_text_without_url_replaces_its_old_version(tmp_path):
    inbox, index_dir = tmp_path / "inbox", tmp_path / "index"
    inbox.mkdir()
    note = inbox / "note.txt"
    note.write_text("Harbour note\n\nThe Plinthwick harbour opened its new quay on Monday after two years of work.\n")
    Indexer(index_dir, progress=False).run([inbox])
    note.write_text("Harbour note\n\nThe Plinthwick harbour opened its rebuilt quay on Monday after three years.\n")
    report = Indexer(index_dir, progress=False).run([inbox])
    assert (report.added, report.removed) == (1, 1)
    assert total(index_dir, "Plinthwick") == 1 and total(index_dir, "rebuilt") == 1


def test_remove_by_id_and_url_in_one_commit(tmp_path):
    inbox, index_dir = tmp_path / "inbox", tmp_path / "index"
    inbox.mkdir()
    (inbox / "feed.jsonl").write_text(record("Removable", 1) + record("Removable", 2) + record("Removable", 3))
    Indexer(index_dir, progress=False).run([inbox])
    engine = WhooshSearchEngine(index_dir)
    first = engine.search(request_from_args(MultiDict({"q": "session 1", "group": "off"}))).results[0]
    generation = engine._ix.latest_generation()
    result = subprocess.run(CLI + ["remove", first.id, "https://EXAMPLE.org/Removable/2?utm_source=x", "nope",
                                   "--index-dir", str(index_dir)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "removed 2, not found 1" in result.stdout and "not found: nope" in result.stderr
    assert total(index_dir, "Removable") == 1
    assert WhooshSearchEngine(index_dir)._ix.latest_generation() == generation + 1
    # An unchanged source file does not bring removed articles back.
    report = Indexer(index_dir, progress=False).run([inbox])
    assert report.files_read == 0 and total(index_dir, "Removable") == 1
    missing = subprocess.run(CLI + ["remove", "nope", "--index-dir", str(index_dir)], capture_output=True, text=True)
    assert missing.returncode == 1
