"""Runs that meet a busy lock, an index folder that cannot be written, or what a killed run left behind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cstosearch.bookkeeping import LOCK_FILE, RUNNING_FILE, RunLock
from cstosearch.cli import cli
from cstosearch.errors import IndexNotWritable
from cstosearch.index import ArticleIndex
from cstosearch.reindex import Indexer
from cstosearch.search import WhooshSearchEngine
from tests.conftest import SAMPLE_CORPUS

CLI = [sys.executable, "-m", "cstosearch.cli"]


@pytest.fixture()
def built(tmp_path):
    inbox, index_dir = tmp_path / "inbox", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, inbox)
    Indexer(index_dir, progress=False).run([inbox])
    return inbox, index_dir


@pytest.mark.parametrize("command", ["index", "reindex"])
def test_index_and_reindex_exit_3_while_another_run_holds_the_lock(built, command):
    inbox, index_dir = built
    with RunLock(index_dir / LOCK_FILE):
        result = subprocess.run(CLI + [command, str(inbox), "--index-dir", str(index_dir)],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "another indexing run" in result.stderr and "Traceback" not in result.stderr


def test_index_folder_that_cannot_be_written_gives_a_clear_error(built, tmp_path):
    inbox, index_dir = built
    (inbox / "new.txt").write_text("Quay note\n\nThe Tarnwick quay opened on Monday after two years of work.\n")
    copy = tmp_path / "blocked"
    shutil.copytree(index_dir, copy)
    # A file where the run must create its lock: fails the same way for root as for anyone.
    (copy / LOCK_FILE).unlink()
    (copy / LOCK_FILE).mkdir()
    with pytest.raises(IndexNotWritable, match="cannot write to the index folder.*served index is unchanged"):
        Indexer(copy, progress=False).run([inbox])
    result = subprocess.run(CLI + ["reindex", str(inbox), "--index-dir", str(copy)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert WhooshSearchEngine(copy).document_count() == 5


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root writes into read-only folders, so the folder cannot be made read-only here")
def test_read_only_index_folder_gives_a_clear_error(built):
    inbox, index_dir = built
    (inbox / "new.txt").write_text("Quay note\n\nThe Tarnwick quay opened on Monday after two years of work.\n")
    for path in (index_dir / "whoosh", index_dir):
        path.chmod(0o555)
    try:
        result = subprocess.run(CLI + ["reindex", str(inbox), "--index-dir", str(index_dir)],
                                capture_output=True, text=True, timeout=120)
    finally:
        for path in (index_dir, index_dir / "whoosh"):
            path.chmod(0o755)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot write to the index folder" in result.stderr
    assert WhooshSearchEngine(index_dir).document_count() == 5


def test_stale_temp_files_are_counted_then_cleaned_by_the_next_run(built):
    inbox, index_dir = built
    size_before = ArticleIndex(index_dir).size_bytes()
    pool = index_dir / "whoosh" / "articles.tmp"
    pool.mkdir()
    (pool / "left-over.pst").write_bytes(b"\x00" * 3_000_000)
    (index_dir / "last-run.json.tmp").write_text("{")
    status = CliRunner().invoke(cli, ["status", "--index-dir", str(index_dir), "--json"])
    assert json.loads(status.stdout)["size_bytes"] >= size_before + 3_000_000
    Indexer(index_dir, progress=False).run([inbox])
    assert not pool.exists() and not (index_dir / "last-run.json.tmp").exists()
    assert ArticleIndex(index_dir).size_bytes() < size_before + 100_000


def test_status_tells_an_interrupted_run_from_the_last_finished_one(built):
    inbox, index_dir = built
    (index_dir / RUNNING_FILE).write_text(json.dumps({"started_at": "2026-11-24T02:00:00+00:00", "pid": 1,
                                                      "rebuild": False}))
    status = CliRunner().invoke(cli, ["status", "--index-dir", str(index_dir)])
    assert "interrupted: the run started at 2026-11-24T02:00:00+00:00 did not finish" in status.stdout
    with RunLock(index_dir / LOCK_FILE):
        running = CliRunner().invoke(cli, ["status", "--index-dir", str(index_dir), "--json"])
    assert json.loads(running.stdout)["unfinished_run"]["running"] is True
    Indexer(index_dir, progress=False).run([inbox])
    assert not (index_dir / RUNNING_FILE).exists()
    assert "interrupted" not in CliRunner().invoke(cli, ["status", "--index-dir", str(index_dir)]).stdout
